using System.Text;
using Tvix.Eval.Support.Regex;
using Xunit;

namespace Tvix.Eval.Tests.Support;

public sealed class PosixRegexTests
{
    private readonly PosixRegexCache _cache = new(TimeSpan.FromSeconds(5));

    /// <summary>Renders <c>builtins.match</c>'s result as Nix prints it.</summary>
    private string Match(string pattern, string subject)
    {
        var bytes = Encoding.UTF8.GetBytes(subject);
        var groups = _cache.Get(Encoding.UTF8.GetBytes(pattern)).MatchWhole(bytes);
        return groups == null ? "null" : Render(bytes, groups);
    }

    /// <summary>Renders <c>builtins.split</c>'s result as Nix prints it.</summary>
    private string Split(string pattern, string subject)
    {
        var bytes = Encoding.UTF8.GetBytes(subject);
        var matches = _cache.Get(Encoding.UTF8.GetBytes(pattern)).Split(bytes, out var lastEnd);
        var sb = new StringBuilder("[ ");
        foreach (var m in matches)
        {
            sb.Append(Quote(bytes.AsSpan(m.PrefixStart, m.PrefixLength))).Append(' ');
            sb.Append(Render(bytes, m.Groups)).Append(' ');
        }
        sb.Append(Quote(bytes.AsSpan(lastEnd))).Append(" ]");
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
    [InlineData("\\n", "n", "[ ]")] // an escaped ordinary character is that character
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
    [InlineData("(|*)")]
    public void InvalidPatternsAreRejected(string pattern)
    {
        var e = Assert.Throws<PosixRegexException>(() => _cache.Get(Encoding.UTF8.GetBytes(pattern)));
        Assert.Equal($"invalid regular expression '{pattern}'", e.Message);
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
