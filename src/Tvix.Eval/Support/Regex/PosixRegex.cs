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

/// <summary>One match found by <see cref="PosixRegex.Split"/>: the bytes before it, and its groups.</summary>
internal readonly record struct RegexSplitMatch(int PrefixStart, int PrefixLength, RegexCapture[] Groups);

/// <summary>
/// A compiled POSIX extended regular expression with Nix's two uses: <c>builtins.match</c>
/// (the whole subject must match) and <c>builtins.split</c> (all non-overlapping matches).
/// Subjects are byte strings (see <see cref="PosixRegexTranslator"/> for the Latin-1 mapping).
/// </summary>
/// <remarks>
/// <para>How C++ Nix matches (libstdc++'s depth-first executor in POSIX mode): at an
/// alternation it tries every branch and keeps the longest match; at a greedy repetition it
/// tries one more round first and stops at the first success. For <c>match</c> only complete
/// matches count, so the first one found wins, which is exactly what .NET's backtracking finds.
/// For <c>split</c> (a search) the longest-branch rule matters: <c>split "a|ab" "abc"</c> finds
/// <c>ab</c>. We reproduce it for alternatives at the top level of the pattern by running each
/// one anchored at the match position and keeping the longest (the first on a tie).</para>
/// <para>Known difference: alternatives nested inside a group (<c>(a|ab)c</c>) still follow
/// .NET's first-branch rule in <c>split</c>.</para>
/// </remarks>
internal sealed class PosixRegex
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    /// <summary>
    /// After this many uses a pattern is recompiled to IL (<see cref="RegexOptions.Compiled"/>):
    /// that costs about a millisecond, which only pays off for the patterns Nix code calls in
    /// loops, and most patterns are used a few times.
    /// </summary>
    private const int CompileAfterUses = 64;

    private const RegexOptions Options = RegexOptions.CultureInvariant;

    private NetRegex _whole;
    private NetRegex _search;
    private readonly NetRegex[]? _alternatives;
    private readonly string _display;
    private int _wholeUses;
    private int _searchUses;

    private PosixRegex(NetRegex whole, NetRegex search, NetRegex[]? alternatives, int groupCount, string display)
    {
        _whole = whole;
        _search = search;
        _alternatives = alternatives;
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
        string[]? alternatives;
        try
        {
            (translated, groups, alternatives) = PosixRegexTranslator.Translate(ere);
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
            NetRegex[]? anchoredAlternatives = null;
            if (alternatives != null)
            {
                // Alternative i anchored at the match position; the others stay in the pattern
                // behind (?!) so that they never match but the group numbers do not move.
                anchoredAlternatives = new NetRegex[alternatives.Length];
                for (var i = 0; i < alternatives.Length; i++)
                {
                    var sb = new StringBuilder(@"\G(?:");
                    for (var j = 0; j < alternatives.Length; j++)
                    {
                        if (j > 0) sb.Append('|');
                        if (j != i) sb.Append("(?!)");
                        sb.Append(alternatives[j]);
                    }
                    anchoredAlternatives[i] = new NetRegex(sb.Append(')').ToString(), options, matchTimeout);
                }
            }
            return new PosixRegex(whole, search, anchoredAlternatives, groups, display);
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
        if (++_wholeUses == CompileAfterUses) _whole = Recompile(_whole);
        if (GroupCount == 0)
        {
            // Without groups only success matters: match the span, no string needed.
            char[]? rented = null;
            var chars = subject.Length <= 256 ? stackalloc char[subject.Length] : (rented = System.Buffers.ArrayPool<char>.Shared.Rent(subject.Length)).AsSpan(0, subject.Length);
            try
            {
                Latin1.GetChars(subject, chars);
                return IsMatch(_whole, chars) ? [] : null;
            }
            finally
            {
                if (rented != null) System.Buffers.ArrayPool<char>.Shared.Return(rented);
            }
        }
        var text = Latin1.GetString(subject);
        var m = Run(_whole, text, 0);
        return m.Success ? Captures(m) : null;
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
        new(_display, $"regular expression '{_display}' took longer than {regex.MatchTimeout.TotalSeconds:0.#} s to match");

    /// <summary>
    /// All non-overlapping matches, left to right, as <c>std::regex_iterator</c> finds them: an
    /// empty match is followed by a search one byte further on. The text after the last match is
    /// <c>[lastEnd, length)</c>, with <paramref name="lastEnd"/> 0 when nothing matched.
    /// </summary>
    public List<RegexSplitMatch> Split(ReadOnlySpan<byte> subject, out int lastEnd)
    {
        if (++_searchUses == CompileAfterUses) _search = Recompile(_search);
        var text = Latin1.GetString(subject);
        var result = new List<RegexSplitMatch>();
        var prevEnd = 0;
        var searchFrom = 0;
        while (searchFrom <= text.Length)
        {
            var m = Run(_search, text, searchFrom);
            if (!m.Success) break;
            if (_alternatives != null) m = LongestAlternative(text, m);
            result.Add(new RegexSplitMatch(prevEnd, m.Index - prevEnd, Captures(m)));
            prevEnd = m.Index + m.Length;
            searchFrom = m.Length == 0 ? prevEnd + 1 : prevEnd;
        }
        lastEnd = prevEnd;
        return result;
    }

    /// <summary>At the position of <paramref name="first"/>, the longest match of any top-level alternative.</summary>
    private System.Text.RegularExpressions.Match LongestAlternative(string text, System.Text.RegularExpressions.Match first)
    {
        var best = first;
        foreach (var alternative in _alternatives!)
        {
            var m = Run(alternative, text, first.Index);
            if (m.Success && m.Length > best.Length) best = m;
        }
        // On a tie the first alternative in the pattern wins; .NET's own match is the earliest
        // alternative that matches, so only strictly longer ones replace it.
        return best;
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

    private RegexCapture[] Captures(System.Text.RegularExpressions.Match m)
    {
        if (GroupCount == 0) return [];
        var groups = new RegexCapture[GroupCount];
        for (var i = 0; i < groups.Length; i++)
        {
            var g = m.Groups[i + 1];
            groups[i] = g.Success ? new RegexCapture(g.Index, g.Length) : RegexCapture.None;
        }
        return groups;
    }
}
