namespace Tvix.Eval.Bytecode;

/// <summary>
/// A growable array for the code builder. Its own type rather than <c>List&lt;T&gt;</c>: this
/// assembly's ReadyToRun image can hold its instantiations over this assembly's structs, while
/// CoreLib's collections over them are compiled at run time, which start-up would pay for.
/// </summary>
internal sealed class GrowableArray<T>
{
    private T[] _items = new T[16];

    public int Count { get; private set; }

    /// <summary>The storage (the first <see cref="Count"/> elements are used).</summary>
    public T[] Items => _items;

    public T this[int index] => _items[index];

    /// <summary>The last element.</summary>
    public T Last => _items[Count - 1];

    public void Add(T item)
    {
        if (Count == _items.Length)
        {
            var bigger = new T[_items.Length * 2];
            Array.Copy(_items, bigger, Count);
            _items = bigger;
        }
        _items[Count++] = item;
    }

    /// <summary>Makes room for <paramref name="capacity"/> elements at once, instead of doubling up to it.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity <= _items.Length) return;
        var bigger = new T[capacity];
        Array.Copy(_items, bigger, Count);
        _items = bigger;
    }

    /// <summary>Starts over with new storage (the old one was handed to a chunk, which keeps it).</summary>
    public void Release()
    {
        _items = new T[16];
        Count = 0;
    }

    /// <summary>Empties the array; when it grew past <paramref name="keepCapacity"/>, its storage is dropped too.</summary>
    public void Clear(int keepCapacity)
    {
        if (_items.Length > keepCapacity) _items = new T[16];
        else Array.Clear(_items, 0, Count);
        Count = 0;
    }

    public T[] ToArray()
    {
        if (Count == 0) return [];
        var result = new T[Count];
        Array.Copy(_items, result, Count);
        return result;
    }
}
