using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Tvix.NixCompat.Derivations;

/// <summary>
/// A derivation's outputs by name, in ordinal name order (the ATerm's order). A sorted pair of
/// arrays rather than a <see cref="SortedDictionary{TKey, TValue}"/>: a derivation has one to a
/// few outputs, enumerating a tree allocates a stack each time, and framework generics over
/// key/value pairs are compiled at run time in every process, where this class is precompiled.
/// </summary>
public sealed class DerivationOutputs : IEnumerable<KeyValuePair<string, DerivationOutput>>
{
    private string[] _names = new string[1];
    private DerivationOutput[] _outputs = new DerivationOutput[1];

    /// <summary>Number of outputs.</summary>
    public int Count { get; private set; }

    /// <summary>Removes every output, keeping the arrays for reuse.</summary>
    internal void Clear()
    {
        Array.Clear(_names, 0, Count);
        Array.Clear(_outputs, 0, Count);
        Count = 0;
    }

    /// <summary>The output named <paramref name="name"/>; setting adds or replaces it.</summary>
    /// <exception cref="KeyNotFoundException">Getting an output that does not exist.</exception>
    public DerivationOutput this[string name]
    {
        get => TryGetValue(name, out var output) ? output : throw new KeyNotFoundException($"the derivation has no output '{name}'");
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            var index = Find(name);
            if (index >= 0) _outputs[index] = value;
            else Insert(~index, name, value);
        }
    }

    /// <summary>The output names, in order (a copy).</summary>
    public IReadOnlyList<string> Keys => _names.AsSpan(0, Count).ToArray();

    /// <summary>The outputs, in name order (a copy).</summary>
    public IReadOnlyList<DerivationOutput> Values => _outputs.AsSpan(0, Count).ToArray();

    /// <summary>The output named <paramref name="name"/>, if there is one.</summary>
    public bool TryGetValue(string name, [MaybeNullWhen(false)] out DerivationOutput output)
    {
        var index = Find(name);
        output = index >= 0 ? _outputs[index] : null;
        return index >= 0;
    }

    /// <summary>Whether there is an output named <paramref name="name"/>.</summary>
    public bool ContainsKey(string name) => Find(name) >= 0;

    /// <summary>Adds an output; false (and nothing changed) when the name is taken.</summary>
    public bool TryAdd(string name, DerivationOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var index = Find(name);
        if (index >= 0) return false;
        Insert(~index, name, output);
        return true;
    }

    /// <summary>Adds an output.</summary>
    /// <exception cref="ArgumentException">The name is taken.</exception>
    public void Add(string name, DerivationOutput output)
    {
        if (!TryAdd(name, output)) throw new ArgumentException($"the derivation already has an output '{name}'", nameof(name));
    }

    /// <summary>Removes an output; false when there was none of that name.</summary>
    public bool Remove(string name)
    {
        var index = Find(name);
        if (index < 0) return false;
        Count--;
        Array.Copy(_names, index + 1, _names, index, Count - index);
        Array.Copy(_outputs, index + 1, _outputs, index, Count - index);
        _names[Count] = null!;
        _outputs[Count] = null!;
        return true;
    }

    /// <summary>The name of the output at <paramref name="index"/> in order.</summary>
    internal string NameAt(int index) => _names[index];

    /// <summary>The output at <paramref name="index"/> in order.</summary>
    internal DerivationOutput OutputAt(int index) => _outputs[index];

    /// <summary>Replaces the output at <paramref name="index"/> (no search).</summary>
    internal void SetAt(int index, DerivationOutput output) => _outputs[index] = output;

    /// <summary>Index of <paramref name="name"/>, or the complement of where it would go.</summary>
    internal int Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int low = 0, high = Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >> 1;
            var order = string.CompareOrdinal(_names[mid], name);
            if (order == 0) return mid;
            if (order < 0) low = mid + 1;
            else high = mid - 1;
        }
        return ~low;
    }

    private void Insert(int index, string name, DerivationOutput output)
    {
        if (Count == _names.Length)
        {
            Array.Resize(ref _names, Count * 2);
            Array.Resize(ref _outputs, Count * 2);
        }
        Array.Copy(_names, index, _names, index + 1, Count - index);
        Array.Copy(_outputs, index, _outputs, index + 1, Count - index);
        _names[index] = name;
        _outputs[index] = output;
        Count++;
    }

    /// <summary>Enumerates the outputs in name order without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, DerivationOutput>> IEnumerable<KeyValuePair<string, DerivationOutput>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>An enumerator over the outputs in name order.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, DerivationOutput>>
    {
        private readonly DerivationOutputs _outputs;
        private int _index;

        internal Enumerator(DerivationOutputs outputs)
        {
            _outputs = outputs;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly KeyValuePair<string, DerivationOutput> Current => new(_outputs._names[_index], _outputs._outputs[_index]);

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _outputs.Count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}
