using Tvix.Eval.Syntax;

namespace Tvix.Eval.Runtime;

/// <summary>
/// Source positions as 4-byte numbers, per evaluator. Every source text gets a range of numbers
/// (one per byte offset) the first time a position in it is recorded; attribute sets keep these
/// numbers for <c>unsafeGetAttrPos</c> and XML output, and only those two turn them back into a
/// file, line and column. A position is four bytes instead of a reference and an offset, which
/// matters because <c>//</c> copies the positions of every attribute it copies.
/// </summary>
internal sealed class PositionTable
{
    // Sources in the order their ranges were given out: _starts[i] is the number of offset 0 of
    // _sources[i], and the numbers of one source run up to its length.
    private SourceText[] _sources = new SourceText[16];
    private int[] _starts = new int[16];
    private int _count;
    private int _next = 1; // 0 is "no position"
    private readonly Dictionary<SourceText, int> _startOf = new(ReferenceEqualityComparer.Instance);
    // The source of the last lookup: a file's sets are compiled together.
    private SourceText? _last;
    private int _lastStart;

    /// <summary>The position of byte <paramref name="offset"/> of <paramref name="source"/>; unknown once the table is full (2 GiB of source).</summary>
    public AttrPos Get(SourceText source, int offset)
    {
        var start = ReferenceEquals(source, _last) ? _lastStart : StartOf(source);
        if (start == 0 || (uint)offset > (uint)source.Bytes.Length) return default;
        return new AttrPos(start + offset);
    }

    /// <summary>The source and byte offset of <paramref name="position"/>, or null for an unknown one.</summary>
    public (SourceText Source, int Offset)? Resolve(AttrPos position)
    {
        if (!position.IsKnown) return null;
        int lo = 0, hi = _count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (_starts[mid] <= position.Number) lo = mid; else hi = mid - 1;
        }
        return (_sources[lo], position.Number - _starts[lo]);
    }

    private int StartOf(SourceText source)
    {
        if (_startOf.TryGetValue(source, out var known))
        {
            _last = source;
            return _lastStart = known;
        }
        if ((long)_next + source.Bytes.Length + 1 > int.MaxValue) return 0;
        if (_count == _sources.Length)
        {
            Array.Resize(ref _sources, _count * 2);
            Array.Resize(ref _starts, _count * 2);
        }
        var start = _next;
        _sources[_count] = source;
        _starts[_count++] = start;
        _startOf[source] = start;
        _next += source.Bytes.Length + 1;
        _last = source;
        return _lastStart = start;
    }
}
