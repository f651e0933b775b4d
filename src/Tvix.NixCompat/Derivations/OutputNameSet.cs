using System.Collections;

namespace Tvix.NixCompat.Derivations;

/// <summary>
/// The names of the outputs a derivation uses from one input derivation, in ordinal order. A
/// sorted array: it usually holds one name (<c>out</c>), where a <see cref="SortedSet{T}"/> costs a
/// tree, a comparer and an allocated stack per enumeration.
/// </summary>
public sealed class OutputNameSet : IReadOnlyCollection<string>
{
    // The one name of a set that has one (nearly every input uses only `out`): no array for it.
    private string? _single;

    // The names, once there are two or more.
    private string[]? _items;

    /// <summary>An empty set.</summary>
    public OutputNameSet()
    {
    }

    /// <summary>A set holding <paramref name="names"/> (duplicates merged).</summary>
    public OutputNameSet(IEnumerable<string> names)
        : this()
    {
        foreach (var name in names) Add(name);
    }

    /// <summary>The inputs collection that made this set and may empty it for reuse (null for a set made by a caller).</summary>
    internal DerivationInputs? Owner { get; init; }

    /// <summary>Removes every name (for reuse by <see cref="Owner"/>).</summary>
    internal void Clear()
    {
        _single = null;
        if (_items is not null) Array.Clear(_items, 0, Count);
        Count = 0;
    }

    /// <summary>Number of names.</summary>
    public int Count { get; private set; }

    /// <summary>The name at <paramref name="index"/> in order.</summary>
    internal string this[int index] => _items is null ? _single! : _items[index];

    /// <summary>Adds a name; false when it was already there.</summary>
    public bool Add(string name)
    {
        var index = Find(name);
        if (index >= 0) return false;
        index = ~index;
        // (A cleared set that had grown an array keeps using it.)
        if (Count == 0 && _items is null)
        {
            _single = name;
            Count = 1;
            return true;
        }
        if (_items is null)
        {
            _items = new string[4];
            _items[0] = _single!;
            _single = null;
        }
        else if (Count == _items.Length) Array.Resize(ref _items, Count * 2);
        Array.Copy(_items, index, _items, index + 1, Count - index);
        _items[index] = name;
        Count++;
        return true;
    }

    /// <summary>Whether <paramref name="name"/> is in the set.</summary>
    public bool Contains(string name) => Find(name) >= 0;

    /// <summary>Adds every name of <paramref name="other"/>.</summary>
    public void UnionWith(OutputNameSet other)
    {
        for (var i = 0; i < other.Count; i++) Add(other[i]);
    }

    private int Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int low = 0, high = Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >> 1;
            var order = string.CompareOrdinal(this[mid], name);
            if (order == 0) return mid;
            if (order < 0) low = mid + 1;
            else high = mid - 1;
        }
        return ~low;
    }

    /// <summary>Enumerates the names in order without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<string> IEnumerable<string>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>An enumerator over the names in order.</summary>
    public struct Enumerator : IEnumerator<string>
    {
        private readonly OutputNameSet _set;
        private int _index;

        internal Enumerator(OutputNameSet set)
        {
            _set = set;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly string Current => _set[_index];

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _set.Count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}
