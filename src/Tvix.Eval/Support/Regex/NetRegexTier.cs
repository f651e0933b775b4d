using System.Text;
using NetRegex = System.Text.RegularExpressions.Regex;
using RegexMatchTimeoutException = System.Text.RegularExpressions.RegexMatchTimeoutException;
using RegexOptions = System.Text.RegularExpressions.RegexOptions;

namespace Tvix.Eval.Support.Regex;

/// <summary>
/// A pattern on .NET's engine, for its uses beyond <see cref="PosixRegex.ExactMatcherUses"/>
/// (see <see cref="PosixRegex"/>): interpreted, and compiled to IL from
/// <see cref="PosixRegex.CompileAfterUses"/> uses on. Every use of System.Text.RegularExpressions
/// is in this class, so that the assembly is loaded only when a pattern gets here.
/// </summary>
internal sealed class NetRegexTier(string translated, TimeSpan timeout, string display, PosixBacktrackingMatcher matcher, bool hasAlternation, int groupCount)
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    private const RegexOptions Options = RegexOptions.CultureInvariant;

    private readonly string _translated = translated;
    private readonly TimeSpan _timeout = timeout;
    private readonly string _display = display;
    private readonly PosixBacktrackingMatcher _matcher = matcher;
    private readonly bool _hasAlternation = hasAlternation;
    private NetRegex? _whole;
    private NetRegex? _search;

    private readonly int _groupCount = groupCount;

    /// <summary><see cref="PosixRegex.MatchWhole(ReadOnlySpan{byte}, Span{RegexCapture})"/> on .NET's engine, at its <paramref name="uses"/>-th use.</summary>
    public bool MatchWhole(ReadOnlySpan<byte> subject, Span<RegexCapture> groups, int uses)
    {
        var whole = uses == PosixRegex.CompileAfterUses ? _whole = MakeNet(WholePattern, Options | RegexOptions.Compiled) : _whole ??= MakeNet(WholePattern, Options);
        if (_groupCount == 0)
        {
            // Without groups only success matters: match the span, no string needed.
            char[]? rented = null;
            var chars = subject.Length <= 256 ? stackalloc char[subject.Length] : (rented = System.Buffers.ArrayPool<char>.Shared.Rent(subject.Length)).AsSpan(0, subject.Length);
            try
            {
                Latin1.GetChars(subject, chars);
                return IsMatch(whole, chars);
            }
            finally
            {
                if (rented != null) System.Buffers.ArrayPool<char>.Shared.Return(rented);
            }
        }
        var text = Latin1.GetString(subject);
        var m = Run(whole, text, 0);
        if (!m.Success) return false;
        for (var i = 0; i < groups.Length; i++) groups[i] = MatchCaptures.Get(m, i + 1);
        return true;
    }

    /// <summary><see cref="PosixRegex.Split"/> on .NET's engine, at its <paramref name="uses"/>-th use.</summary>
    public void Split(ReadOnlySpan<byte> subject, RegexSplitMatches matches, int uses)
    {
        var search = uses == PosixRegex.CompileAfterUses ? _search = MakeNet(_translated, Options | RegexOptions.Compiled) : _search ??= MakeNet(_translated, Options);
        var text = Latin1.GetString(subject);
        if (!_hasAlternation)
        {
            SplitWithoutAlternation(subject, text, search, matches);
            return;
        }
        // .NET finds where a match can start (any path matching there means libstdc++
        // matches there too); the libstdc++-exact matcher runs only at those positions.
        _matcher.Split(subject, search.MatchTimeout, matches, from => FindStart(search, text, from));
    }

    /// <summary>.NET's regular expression for <paramref name="pattern"/> (the translation, anchored or not).</summary>
    private NetRegex MakeNet(string pattern, RegexOptions options)
    {
        try
        {
            return new NetRegex(pattern, options, _timeout);
        }
        catch (ArgumentException)
        {
            // The translator only writes what .NET accepts; kept as Nix's error all the same.
            throw new PosixRegexException(_display);
        }
    }

    private string WholePattern => @"\A(?:" + _translated + @")\z";

    private bool IsMatch(NetRegex regex, ReadOnlySpan<char> text)
    {
        try
        {
            return regex.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            throw TimedOut(regex);
        }
    }

    private PosixRegexException TimedOut(NetRegex regex) =>
        new(_display, $"regular expression '{_display}' took too long to match (limit {regex.MatchTimeout.TotalSeconds:0.#} s)");

    /// <summary>
    /// Without '|' the only choices are greedy repeats, and libstdc++'s first solution is the
    /// one .NET's backtracking finds: .NET's matches are used as they are. Only the retry after
    /// an empty match (a non-empty match at the same place) needs the exact matcher.
    /// </summary>
    private void SplitWithoutAlternation(ReadOnlySpan<byte> subject, string text, NetRegex search, RegexSplitMatches matches)
    {
        var prefixFirst = 0;
        var prevAvail = false;
        var found = AddNetMatch(search, text, 0, prefixFirst, matches, out var start, out var end);
        while (found)
        {
            prefixFirst = end;
            var from = end;
            if (start == end)
            {
                if (from == subject.Length) break;
                if (_matcher.MatchAt(subject, from, notNull: true, prevAvail, search.MatchTimeout) is { } again)
                {
                    (start, end) = (again.Start, again.End);
                    matches.Add(prefixFirst, start - prefixFirst);
                    for (var g = 0; g < _groupCount; g++)
                    {
                        var c = again.Groups[g];
                        if (c.Matched) matches.SetGroup(g, c.Start, c.Start + c.Length);
                    }
                    continue;
                }
                from++;
            }
            prevAvail = true;
            found = AddNetMatch(search, text, from, prefixFirst, matches, out start, out end);
        }
        matches.LastEnd = prefixFirst;
    }

    /// <summary>Adds .NET's first match at or after <paramref name="from"/> (with the text since <paramref name="prefixFirst"/>), if any.</summary>
    private bool AddNetMatch(NetRegex search, string text, int from, int prefixFirst, RegexSplitMatches matches, out int start, out int end)
    {
        if (_groupCount == 0)
        {
            // Without groups only the extent matters, which .NET finds without allocating.
            if (!FirstMatch(search, text, from, out start, out end)) return false;
            matches.Add(prefixFirst, start - prefixFirst);
            return true;
        }
        var m = Run(search, text, from);
        start = m.Index;
        end = m.Index + m.Length;
        if (!m.Success) return false;
        matches.Add(prefixFirst, start - prefixFirst);
        for (var g = 0; g < _groupCount; g++)
        {
            var group = MatchCaptures.Get(m, g + 1);
            if (group.Matched) matches.SetGroup(g, group.Start, group.Start + group.Length);
        }
        return true;
    }

    /// <summary>Where the first match at or after <paramref name="from"/> starts, or -1.</summary>
    private int FindStart(NetRegex regex, string text, int from) =>
        FirstMatch(regex, text, from, out var start, out _) ? start : -1;

    /// <summary>The first match at or after <paramref name="from"/> (anchors see the whole text), without allocating.</summary>
    private bool FirstMatch(NetRegex regex, string text, int from, out int start, out int end)
    {
        try
        {
            foreach (var m in regex.EnumerateMatches(text.AsSpan(), from))
            {
                start = m.Index;
                end = m.Index + m.Length;
                return true;
            }
        }
        catch (RegexMatchTimeoutException)
        {
            throw TimedOut(regex);
        }
        start = end = -1;
        return false;
    }

    private System.Text.RegularExpressions.Match Run(NetRegex regex, string text, int start)
    {
        try
        {
            return regex.Match(text, start);
        }
        catch (RegexMatchTimeoutException)
        {
            throw TimedOut(regex);
        }
    }
}
