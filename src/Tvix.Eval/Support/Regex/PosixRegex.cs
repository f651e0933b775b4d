using System.Text;

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
/// <para>
/// A pattern's first <see cref="ExactMatcherUses"/> matches and splits run on that matcher
/// alone, and .NET's regular expressions are made only when a pattern is used more: most
/// patterns of an evaluation are used a few times, and making .NET's (parsing, its search
/// optimisations, code the ReadyToRun image lacks) cost more than those uses. The matcher is
/// checked against C++ Nix's results (PosixRegexDifferentialTests), so the tiers agree.
/// </para>
/// </remarks>
internal sealed class PosixRegex
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    /// <summary>
    /// After this many uses a pattern is recompiled to IL (<c>RegexOptions.Compiled</c>):
    /// that costs 3-4 ms of emitting and JIT-compiling (measured on nixpkgs' hello, whose
    /// <c>mirror://</c> pattern is used 64-127 times), while an interpreted match of a short
    /// subject takes about a microsecond, so it only pays off for patterns Nix code calls in
    /// loops thousands of times.
    /// </summary>
    internal const int CompileAfterUses = 1024;

    /// <summary>
    /// Uses of each kind (match, split) that run on <see cref="PosixBacktrackingMatcher"/> before
    /// .NET's regular expression is made. Instantiating nixpkgs' hello matches 4 patterns 118
    /// times, 102 of them <c>mirror://([a-z]+)/(.*)</c>: with this many, it never loads .NET's
    /// regular expressions, whose first construction costs an assembly load and JIT compilation.
    /// </summary>
    internal const int ExactMatcherUses = 256;

    /// <summary>
    /// Longer subjects go to .NET's engine at once: the matcher tries every position of a split
    /// (.NET skips to where a match can start), which a split of a whole file would feel.
    /// </summary>
    internal const int ExactMatcherMaxSubject = 1024;

    // .NET's engine for the pattern, made on the first use beyond ExactMatcherUses of a kind. A
    // class of its own: a field of .NET's Regex type here would load its assembly with this class.
    private NetRegexTier? _net;
    private readonly string _translated;
    private readonly TimeSpan _timeout;
    private readonly int _exactMatcherUses;
    private readonly string _ere;
    private readonly bool _hasAlternation;
    private readonly string _display;
    private PosixBacktrackingMatcher? _matcher;
    private int _wholeUses;
    private int _searchUses;

    private PosixRegex(string translated, TimeSpan timeout, int exactMatcherUses, string ere, bool hasAlternation, int groupCount, string display)
    {
        _translated = translated;
        _timeout = timeout;
        _exactMatcherUses = exactMatcherUses;
        _ere = ere;
        _hasAlternation = hasAlternation;
        GroupCount = groupCount;
        _display = display;
    }

    /// <summary>Number of parenthesised groups in the pattern.</summary>
    public int GroupCount { get; }

    /// <summary>Compiles <paramref name="pattern"/> (bytes of a Nix string).</summary>
    /// <param name="pattern">The pattern's bytes.</param>
    /// <param name="matchTimeout">How long one match may take.</param>
    /// <param name="exactMatcherUses">Uses of each kind on the exact matcher before .NET's engine (tests set 0 to check .NET's tier).</param>
    /// <exception cref="PosixRegexException">Not a valid ERE: "invalid regular expression '…'".</exception>
    public static PosixRegex Compile(ReadOnlySpan<byte> pattern, TimeSpan matchTimeout, int exactMatcherUses = ExactMatcherUses)
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
        return new PosixRegex(translated, matchTimeout, exactMatcherUses, ere, hasAlternation, groups, display);
    }

    private PosixBacktrackingMatcher Matcher => _matcher ??= new PosixBacktrackingMatcher(_ere, GroupCount);

    private NetRegexTier Net => _net ??= new NetRegexTier(_translated, _timeout, _display, Matcher, _hasAlternation, GroupCount);

    /// <summary>The matcher's own errors (time limit, recursion depth) do not know the pattern: this names it.</summary>
    private PosixRegexException Named(PosixRegexException e) =>
        new(_display, e.Message.Replace("regular expression", $"regular expression '{_display}'", StringComparison.Ordinal));

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
        var uses = ++_wholeUses;
        if (uses <= _exactMatcherUses && subject.Length <= ExactMatcherMaxSubject)
        {
            RegexCapture[]? captures;
            try
            {
                captures = Matcher.MatchWhole(subject, _timeout);
            }
            catch (PosixRegexException e) when (e.Pattern.Length == 0)
            {
                throw Named(e);
            }
            if (captures is null) return false;
            captures.CopyTo(groups);
            return true;
        }
        return Net.MatchWhole(subject, groups, uses);
    }

    /// <summary>
    /// All non-overlapping matches, left to right, as <c>std::regex_iterator</c> finds them (after
    /// an empty match, a non-empty one at the same place, else a search one byte on), added to
    /// <paramref name="matches"/>; the text after the last match starts at its
    /// <see cref="RegexSplitMatches.LastEnd"/> (0 when nothing matched).
    /// </summary>
    public void Split(ReadOnlySpan<byte> subject, RegexSplitMatches matches)
    {
        var uses = ++_searchUses;
        try
        {
            if (uses <= _exactMatcherUses && subject.Length <= ExactMatcherMaxSubject)
            {
                // Every position is tried (no search by .NET to skip to the next candidate).
                Matcher.Split(subject, _timeout, matches);
                return;
            }
            Net.Split(subject, matches, uses);
        }
        catch (PosixRegexException e) when (e.Pattern.Length == 0)
        {
            throw Named(e);
        }
    }
}
