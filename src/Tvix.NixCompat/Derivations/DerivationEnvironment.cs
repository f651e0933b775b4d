using System.Collections;

namespace Tvix.NixCompat.Derivations;

/// <summary>
/// A derivation's environment: variables ordered by their bytes, as the ATerm lists them. A
/// sorted pair of arrays rather than a <see cref="SortedDictionary{TKey, TValue}"/>: a derivation
/// has a handful of variables, which binary search and insertion handle faster than a tree, and
/// the code is this package's own, precompiled, instead of framework generics over
/// <see cref="ByteString"/> that every process would have to JIT again.
/// </summary>
public sealed class DerivationEnvironment : IEnumerable<KeyValuePair<ByteString, ByteString>>
{
    // Made on first use, or at the size EnsureCapacity is told. (Not Array.Empty: that generic
    // method over this package's struct would be JIT-compiled in every process.)
    private static readonly ByteString[] NoVariables = new ByteString[0];

    private ByteString[] _keys = NoVariables;
    private ByteString[] _values = NoVariables;

    /// <summary>Number of variables.</summary>
    public int Count { get; private set; }

    /// <summary>Removes every variable, keeping the arrays for reuse.</summary>
    internal void Clear()
    {
        Array.Clear(_keys, 0, Count);
        Array.Clear(_values, 0, Count);
        Count = 0;
    }

    /// <summary>
    /// Makes room for <paramref name="capacity"/> variables in all, so that adding them does not
    /// grow the environment step by step (a derivation's attributes are counted in advance).
    /// </summary>
    public void EnsureCapacity(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        if (capacity <= _keys.Length) return;
        _keys = Grow(_keys, capacity);
        _values = Grow(_values, capacity);
    }

    /// <summary>The value of a variable; setting adds or replaces it.</summary>
    /// <exception cref="KeyNotFoundException">Getting a variable that is not set.</exception>
    public ByteString this[ByteString key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"the environment has no variable '{key}'");
        set
        {
            var index = Find(key);
            if (index >= 0) _values[index] = value;
            else Insert(~index, key, value);
        }
    }

    /// <summary>The name of the variable at <paramref name="index"/> in order.</summary>
    internal ByteString KeyAt(int index) => _keys[index];

    /// <summary>The value of the variable at <paramref name="index"/> in order.</summary>
    internal ByteString ValueAt(int index) => _values[index];

    /// <summary>The value of a variable, if it is set.</summary>
    public bool TryGetValue(ByteString key, out ByteString value)
    {
        var index = Find(key);
        value = index >= 0 ? _values[index] : default;
        return index >= 0;
    }

    /// <summary>Whether a variable is set.</summary>
    public bool ContainsKey(ByteString key) => Find(key) >= 0;

    /// <summary>Adds a variable; false (and nothing changed) when it is already set.</summary>
    public bool TryAdd(ByteString key, ByteString value)
    {
        var index = Find(key);
        if (index >= 0) return false;
        Insert(~index, key, value);
        return true;
    }

    /// <summary>Removes a variable; false when it was not set.</summary>
    public bool Remove(ByteString key)
    {
        var index = Find(key);
        if (index < 0) return false;
        Count--;
        Array.Copy(_keys, index + 1, _keys, index, Count - index);
        Array.Copy(_values, index + 1, _values, index, Count - index);
        _keys[Count] = default;
        _values[Count] = default;
        return true;
    }


    /// <summary>
    /// A larger copy of <paramref name="items"/>. <see cref="Array.Resize{T}"/> over this package's
    /// struct would be JIT-compiled in every process; the non-generic copy is precompiled.
    /// </summary>
    internal static ByteString[] Grow(ByteString[] items, int capacity)
    {
        var grown = new ByteString[capacity];
        if (items.Length > 0) Array.Copy(items, grown, items.Length);
        return grown;
    }

    /// <summary>Enumerates the variables in byte order.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<ByteString, ByteString>> IEnumerable<KeyValuePair<ByteString, ByteString>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The index of <paramref name="key"/>, or the complement of where it would go.</summary>
    private int Find(ByteString key)
    {
        // Variables usually arrive in order (an ATerm being parsed): check the end first.
        if (Count > 0)
        {
            var last = _keys[Count - 1].CompareTo(key);
            if (last < 0) return ~Count;
            if (last == 0) return Count - 1;
        }
        int low = 0, high = Count - 2;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = _keys[middle].CompareTo(key);
            if (order == 0) return middle;
            if (order < 0) low = middle + 1;
            else high = middle - 1;
        }
        return ~low;
    }

    private void Insert(int index, ByteString key, ByteString value)
    {
        if (Count == _keys.Length)
        {
            _keys = Grow(_keys, Math.Max(8, Count * 2));
            _values = Grow(_values, Math.Max(8, Count * 2));
        }
        Array.Copy(_keys, index, _keys, index + 1, Count - index);
        Array.Copy(_values, index, _values, index + 1, Count - index);
        _keys[index] = key;
        _values[index] = value;
        Count++;
    }

    /// <summary>Enumerates the variables in byte order (the environment must not change meanwhile).</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<ByteString, ByteString>>
    {
        private readonly DerivationEnvironment _environment;
        private int _index;

        internal Enumerator(DerivationEnvironment environment)
        {
            _environment = environment;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly KeyValuePair<ByteString, ByteString> Current => new(_environment._keys[_index], _environment._values[_index]);

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _environment.Count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}
