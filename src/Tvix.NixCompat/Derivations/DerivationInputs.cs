using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Tvix.NixCompat.Derivations;

/// <summary>
/// A derivation's input derivations (<c>.drv</c> paths, in Nix's order) with the outputs used
/// from each. A sorted pair of arrays, like <see cref="DerivationOutputs"/>: a handful of
/// entries, enumerated several times per instantiation, without allocating.
/// </summary>
public sealed class DerivationInputs : IEnumerable<KeyValuePair<StorePath, OutputNameSet>>
{
    private StorePath[] _paths = [];
    private OutputNameSet[] _outputs = [];

    /// <summary>Number of input derivations.</summary>
    public int Count { get; private set; }

    // Emptied output sets this collection made (GetOrAdd), for the next inputs after a Clear.
    private OutputNameSet[] _spareSets = [];
    private int _spareSetCount;

    /// <summary>
    /// Removes every input, keeping the arrays for reuse, and the output sets made by
    /// <see cref="GetOrAdd"/> (emptied: a caller must not hold on to them across a clear).
    /// </summary>
    internal void Clear()
    {
        for (var i = 0; i < Count; i++)
        {
            var set = _outputs[i];
            if (!ReferenceEquals(set.Owner, this)) continue;
            set.Clear();
            if (_spareSetCount == _spareSets.Length) Array.Resize(ref _spareSets, Math.Max(4, _spareSetCount * 2));
            _spareSets[_spareSetCount++] = set;
        }
        Array.Clear(_paths, 0, Count);
        Array.Clear(_outputs, 0, Count);
        Count = 0;
    }

    /// <summary>The outputs used from <paramref name="path"/>.</summary>
    /// <exception cref="KeyNotFoundException"><paramref name="path"/> is not an input.</exception>
    public OutputNameSet this[StorePath path] =>
        TryGetValue(path, out var outputs) ? outputs : throw new KeyNotFoundException($"'{path}' is not an input derivation");

    /// <summary>The input derivation paths, in order (a copy).</summary>
    public IReadOnlyList<StorePath> Keys => _paths.AsSpan(0, Count).ToArray();

    /// <summary>The outputs used from <paramref name="path"/>, if it is an input.</summary>
    public bool TryGetValue(StorePath path, [MaybeNullWhen(false)] out OutputNameSet outputs)
    {
        var index = Find(path);
        outputs = index >= 0 ? _outputs[index] : null;
        return index >= 0;
    }

    /// <summary>Whether <paramref name="path"/> is an input.</summary>
    public bool ContainsKey(StorePath path) => Find(path) >= 0;

    /// <summary>Adds an input with its outputs; false (and nothing changed) when it is already one.</summary>
    public bool TryAdd(StorePath path, OutputNameSet outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var index = Find(path);
        if (index >= 0) return false;
        Insert(~index, path, outputs);
        return true;
    }

    /// <summary>Adds an input with its outputs.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is already an input.</exception>
    public void Add(StorePath path, OutputNameSet outputs)
    {
        if (!TryAdd(path, outputs)) throw new ArgumentException($"'{path}' is already an input derivation", nameof(path));
    }

    /// <summary>The output set of <paramref name="path"/>, added empty when it is not an input yet.</summary>
    internal OutputNameSet GetOrAdd(StorePath path)
    {
        var index = Find(path);
        if (index >= 0) return _outputs[index];
        OutputNameSet outputs;
        if (_spareSetCount > 0)
        {
            outputs = _spareSets[--_spareSetCount];
            _spareSets[_spareSetCount] = null!;
        }
        else outputs = new OutputNameSet { Owner = this };
        Insert(~index, path, outputs);
        return outputs;
    }

    /// <summary>The input path at <paramref name="index"/> in order.</summary>
    internal StorePath PathAt(int index) => _paths[index];

    /// <summary>The outputs used from the input at <paramref name="index"/>.</summary>
    internal OutputNameSet OutputsAt(int index) => _outputs[index];

    private int Find(StorePath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        int low = 0, high = Count - 1;
        while (low <= high)
        {
            var mid = (low + high) >> 1;
            var order = string.CompareOrdinal(_paths[mid].BaseName, path.BaseName);
            if (order == 0) return mid;
            if (order < 0) low = mid + 1;
            else high = mid - 1;
        }
        return ~low;
    }

    private void Insert(int index, StorePath path, OutputNameSet outputs)
    {
        if (Count == _paths.Length)
        {
            var capacity = Math.Max(4, Count * 2);
            Array.Resize(ref _paths, capacity);
            Array.Resize(ref _outputs, capacity);
        }
        Array.Copy(_paths, index, _paths, index + 1, Count - index);
        Array.Copy(_outputs, index, _outputs, index + 1, Count - index);
        _paths[index] = path;
        _outputs[index] = outputs;
        Count++;
    }

    /// <summary>Enumerates the inputs in order without allocating.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<StorePath, OutputNameSet>> IEnumerable<KeyValuePair<StorePath, OutputNameSet>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>An enumerator over the inputs in order.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<StorePath, OutputNameSet>>
    {
        private readonly DerivationInputs _inputs;
        private int _index;

        internal Enumerator(DerivationInputs inputs)
        {
            _inputs = inputs;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly KeyValuePair<StorePath, OutputNameSet> Current => new(_inputs._paths[_index], _inputs._outputs[_index]);

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _inputs.Count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}
