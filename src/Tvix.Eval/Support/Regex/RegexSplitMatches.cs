using System.Buffers;

namespace Tvix.Eval.Support.Regex;

/// <summary>
/// The matches <c>split</c> found, in one flat array from the pool instead of an object per
/// match: per match the prefix (the text since the previous match) and every group as
/// (start, length), start -1 for a group that took no part. Dispose it to return the array.
/// </summary>
internal sealed class RegexSplitMatches : IDisposable
{
    private readonly int _stride;
    private int[] _data;
    private int _length;

    public RegexSplitMatches(int groupCount)
    {
        GroupCount = groupCount;
        _stride = 2 + 2 * groupCount;
        _data = ArrayPool<int>.Shared.Rent(_stride * 8);
    }

    /// <summary>Number of groups per match.</summary>
    public int GroupCount { get; }

    /// <summary>Number of matches.</summary>
    public int Count => _length / _stride;

    /// <summary>Where the text after the last match starts (0 when nothing matched).</summary>
    public int LastEnd { get; set; }

    public int PrefixStart(int match) => _data[match * _stride];

    public int PrefixLength(int match) => _data[match * _stride + 1];

    /// <summary>Group <paramref name="group"/> (0-based, not counting the whole match) of a match.</summary>
    public RegexCapture Group(int match, int group)
    {
        var at = match * _stride + 2 + 2 * group;
        var start = _data[at];
        return start >= 0 ? new RegexCapture(start, _data[at + 1]) : RegexCapture.None;
    }

    /// <summary>Adds a match whose groups follow with <see cref="SetGroup"/>.</summary>
    public void Add(int prefixStart, int prefixLength)
    {
        if (_length + _stride > _data.Length)
        {
            var next = ArrayPool<int>.Shared.Rent(_data.Length * 2);
            _data.AsSpan(0, _length).CopyTo(next);
            ArrayPool<int>.Shared.Return(_data);
            _data = next;
        }
        _data[_length] = prefixStart;
        _data[_length + 1] = prefixLength;
        // A loop, not Span.Fill (see PosixBacktrackingMatcher.Runner.Unset).
        for (var i = _length + 2; i < _length + _stride; i++) _data[i] = -1;
        _length += _stride;
    }

    /// <summary>Sets a group of the match added last (from (start, end) offsets; -1 for none).</summary>
    public void SetGroup(int group, int start, int end)
    {
        if (start < 0 || end < 0) return;
        var at = _length - _stride + 2 + 2 * group;
        _data[at] = start;
        _data[at + 1] = end - start;
    }

    public void Dispose()
    {
        var data = _data;
        _data = [];
        _length = 0;
        if (data.Length > 0) ArrayPool<int>.Shared.Return(data);
    }
}
