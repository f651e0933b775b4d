using System.Collections;

namespace Tvix.NixCompat.Derivations;

/// <summary>
/// The builder's arguments, in order. This package's own list rather than a
/// <see cref="List{T}"/> of <see cref="ByteString"/>: framework generics over a struct from
/// another assembly are JIT-compiled in every process that makes a derivation.
/// </summary>
public sealed class DerivationArguments : IReadOnlyList<ByteString>
{
    private ByteString[] _items = new ByteString[4];

    /// <summary>Number of arguments.</summary>
    public int Count { get; private set; }

    /// <summary>Removes every argument, keeping the array for reuse.</summary>
    internal void Clear()
    {
        Array.Clear(_items, 0, Count);
        Count = 0;
    }

    /// <summary>The argument at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Count"/>.</exception>
    public ByteString this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return _items[index];
        }
    }

    /// <summary>Appends an argument.</summary>
    public void Add(ByteString argument)
    {
        if (Count == _items.Length) _items = DerivationEnvironment.Grow(_items, Count * 2);
        _items[Count++] = argument;
    }

    /// <summary>Enumerates the arguments without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<ByteString> IEnumerable<ByteString>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>An enumerator over the arguments in order.</summary>
    public struct Enumerator : IEnumerator<ByteString>
    {
        private readonly DerivationArguments _list;
        private int _index;

        internal Enumerator(DerivationArguments list)
        {
            _list = list;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly ByteString Current => _list._items[_index];

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _list.Count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}
