using System.Text;
using Tvix.Eval.Support.Regex;
using Xunit;

namespace Tvix.Eval.Tests.Support;

public sealed class PosixRegexTests
{
    private readonly PosixRegexCache _cache = new(TimeSpan.FromSeconds(5));

    // The patterns on .NET's engine from their first use (the builtins' first uses run on the
    // exact matcher, which Match and Split compare every result with).
    private readonly Dictionary<string, PosixRegex> _netTier = [];

    private PosixRegex NetTier(string pattern)
    {
        if (!_netTier.TryGetValue(pattern, out var regex))
            _netTier[pattern] = regex = PosixRegex.Compile(Encoding.UTF8.GetBytes(pattern), TimeSpan.FromSeconds(5), exactMatcherUses: 0);
        return regex;
    }

    /// <summary>Renders <c>builtins.match</c>'s result as Nix prints it.</summary>
    private string Match(string pattern, string subject)
    {
        var bytes = Encoding.UTF8.GetBytes(subject);
        var regex = NetTier(pattern);
        var groups = regex.MatchWhole(bytes);
        var result = groups == null ? "null" : Render(bytes, groups);
        // The libstdc++-style matcher must agree with the .NET translation on every case.
        var reference = new PosixBacktrackingMatcher(Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(pattern)), regex.GroupCount).MatchWhole(bytes, TimeSpan.FromSeconds(5));
        Assert.Equal(result, reference == null ? "null" : Render(bytes, reference));
        return result;
    }

    /// <summary>Renders <c>builtins.split</c>'s result as Nix prints it.</summary>
    private string Split(string pattern, string subject)
    {
        var bytes = Encoding.UTF8.GetBytes(subject);
        var regex = NetTier(pattern);
        var result = RenderSplit(bytes, regex, null);
        var matcher = new PosixBacktrackingMatcher(Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(pattern)), regex.GroupCount);
        Assert.Equal(result, RenderSplit(bytes, null, matcher));
        return result;
    }

    /// <summary>Splits with the .NET-backed regex or the libstdc++-style matcher (one of them is given) and renders the result.</summary>
    private static string RenderSplit(byte[] bytes, PosixRegex? regex, PosixBacktrackingMatcher? matcher)
    {
        using var matches = new RegexSplitMatches(regex?.GroupCount ?? matcher!.GroupCount);
        if (regex != null) regex.Split(bytes, matches);
        else matcher!.Split(bytes, TimeSpan.FromSeconds(5), matches);
        var sb = new StringBuilder("[ ");
        for (var m = 0; m < matches.Count; m++)
        {
            sb.Append(Quote(bytes.AsSpan(matches.PrefixStart(m), matches.PrefixLength(m)))).Append(' ');
            var groups = new RegexCapture[matches.GroupCount];
            for (var g = 0; g < groups.Length; g++) groups[g] = matches.Group(m, g);
            sb.Append(Render(bytes, groups)).Append(' ');
        }
        sb.Append(Quote(bytes.AsSpan(matches.LastEnd))).Append(" ]");
        return sb.ToString();
    }

    private static string Render(byte[] bytes, RegexCapture[] groups)
    {
        if (groups.Length == 0) return "[ ]";
        var sb = new StringBuilder("[ ");
        foreach (var g in groups) sb.Append(g.Matched ? Quote(bytes.AsSpan(g.Start, g.Length)) : "null").Append(' ');
        return sb.Append(']').ToString();
    }

    private static string Quote(ReadOnlySpan<byte> s) => "\"" + Encoding.UTF8.GetString(s) + "\"";

    [Theory]
    [InlineData("foobar", "foobar", "[ ]")]
    [InlineData("fo*", "f", "[ ]")]
    [InlineData("fo+", "f", "null")]
    [InlineData("fo{1,2}", "foo", "[ ]")]
    [InlineData("fo{1,2}", "fooo", "null")]
    [InlineData("fo*", "foobar", "null")]
    [InlineData("[[:space:]]+([^[:space:]]+)[[:space:]]+", "  foo   ", "[ \"foo\" ]")]
    [InlineData("[[:space:]]+([[:upper:]]+)[[:space:]]+", "  foo   ", "null")]
    [InlineData("(.*)\\.nix", "foobar.nix", "[ \"foobar\" ]")]
    [InlineData("((.*)/)?([^/]*)\\.(nix|cc)", "/path/to/foobar.nix", "[ \"/path/to/\" \"/path/to\" \"foobar\" \"nix\" ]")]
    [InlineData("((.*)/)?([^/]*)\\.(nix|cc)", "foobar.cc", "[ null null \"foobar\" \"cc\" ]")]
    [InlineData("(a)|(b)", "b", "[ null \"b\" ]")]
    [InlineData("a.c", "a\nc", "[ ]")] // '.' matches newline in POSIX
    [InlineData("a$", "a\n", "null")] // '$' is only the end of the subject
    [InlineData("[\\n]", "\\", "[ ]")] // a backslash is literal inside brackets
    [InlineData("[]a]+", "]a]", "[ ]")]
    [InlineData("[^]a]", "b", "[ ]")]
    [InlineData("[a-]+", "a-a", "[ ]")]
    [InlineData("a{2}", "aa", "[ ]")]
    [InlineData("a{2,}", "aaaa", "[ ]")]
    [InlineData("(ab)*?", "", "[ null ]")] // stacked quantifiers: (ab)*? is ((ab)*)?, not lazy
    [InlineData("(ab)*?", "abab", "[ \"ab\" ]")]
    [InlineData("[[:alpha:]]+", "é", "null")] // the C locale: non-ASCII bytes are in no class
    [InlineData("...", "é!", "[ ]")] // '.' is one byte: é is two
    [InlineData("[[:punct:]]+", "!/:@[`{~", "[ ]")]
    [InlineData("[[:xdigit:]]+", "09afAF", "[ ]")]
    [InlineData("[[:alnum:]_]+", "a_1", "[ ]")]
    [InlineData("#", "#", "[ ]")]
    [InlineData("a b", "a b", "[ ]")]
    [InlineData("x|", "", "[ ]")]
    [InlineData("()", "", "[ \"\" ]")]
    public void MatchIsAnchoredAtBothEnds(string pattern, string subject, string expected)
    {
        Assert.Equal(expected, Match(pattern, subject));
    }

    [Theory]
    [InlineData("foobar", "foobar", "[ \"\" [ ] \"\" ]")]
    [InlineData("fo+", "f", "[ \"f\" ]")]
    [InlineData("fo{1,2}", "fooo", "[ \"\" [ ] \"o\" ]")]
    [InlineData("(f)(o*)", "f", "[ \"\" [ \"f\" \"\" ] \"\" ]")]
    [InlineData("(o+)", "oooofoooo", "[ \"\" [ \"oooo\" ] \"f\" [ \"oooo\" ] \"\" ]")]
    [InlineData("(b)", "foobarbaz", "[ \"foo\" [ \"b\" ] \"ar\" [ \"b\" ] \"az\" ]")]
    [InlineData("(a)|(c)", "abc", "[ \"\" [ \"a\" null ] \"b\" [ null \"c\" ] \"\" ]")]
    [InlineData("([[:upper:]]+)", "  FOO   ", "[ \"  \" [ \"FOO\" ] \"   \" ]")]
    [InlineData("x*", "ab", "[ \"\" [ ] \"a\" [ ] \"b\" [ ] \"\" ]")]
    [InlineData("^a", "aaa", "[ \"\" [ ] \"aa\" ]")] // '^' matches only at the start of the subject
    public void SplitFindsAllMatches(string pattern, string subject, string expected)
    {
        Assert.Equal(expected, Split(pattern, subject));
    }

    [Fact]
    public void SplitOnSpaceOrPunctuation()
    {
        Assert.Equal(
            "[ \"Nix\" [ null ] \"Rocks\" [ \"!\" ] \"\" [ null ] \"That\" [ \"'\" ] \"s\" [ null ] \"why\" [ null ] \"I\" [ null ] \"use\" [ null ] \"it\" [ \".\" ] \"\" [ null ] \"\" ]",
            Split("[[:space:]]+|([',.!?])", "Nix Rocks!\nThat's why I use it.\n"));
    }

    [Theory]
    [InlineData("f(o*o")]
    [InlineData("a)")]
    [InlineData("*a")]
    [InlineData("a{2")]
    [InlineData("a{3,2}")]
    [InlineData("[a")]
    [InlineData("[[:nope:]]")]
    [InlineData("[z-a]")]
    [InlineData("a\\")]
    [InlineData("\\n")] // only special characters may be escaped
    [InlineData("\\}")]
    [InlineData("\\]")]
    [InlineData("\\1")] // no back-references in EREs
    [InlineData("a{,2}")]
    [InlineData("a{1,2,3}")]
    [InlineData("[]")]
    [InlineData("(")]
    [InlineData("a|*")]
    [InlineData("^*")]
    [InlineData("[[:alpha:]-z]")]
    [InlineData("[a-[.z.]]")]
    [InlineData("[[:word:]]")]    [InlineData("(|*)")]
    public void InvalidPatternsAreRejected(string pattern)
    {
        var e = Assert.Throws<PosixRegexException>(() => _cache.Get(Encoding.UTF8.GetBytes(pattern)));
        Assert.Equal($"invalid regular expression '{pattern}'", e.Message);
    }

    /// <summary>Results of C++ Nix (libstdc++'s std::regex::extended) on corner cases.</summary>
    [Theory]
    [InlineData("(ab)*?", "abab", "[ \"ab\" ]")]
    [InlineData("a**", "aaa", "[ ]")]
    [InlineData("()", "", "[ \"\" ]")]
    [InlineData("(a*)+", "b", "null")]
    [InlineData("(a*)*", "", "[ \"\" ]")]
    [InlineData("(a|b)*", "ab", "[ \"b\" ]")]
    [InlineData(".*", "a\nb", "[ ]")]
    [InlineData("(a|ab)(bc|c)", "abc", "[ \"a\" \"bc\" ]")]
    [InlineData("(a|ab)(c|bcd)(d*)", "abcd", "[ \"a\" \"bcd\" \"\" ]")]
    [InlineData("(a*)(ab)?b?", "aab", "[ \"aa\" null ]")]
    [InlineData("}", "}", "[ ]")]
    [InlineData("]", "]", "[ ]")]
    [InlineData("a{1,2}?", "", "[ ]")]
    [InlineData("a^b", "ab", "null")]
    [InlineData("(^a)", "a", "[ \"a\" ]")]
    [InlineData("[^a]", "\n", "[ ]")]
    [InlineData("(a)|b", "b", "[ null ]")]
    [InlineData("((a)|b)*", "ab", "[ \"b\" \"a\" ]")]
    [InlineData("((a)|b)*", "ba", "[ \"a\" \"a\" ]")]
    [InlineData("(a?)*", "aa", "[ \"\" ]")]
    [InlineData("(a*)+", "", "[ \"\" ]")]
    [InlineData("(|a)+", "a", "[ \"\" ]")]
    [InlineData("(a|)+", "a", "[ \"\" ]")]
    [InlineData("(a|ab)*c", "abc", "[ \"ab\" ]")]
    [InlineData("[^]a]", "b", "[ ]")]
    [InlineData("[a\\]]", "a]", "[ ]")]
    [InlineData("[[.a.]]", "a", "[ ]")]
    [InlineData("[[=a=]]", "a", "[ ]")]
    [InlineData("[[:w:]]", "a", "[ ]")]
    [InlineData("a{0}", "", "[ ]")]
    [InlineData("[%--]", "+", "[ ]")]
    [InlineData("[--/]", ".", "[ ]")]
    [InlineData("a+?", "a", "[ ]")]
    [InlineData("a??", "", "[ ]")]
    [InlineData("(a)(b)?", "a", "[ \"a\" null ]")]
    [InlineData("\\{\\[\\(\\)\\|\\^\\$\\.\\*\\+\\?\\\\", "{[()|^$.*+?\\", "[ ]")]
    [InlineData("a{1}{2}", "aa", "[ ]")]
    public void MatchAgreesWithCppNix(string pattern, string subject, string expected)
    {
        Assert.Equal(expected, Match(pattern, subject));
    }

    [Theory]
    [InlineData("a|ab", "abc", "[ \"\" [ ] \"c\" ]")]
    [InlineData("(a|ab)(c|bcd)", "abcd", "[ \"\" [ \"a\" \"bcd\" ] \"\" ]")]
    [InlineData("x*(xy)?", "xxy", "[ \"\" [ null ] \"\" [ null ] \"y\" [ null ] \"\" ]")]
    [InlineData("|a", "ab", "[ \"\" [ ] \"\" [ ] \"b\" [ ] \"\" ]")]
    [InlineData("(a)|b", "ab", "[ \"\" [ \"a\" ] \"\" [ null ] \"\" ]")]
    [InlineData("", "ab", "[ \"\" [ ] \"a\" [ ] \"b\" [ ] \"\" ]")]
    [InlineData("^", "ab", "[ \"\" [ ] \"ab\" ]")]
    [InlineData("$", "ab", "[ \"ab\" [ ] \"\" ]")]
    [InlineData("(a*)*", "b", "[ \"\" [ \"\" ] \"b\" [ \"\" ] \"\" ]")]
    public void SplitAgreesWithCppNix(string pattern, string subject, string expected)
    {
        Assert.Equal(expected, Split(pattern, subject));
    }

    [Theory]
    [InlineData("a{99999}")]
    [InlineData("(ab){20000}")]
    public void HugeRepeatsExceedTheMemoryLimit(string pattern)
    {
        var e = Assert.Throws<PosixRegexException>(() => _cache.Get(Encoding.UTF8.GetBytes(pattern)));
        Assert.Equal($"memory limit exceeded by regular expression '{pattern}'", e.Message);
    }

    [Theory]
    [InlineData("a{50000}")]
    [InlineData("a{0,30000}")]
    public void LargeRepeatsWithinTheLimitCompile(string pattern)
    {
        Assert.Equal("null", Match(pattern, "b"));
    }

    [Fact]
    public void NonUtf8SubjectsAreMatchedByteForByte()
    {
        var regex = _cache.Get("a(.)c"u8);
        var groups = regex.MatchWhole([(byte)'a', 0xFF, (byte)'c']);
        Assert.NotNull(groups);
        Assert.Equal(new RegexCapture(1, 1), groups![0]);
    }

    [Fact]
    public void ABuiltinsPatternGivesTheSameResultsOnBothTiers()
    {
        // Through the builtins' cache: the first uses on the exact matcher, then on .NET's engine.
        var whole = _cache.Get("([a-z]+)-([0-9]+)|x"u8);
        var search = _cache.Get("(-)|([0-9]+)"u8);
        var subject = "abc-12"u8.ToArray();
        for (var i = 0; i < PosixRegex.ExactMatcherUses + 8; i++)
        {
            Assert.Equal("[ \"abc\" \"12\" ]", Render(subject, whole.MatchWhole(subject)!));
            Assert.Null(whole.MatchWhole("abc-"u8));
            Assert.Equal("[ \"abc\" [ \"-\" null ] \"\" [ null \"12\" ] \"\" ]", RenderSplit(subject, search, null));
        }
    }

    [Fact]
    public void HotPatternsKeepTheirResultsAfterBeingCompiledToIL()
    {
        for (var i = 0; i < PosixRegex.CompileAfterUses + 100; i++)
        {
            Assert.Equal("[ \"abc\" \"12\" ]", Match("([a-z]+)-([0-9]+)", "abc-12"));
            Assert.Equal("[ ]", Match("[a-z]+-[0-9]+", "abc-12"));
            Assert.Equal("null", Match("[a-z]+-[0-9]+", "abc-"));
            Assert.Equal("[ \"\" [ ] \"c\" ]", Split("a|ab", "abc"));
        }
    }

    [Fact]
    public void ExponentialSplitsStopAtTheTimeLimit()
    {
        var cache = new PosixRegexCache(TimeSpan.FromMilliseconds(200));
        var regex = cache.Get("(a|a)*b|a"u8);
        var e = Assert.Throws<PosixRegexException>(() => regex.Split(Encoding.ASCII.GetBytes(new string('a', 60)), new RegexSplitMatches(regex.GroupCount)));
        Assert.StartsWith("regular expression '(a|a)*b|a' took too long to match", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LongSubjectsWithoutGroupsMatch()
    {
        var subject = new string('a', 5000) + "b";
        Assert.Equal("[ ]", Match("a*b", subject));
        Assert.Equal("null", Match("a*c", subject));
    }

    [Fact]
    public void CacheReturnsTheSameCompiledPatternAndStaysBounded()
    {
        var cache = new PosixRegexCache(TimeSpan.FromSeconds(1), capacity: 2);
        var a = cache.Get("a"u8);
        Assert.Same(a, cache.Get("a"u8));
        cache.Get("b"u8);
        cache.Get("c"u8);
        Assert.True(cache.Count <= 2);
    }
}
