using System.Text;
using NetRegex = System.Text.RegularExpressions.Regex;
using RegexMatchTimeoutException = System.Text.RegularExpressions.RegexMatchTimeoutException;
using RegexOptions = System.Text.RegularExpressions.RegexOptions;

namespace Tvix.Eval.Support.Regex;

/// <summary>A capture: byte offset and length in the subject, or <see cref="Start"/> = -1 when the group did not take part.</summary>
internal readonly record struct RegexCapture(int Start, int Length)
{
    public static readonly RegexCapture None = new(-1, 0);

    public bool Matched => Start >= 0;
}


/// <summary>
/// A compiled POSIX extended regular expression with Nix's two uses: <c>builtins.match</c>
/// (the whole subject must match) and <c>builtins.split</c> (all non-overlapping matches).
/// Subjects are byte strings (see <see cref="PosixRegexTranslator"/> for the Latin-1 mapping).
/// </summary>
/// <remarks>
/// How C++ Nix matches (libstdc++'s depth-first executor in POSIX mode): at an alternation it
/// tries every branch and keeps the longest match; at a greedy repetition it tries one more
/// round first and stops at the first success. For <c>match</c> only complete matches count,
/// so the first one found wins, which is what .NET's backtracking finds too: <c>match</c> runs
/// on .NET's engine (compiled to IL when hot). For <c>split</c> the longest-branch rule changes
/// results (<c>split "a|ab" "abc"</c> finds <c>ab</c>), so .NET only finds where the next match
/// starts and <see cref="PosixBacktrackingMatcher"/>, which follows libstdc++ exactly, decides
/// its end and groups there.
/// </remarks>
internal sealed class PosixRegex
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    /// <summary>
    /// After this many uses a pattern is recompiled to IL (<see cref="RegexOptions.Compiled"/>):
    /// that costs 3-4 ms of emitting and JIT-compiling (measured on nixpkgs' hello, whose
    /// <c>mirror://</c> pattern is used 64-127 times), while an interpreted match of a short
    /// subject takes about a microsecond, so it only pays off for patterns Nix code calls in
    /// loops thousands of times.
    /// </summary>
    internal const int CompileAfterUses = 1024;

    private const RegexOptions Options = RegexOptions.CultureInvariant;

    private NetRegex _whole;
    private NetRegex _search;
    private readonly string _ere;
    private readonly bool _hasAlternation;
    private readonly string _display;
    private PosixBacktrackingMatcher? _matcher;
    private int _wholeUses;
    private int _searchUses;

    private PosixRegex(NetRegex whole, NetRegex search, string ere, bool hasAlternation, int groupCount, string display)
    {
        _whole = whole;
        _search = search;
        _ere = ere;
        _hasAlternation = hasAlternation;
        GroupCount = groupCount;
        _display = display;
    }

    /// <summary>Number of parenthesised groups in the pattern.</summary>
    public int GroupCount { get; }

    /// <summary>Compiles <paramref name="pattern"/> (bytes of a Nix string).</summary>
    /// <exception cref="PosixRegexException">Not a valid ERE: "invalid regular expression '…'".</exception>
    public static PosixRegex Compile(ReadOnlySpan<byte> pattern, TimeSpan matchTimeout)
    {
        var ere = Latin1.GetString(pattern);
        var display = Encoding.UTF8.GetString(pattern);
        string translated;
        int groups;
        bool hasAlternation;
        try
        {
            (translated, groups, hasAlternation) = PosixRegexTranslator.Translate(ere);
        }
        catch (PosixRegexException e)
        {
            throw e.IsTooLarge ? PosixRegexException.TooLarge(display) : new PosixRegexException(display);
        }
        const RegexOptions options = Options;
        try
        {
            var whole = new NetRegex(@"\A(?:" + translated + @")\z", options, matchTimeout);
            var search = new NetRegex(translated, options, matchTimeout);
            return new PosixRegex(whole, search, ere, hasAlternation, groups, display);
        }
        catch (ArgumentException)
        {
            throw new PosixRegexException(display);
        }
    }

    /// <summary>
    /// Matches the whole subject; returns null when it does not match, else one capture per
    /// group (groups that did not take part are <see cref="RegexCapture.None"/>).
    /// </summary>
    public RegexCapture[]? MatchWhole(ReadOnlySpan<byte> subject)
    {
        var groups = new RegexCapture[GroupCount];
        return MatchWhole(subject, groups) ? groups : null;
    }

    /// <summary>
    /// Matches the whole subject; on success <paramref name="groups"/> (<see cref="GroupCount"/>
    /// long) gets one capture per group (<see cref="RegexCapture.None"/> for groups that did not
    /// take part).
    /// </summary>
    public bool MatchWhole(ReadOnlySpan<byte> subject, Span<RegexCapture> groups)
    {
        if (++_wholeUses == CompileAfterUses) _whole = Recompile(_whole);
        if (GroupCount == 0)
        {
            // Without groups only success matters: match the span, no string needed.
            char[]? rented = null;
            var chars = subject.Length <= 256 ? stackalloc char[subject.Length] : (rented = System.Buffers.ArrayPool<char>.Shared.Rent(subject.Length)).AsSpan(0, subject.Length);
            try
            {
                Latin1.GetChars(subject, chars);
                return IsMatch(_whole, chars);
            }
            finally
            {
                if (rented != null) System.Buffers.ArrayPool<char>.Shared.Return(rented);
            }
        }
        var text = Latin1.GetString(subject);
        var m = Run(_whole, text, 0);
        if (!m.Success) return false;
        for (var i = 0; i < groups.Length; i++) groups[i] = MatchCaptures.Get(m, i + 1);
        return true;
    }

    private static NetRegex Recompile(NetRegex regex) =>
        new(regex.ToString(), Options | RegexOptions.Compiled, regex.MatchTimeout);

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
    /// All non-overlapping matches, left to right, as <c>std::regex_iterator</c> finds them (after
    /// an empty match, a non-empty one at the same place, else a search one byte on), added to
    /// <paramref name="matches"/>; the text after the last match starts at its
    /// <see cref="RegexSplitMatches.LastEnd"/> (0 when nothing matched).
    /// </summary>
    public void Split(ReadOnlySpan<byte> subject, RegexSplitMatches matches)
    {
        if (++_searchUses == CompileAfterUses) _search = Recompile(_search);
        var text = Latin1.GetString(subject);
        var search = _search;
        _matcher ??= new PosixBacktrackingMatcher(_ere, GroupCount);
        try
        {
            if (!_hasAlternation)
            {
                SplitWithoutAlternation(subject, text, search, matches);
                return;
            }
            // .NET finds where a match can start (any path matching there means libstdc++
            // matches there too); the libstdc++-exact matcher runs only at those positions.
            _matcher.Split(subject, search.MatchTimeout, matches, from => FindStart(search, text, from));
        }
        catch (PosixRegexException e) when (e.Pattern.Length == 0)
        {
            // The matcher's own errors (time limit, recursion depth) do not know the pattern.
            throw new PosixRegexException(_display, e.Message.Replace("regular expression", $"regular expression '{_display}'", StringComparison.Ordinal));
        }
    }

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
                if (_matcher!.MatchAt(subject, from, notNull: true, prevAvail, search.MatchTimeout) is { } again)
                {
                    (start, end) = (again.Start, again.End);
                    matches.Add(prefixFirst, start - prefixFirst);
                    for (var g = 0; g < GroupCount; g++)
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
        if (GroupCount == 0)
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
        for (var g = 0; g < GroupCount; g++)
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
