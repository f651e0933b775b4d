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
/// Known difference: .NET picks the first alternative that matches (Perl semantics) where
/// POSIX picks the longest match at the leftmost position, so <c>split "a|ab" "abc"</c> finds
/// <c>a</c> here and <c>ab</c> in C++ Nix. For <c>match</c> the subject must be matched
/// entirely, which makes both agree on whether it matches.
/// </remarks>
internal sealed class PosixRegex
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    private readonly NetRegex _whole;
    private readonly NetRegex _search;
    private readonly string _display;

    private PosixRegex(NetRegex whole, NetRegex search, int groupCount, string display)
    {
        _whole = whole;
        _search = search;
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
        try
        {
            (translated, groups) = PosixRegexTranslator.Translate(ere);
        }
        catch (PosixRegexException)
        {
            throw new PosixRegexException(display);
        }
        const RegexOptions options = RegexOptions.CultureInvariant;
        try
        {
            var whole = new NetRegex(@"\A(?:" + translated + @")\z", options, matchTimeout);
            var search = new NetRegex(translated, options, matchTimeout);
            return new PosixRegex(whole, search, groups, display);
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
        var text = Latin1.GetString(subject);
        var m = Run(_whole, text, 0);
        return m.Success ? Captures(m) : null;
    }

    /// <summary>
    /// All non-overlapping matches, left to right, as <c>std::regex_iterator</c> finds them: an
    /// empty match is followed by a search one byte further on. The text after the last match is
    /// <c>[lastEnd, length)</c>, with <paramref name="lastEnd"/> 0 when nothing matched.
    /// </summary>
    public List<RegexSplitMatch> Split(ReadOnlySpan<byte> subject, out int lastEnd)
    {
        var text = Latin1.GetString(subject);
        var result = new List<RegexSplitMatch>();
        var prevEnd = 0;
        var searchFrom = 0;
        while (searchFrom <= text.Length)
        {
            var m = Run(_search, text, searchFrom);
            if (!m.Success) break;
            result.Add(new RegexSplitMatch(prevEnd, m.Index - prevEnd, Captures(m)));
            prevEnd = m.Index + m.Length;
            searchFrom = m.Length == 0 ? prevEnd + 1 : prevEnd;
        }
        lastEnd = prevEnd;
        return result;
    }

    private System.Text.RegularExpressions.Match Run(NetRegex regex, string text, int start)
    {
        try
        {
            return regex.Match(text, start);
        }
        catch (RegexMatchTimeoutException)
        {
            throw new PosixRegexException(_display, $"regular expression '{_display}' took longer than {regex.MatchTimeout.TotalSeconds:0.#} s to match");
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
