using System.Collections;

namespace Tvix.NixCompat;

/// <summary>
/// A set of store paths in Nix's order (by base name), e.g. a derivation's input sources. A
/// sorted array rather than a <see cref="SortedSet{T}"/>: such sets are small, and enumerating
/// an array allocates nothing.
/// </summary>
public sealed class StorePathSet : IReadOnlyCollection<StorePath>
{
    private StorePath[] _items = [];

    /// <summary>Number of paths.</summary>
    public int Count { get; private set; }

    /// <summary>Removes every path, keeping the array for reuse.</summary>
    internal void Clear()
    {
        Array.Clear(_items, 0, Count);
        Count = 0;
    }

    /// <summary>The path at <paramref name="index"/> in order.</summary>
    internal StorePath this[int index] => _items[index];

    /// <summary>Adds a path; false when it was already there.</summary>
    public bool Add(StorePath path)
    {
        var index = Find(path);
        if (index >= 0) return false;
        index = ~index;
        if (Count == _items.Length) Array.Resize(ref _items, Math.Max(4, Count * 2));
        Array.Copy(_items, index, _items, index + 1, Count - index);
        _items[index] = path;
        Count++;
        return true;
    }

    /// <summary>Whether <paramref name="path"/> is in the set.</summary>
    public bool Contains(StorePath path) => Find(path) >= 0;

    /// <summary>Removes a path; false when it was not there.</summary>
    public bool Remove(StorePath path)
    {
        var index = Find(path);
        if (index < 0) return false;
        Count--;
        Array.Copy(_items, index + 1, _items, index, Count - index);
        _items[Count] = null!;
        return true;
    }

    private int Find(StorePath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        int low = 0, high = Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >> 1;
            var order = string.CompareOrdinal(_items[mid].BaseName, path.BaseName);
            if (order == 0) return mid;
            if (order < 0) low = mid + 1;
            else high = mid - 1;
        }
        return ~low;
    }

    /// <summary>Enumerates the paths in order without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<StorePath> IEnumerable<StorePath>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>An enumerator over the paths in order.</summary>
    public struct Enumerator : IEnumerator<StorePath>
    {
        private readonly StorePathSet _set;
        private int _index;

        internal Enumerator(StorePathSet set)
        {
            _set = set;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly StorePath Current => _set._items[_index];

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
