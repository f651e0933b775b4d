using Tvix.Eval.Syntax;

namespace Tvix.Eval.Tests.Syntax;

/// <summary>Every literal form, lexed the way C++ Nix's flex rules lex it.</summary>
public sealed class LiteralTests
{
    [Theory]
    [InlineData("42", "42")]
    [InlineData("007", "7")]
    [InlineData("0", "0")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    [InlineData("1.5", "f:1.5")]
    [InlineData(".5", "f:0.5")]
    [InlineData("0.5", "f:0.5")]
    [InlineData("1.", "f:1")]
    [InlineData("2.e3", "f:2000")]
    [InlineData("1.5e-3", "f:0.0015")]
    [InlineData("0.5E+2", "f:50")]
    [InlineData(".5e1", "f:5")]
    // Nix's FLOAT needs a '.', and a leading 0 before digits ends the integer.
    [InlineData("1e3", "(app 1 e3)")]
    [InlineData("01.5", "(app 1 f:0.5)")]
    [InlineData("a.1", "(app a f:0.1)")]
    public void Numbers(string source, string shape) => Assert.Equal(shape, Shape.Parse(source));

    [Theory]
    [InlineData("9223372036854775808", "invalid integer '9223372036854775808'")]
    [InlineData("99999999999999999999999", "invalid integer '99999999999999999999999'")]
    [InlineData("1.0e999", "invalid float '1.0e999'")]
    public void OutOfRangeNumbersAreErrors(string source, string message)
    {
        var result = NixParser.Parse(SourceText.From(source));
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(message, d.Message);
        Assert.IsType<ErrorExpr>(result.Root);
    }

    [Theory]
    [InlineData("\"abc\"", "\"abc\"")]
    [InlineData("\"\"", "\"\"")]
    [InlineData("\"a\\nb\\tc\\rd\\\\e\\\"f\\$g\\${h}\\x\"", "\"a\\nb\\tc\\rd\\\\e\\\"f$g${h}x\"")]
    [InlineData("\"$${x}\"", "\"$${x}\"")]
    [InlineData("\"a$\"", "\"a$\"")]
    [InlineData("\"$\"", "\"$\"")]
    [InlineData("\"$$\"", "\"$$\"")]
    [InlineData("\"$\\\"\"", "\"$\\\"\"")]
    [InlineData("\"${x}$\"", "(str ${x} \"$\")")]
    [InlineData("\"a${b}c${d}\"", "(str \"a\" ${b} \"c\" ${d})")]
    [InlineData("\"${ { a = \"}\"; }.a }\"", "(str ${(. (set a=\"}\";) a)})")]
    [InlineData("\"a\r\nb\rc\"", "\"a\\nb\\nc\"")]
    [InlineData("\"\\\r\"", "\"\\r\"")]
    public void Strings(string source, string shape) => Assert.Equal(shape, Shape.Parse(source));

    [Fact]
    public void StringsAreByteStrings()
    {
        var result = NixParser.Parse(new SourceText("t", new byte[] { (byte)'"', 0xff, 0xc3, (byte)'"' }));
        Assert.Empty(result.Diagnostics);
        var s = Assert.IsType<StringExpr>(result.Root);
        Assert.Equal(new byte[] { 0xff, 0xc3 }, Assert.IsType<LiteralPart>(Assert.Single(s.Parts)).Bytes);
    }

    [Fact]
    public void NulByteInStringIsAnError()
    {
        var result = NixParser.Parse(new SourceText("t", "\"a\0b\""u8.ToArray()));
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("input string 'a␀b' cannot be represented as Nix string because it contains null bytes", d.Message);
    }

    [Theory]
    // the classic: the smallest indentation goes, the closing line of spaces goes
    [InlineData("''\n    foo\n      bar\n  ''", "(istr \"foo\\n  bar\\n\")")]
    [InlineData("''  foo\n  bar''", "(istr \"foo\\nbar\")")]
    // whitespace-only lines do not count, but lose only what they have
    [InlineData("''\n  a\n\n    \n  b\n''", "(istr \"a\\n\\n  \\nb\\n\")")]
    // tabs are not indentation
    [InlineData("''\n\ta\n  b\n''", "(istr \"\\ta\\n  b\\n\")")]
    // an interpolation counts as content
    [InlineData("''\n  ${x}\n    a\n''", "(istr ${x} \"\\n  a\\n\")")]
    [InlineData("''${x}''", "(istr ${x})")]
    [InlineData("''''", "(istr)")]
    [InlineData("''\n  ''", "(istr)")]
    // a first line of only spaces is dropped, but not one with a tab
    [InlineData("''  \n  a\n''", "(istr \"a\\n\")")]
    [InlineData("''\t\n  a''", "(istr \"\\t\\n  a\")")]
    // escapes; they are not indentation, yet a leading escaped space is stripped like any space
    [InlineData("'' ''$ ''' ''\\n ''\\t ''\\x ''", "(istr \"$ '' \\n\\t x \")")]
    [InlineData("''$${x}''", "(istr \"$${x}\")")]
    [InlineData("''a'b''", "(istr \"a'b\")")]
    [InlineData("''a'${b}''", "(istr \"a'\" ${b})")]
    [InlineData("''a$''", "(istr \"a$\")")]
    [InlineData("''\\n''", "(istr \"\\\\n\")")]
    [InlineData("''\r\n  a\r\n''", "(istr \"\\r\\n  a\\r\\n\")")]
    public void IndentedStrings(string source, string shape) => Assert.Equal(shape, Shape.Parse(source));

    [Theory]
    [InlineData("./a", "(path:Relative \"./a\")")]
    [InlineData("../x/y.nix", "(path:Relative \"../x/y.nix\")")]
    [InlineData("a/b", "(path:Relative \"a/b\")")]
    [InlineData("1/2", "(path:Relative \"1/2\")")]
    [InlineData("/a/b", "(path:Absolute \"/a/b\")")]
    [InlineData("~/a", "(path:Home \"~/a\")")]
    [InlineData("./a/${x}.nix", "(path:Relative \"./a/\" ${x} \".nix\")")]
    [InlineData("./a${x}", "(path:Relative \"./a\" ${x})")]
    [InlineData("a/${x}", "(path:Relative \"a/\" ${x})")]
    [InlineData("/${x}", "(path:Absolute \"/\" ${x})")]
    [InlineData("~/${x}/b", "(path:Home \"~/\" ${x} \"/b\")")]
    [InlineData("./${a}${b}", "(path:Relative \"./\" ${a} ${b})")]
    [InlineData("./a//${b}", "(path:Relative \"./a//\" ${b})")]
    [InlineData("./${a}//b", "(path:Relative \"./\" ${a} \"//b\")")]
    [InlineData("f ./a ./b", "(app (app f (path:Relative \"./a\")) (path:Relative \"./b\"))")]
    [InlineData("[./a]", "[(path:Relative \"./a\")]")]
    [InlineData("<nixpkgs>", "<nixpkgs>")]
    [InlineData("<nixpkgs/lib>", "<nixpkgs/lib>")]
    [InlineData("https://x.org/a?b=c&d=%20", "(uri https://x.org/a?b=c&d=%20)")]
    [InlineData("x:x", "(uri x:x)")]
    [InlineData("git+ssh://h/p.git", "(uri git+ssh://h/p.git)")]
    public void PathsAndUris(string source, string shape) => Assert.Equal(shape, Shape.Parse(source));

    [Theory]
    [InlineData("./a/", 1, 1)]
    [InlineData("./a/ ", 1, 5)]
    [InlineData("./a/${x}/", 1, 9)]
    [InlineData("[ /nix/store/ ]", 1, 14)]
    // At the end of input Nix reports the last path segment (flex runs no location update for <<EOF>>).
    public void TrailingSlashIsAnError(string source, int line, int column)
    {
        var result = NixParser.Parse(SourceText.From(source));
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("path has a trailing slash", d.Message);
        Assert.Equal((line, column), d.Position);
    }

    [Theory]
    [InlineData("1 /* c */ + # x\n 2", "(+ 1 2)")]
    [InlineData("/**/1", "1")]
    [InlineData("/***/1", "1")]
    [InlineData("# only a comment\n1 # at end", "1")]
    [InlineData("iff", "iff")]
    [InlineData("in-x", "in-x")]
    [InlineData("or-x", "or-x")]
    [InlineData("a'b-c_d", "a'b-c_d")]
    [InlineData("_x", "_x")]
    [InlineData("a\r\n+\tb", "(+ a b)")]
    public void TriviaAndIdentifiers(string source, string shape) => Assert.Equal(shape, Shape.Parse(source));

    [Theory]
    [InlineData("./a//b", 1, 5)]
    [InlineData("{ a = ./custom-hosts.n//ix; }", 1, 24)]
    public void PathContinuationWithoutInterpolationIsASyntaxError(string source, int line, int column)
    {
        // path_start STR PATH_END does not match string_parts_interpolated in Nix's grammar.
        var result = NixParser.Parse(SourceText.From(source));
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("syntax error, unexpected end of path, expecting '${'", d.Message);
        Assert.Equal((line, column), d.Position);
    }

    [Fact]
    public void NulByteOutsideAStringEndsTheInput()
    {
        // flex hands the NUL byte to bison as token 0, the end of input; Nix ignores what follows.
        var result = NixParser.Parse(new SourceText("t", "1\0 garbage )"u8.ToArray()));
        Assert.Empty(result.Diagnostics);
        Assert.Equal("1", Shape.Of(result.Root));
    }
}
