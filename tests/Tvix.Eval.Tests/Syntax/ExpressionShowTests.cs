using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Tests.Syntax;

/// <summary>
/// <see cref="ExpressionShow"/> prints what C++ Nix's <c>Expr::show</c> prints (the text of
/// <c>assertion '…' failed</c>). The expected texts are C++ Nix 2.8's (nix-instantiate --eval
/// -E 'assert false &amp;&amp; (EXPR); 1', run in /base/dir with HOME=/home/u); where current
/// Nix prints differently, its source (src/libexpr/nixexpr.cc, print.cc) decides, as noted.
/// </summary>
public sealed class ExpressionShowTests
{
    private static string Show(string source)
    {
        var text = SourceText.From(source);
        var result = NixParser.Parse(text);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        return ExpressionShow.Show(result.Root, text, "/base/dir", "/home/u");
    }

    [Theory]
    [InlineData("x", "x")]
    [InlineData("x'", "x'")]
    [InlineData("a-b_c", "a-b_c")]
    [InlineData("true", "true")]
    [InlineData("null", "null")]
    [InlineData("__curPos", "__curPos")]
    public void Variables(string source, string expected) => Assert.Equal(expected, Show(source));

    [Theory]
    [InlineData("123", "123")]
    [InlineData("007", "7")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    public void Integers(string source, string expected) => Assert.Equal(expected, Show(source));

    // C++ stream output of a double: %g with six significant digits.
    [Theory]
    [InlineData("1.5", "1.5")]
    [InlineData("1.0", "1")]
    [InlineData(".5", "0.5")]
    [InlineData("0.1e1", "1")]
    [InlineData("0.1", "0.1")]
    [InlineData("1.23456789", "1.23457")]
    [InlineData("100000.0", "100000")]
    [InlineData("999999.0", "999999")]
    [InlineData("999999.5", "1e+06")]
    [InlineData("1234567.0", "1.23457e+06")]
    [InlineData("9999995.0", "1e+07")]
    [InlineData("123456.5", "123456")]
    [InlineData("1.0e10", "1e+10")]
    [InlineData("1.0e21", "1e+21")]
    [InlineData("1.0e-4", "0.0001")]
    [InlineData("0.00001", "1e-05")]
    [InlineData("2.0e-300", "2e-300")]
    [InlineData("1.7976931348623157e308", "1.79769e+308")]
    public void Floats(string source, string expected) => Assert.Equal(expected, Show(source));

    // Nix 2.8 escaped every '$' ("a\$b"); current Nix's printLiteralString only escapes "${".
    [Theory]
    [InlineData("\"\"", "\"\"")]
    [InlineData("\"abc\"", "\"abc\"")]
    [InlineData("\"a\\n\\t\\r\\\"\\\\\"", "\"a\\n\\t\\r\\\"\\\\\"")]
    [InlineData("\"x$\"", "\"x$\"")]
    [InlineData("\"$$\"", "\"$$\"")]
    [InlineData("\"$${a}\"", "\"$\\${a}\"")]
    [InlineData("\"é\\u0001\"", "\"éu0001\"")]
    [InlineData("\"${a}\"", "(a)")]
    [InlineData("\"${\"a\"}\"", "(\"a\")")]
    [InlineData("\"a${b}c${d}\"", "(\"a\" + b + \"c\" + d)")]
    [InlineData("\"${a}${b}\"", "(a + b)")]
    [InlineData("\"a$b${\"$\"}{c}\"", "(\"a$b\" + \"$\" + \"{c}\")")]
    [InlineData("http://example.org/x", "\"http://example.org/x\"")]
    public void Strings(string source, string expected) => Assert.Equal(expected, Show(source));

    // Every lexer token of an indented string is a piece of its own (escapes too).
    [Theory]
    [InlineData("''''", "\"\"")]
    [InlineData("''  ''", "\"\"")]
    [InlineData("''\n  a\n   b\n  ''", "\"a\\n b\\n\"")]
    [InlineData("''\n  a\n  ''", "\"a\\n\"")]
    [InlineData("''\n    a\n  ''", "\"a\\n\"")]
    [InlineData("''\n   a\n  b\n''", "\" a\\nb\\n\"")]
    [InlineData("'' a\n b''", "\"a\\nb\"")]
    [InlineData("''\n\n''", "\"\\n\"")]
    [InlineData("''a'b''", "\"a'b\"")]
    [InlineData("''é''", "\"é\"")]
    [InlineData("''${a}''", "(a)")]
    [InlineData("''${x}\n  ''", "(x + \"\\n\")")]
    [InlineData("''\n  a\n  ${x}\n  b\n  ''", "(\"a\\n\" + x + \"\\nb\\n\")")]
    [InlineData("''a''$b ${f 1}c''", "(\"a\" + \"$\" + \"b \" + (f 1) + \"c\")")]
    [InlineData("''$''", "\"$\"")]
    [InlineData("''a$''", "(\"a\" + \"$\")")]
    [InlineData("''''\\t''", "\"\\t\"")]
    [InlineData("''a''''b''", "(\"a\" + \"''\" + \"'b\")")]
    public void IndentedStrings(string source, string expected) => Assert.Equal(expected, Show(source));

    // Relative paths are absolute after parsing; `~` is not canonicalised; an interpolated path
    // is a concatenation of its first token with the rest.
    [Theory]
    [InlineData("./foo", "/base/dir/foo")]
    [InlineData("./foo/../bar/.", "/base/dir/bar")]
    [InlineData("foo/bar", "/base/dir/foo/bar")]
    [InlineData("./.", "/base/dir")]
    [InlineData("../.", "/base")]
    [InlineData("/.", "/")]
    [InlineData("/a/./b", "/a/b")]
    [InlineData("~/x", "/home/u/x")]
    [InlineData("~/a/../b", "/home/u/a/../b")]
    [InlineData("./a/${b}/c.nix", "(/base/dir/a/ + b + \"/c.nix\")")]
    [InlineData("./${b}", "(/base/dir/ + b)")]
    [InlineData("~/${b}", "(/home/u/ + b)")]
    [InlineData("~/.config/${x}", "(/home/u/.config/ + x)")]
    [InlineData("/${b}x", "(/ + b + \"x\")")]
    [InlineData("./a//${b}", "(/base/dir/a/ + \"/\" + b)")]
    [InlineData("./a/${b}c/d${e}", "(/base/dir/a/ + b + \"c/d\" + e)")]
    public void Paths(string source, string expected) => Assert.Equal(expected, Show(source));

    [Theory]
    [InlineData("<nixpkgs/lib>", "(__findFile __nixPath \"nixpkgs/lib\")")]
    [InlineData("<nixpkgs> x", "(__findFile __nixPath \"nixpkgs\" x)")]
    public void SearchPaths(string source, string expected) => Assert.Equal(expected, Show(source));

    [Theory]
    [InlineData("x.a.b", "(x).a.b")]
    [InlineData("a.b.c", "(a).b.c")]
    [InlineData("x.a.b or 1", "(x).a.b or (1)")]
    [InlineData("(x.a or y).b", "((x).a or (y)).b")]
    [InlineData("x.a.b or y.c or z", "(x).a.b or ((y).c or (z))")]
    [InlineData("x.${a}.${\"b\"}.\"c\".\"d${e}\".or", "(x).\"${a}\".b.c.\"${(\"d\" + e)}\".or")]
    [InlineData("x.${\"a b\"}", "(x).\"a b\"")]
    [InlineData("x.\"${y}\"", "(x).\"${(y)}\"")]
    [InlineData("__curPos.line", "(__curPos).line")]
    [InlineData("{ or = 1; }.or", "({ or = 1; }).or")]
    public void Selects(string source, string expected) => Assert.Equal(expected, Show(source));

    [Theory]
    [InlineData("x ? a.b", "((x) ? a.b)")]
    [InlineData("x ? ${a}", "((x) ? \"${a}\")")]
    [InlineData("x ? or", "((x) ? or)")]
    public void HasAttr(string source, string expected) => Assert.Equal(expected, Show(source));

    // Names sorted by bytes; nested paths merged into sets. Current Nix prints inherited names
    // as `inherit a b;` and `inherit (e) a b;` groups before the values (Nix 2.8 printed
    // `inherit a ;` per name and `a = (e).a;`).
    [Theory]
    [InlineData("{ }", "{ }")]
    [InlineData("rec { }", "rec { }")]
    [InlineData("{ b = 1; a = 2; }", "{ a = 2; b = 1; }")]
    [InlineData("rec { a = 1; b = a; }", "rec { a = 1; b = a; }")]
    [InlineData("{ a.b = 1; a.c = 2; }", "{ a = { b = 1; c = 2; }; }")]
    [InlineData("{ a.b.c = 1; a.b.d = 2; a.e = 3; }", "{ a = { b = { c = 1; d = 2; }; e = 3; }; }")]
    [InlineData("{ a = { b = 1; }; a.c = 2; }", "{ a = { b = 1; c = 2; }; }")]
    [InlineData("{ a = rec { b = 1; }; a.c = 2; }", "{ a = rec { b = 1; c = 2; }; }")]
    [InlineData("{ a.${b}.c = 1; ${d}.e = 2; }", "{ a = { \"${b}\" = { c = 1; }; }; \"${d}\" = { e = 2; }; }")]
    [InlineData("{ \"a${b}\".c = 1; }", "{ \"${(\"a\" + b)}\" = { c = 1; }; }")]
    [InlineData("{ ${\"a\"}.b = 1; a.c = 2; }", "{ a = { b = 1; c = 2; }; }")]
    [InlineData("{ ${a} = 1; \"${b}\" = 2; \"c\" = 3; ${\"d\"} = 4; \"e f\" = 5; \"if\" = 6; or = 7; \"\" = 8; }",
        "{ \"\" = 8; c = 3; d = 4; \"e f\" = 5; \"if\" = 6; or = 7; \"${a}\" = 1; \"${(b)}\" = 2; }")]
    [InlineData("{ inherit x y; inherit (z) b a; inherit (w) c; d = 1; }", "{ inherit x y; inherit (z) a b; inherit (w) c; d = 1; }")]
    [InlineData("{ inherit \"a b\" \"if\"; }", "{ inherit \"a b\" \"if\"; }")]
    [InlineData("{ inherit (x); }", "{ }")]
    // The second set's `inherit (e)` expressions follow the first's; its `rec` is lost.
    [InlineData("{ a = { b = 1; inherit (x) y; }; a = rec { c = 2; inherit (z) w; }; }", "{ a = { inherit (x) y; inherit (z) w; b = 1; c = 2; }; }")]
    public void AttributeSets(string source, string expected) => Assert.Equal(expected, Show(source));

    [Theory]
    [InlineData("[ ]", "[ ]")]
    [InlineData("[ 1 a (f x) ]", "[ (1) (a) ((f x)) ]")]
    [InlineData("[ [ ] { } ]", "[ ([ ]) ({ }) ]")]
    public void Lists(string source, string expected) => Assert.Equal(expected, Show(source));

    // Current Nix prints formals in byte order of their names (Nix 2.8: as written).
    [Theory]
    [InlineData("x: x", "(x: x)")]
    [InlineData("x: y: x", "(x: (y: x))")]
    [InlineData("{ b, a ? 1, ... }: a", "({ a ? 1, b, ... }: a)")]
    [InlineData("{ ... }: 1", "({ ... }: 1)")]
    [InlineData("{ }: 1", "({  }: 1)")]
    [InlineData("args@{ a }: a", "({ a } @ args: a)")]
    [InlineData("{ a }@args: a", "({ a } @ args: a)")]
    [InlineData("{ a ? { b = 1; } }: a", "({ a ? { b = 1; } }: a)")]
    [InlineData("x: -x", "(x: (__sub 0 x))")]
    public void Lambdas(string source, string expected) => Assert.Equal(expected, Show(source));

    // A call whose function is a call (even one the parser made: `-`, `<`, `<p>`) gets the argument appended.
    [Theory]
    [InlineData("f 1 2", "(f 1 2)")]
    [InlineData("(f 1) 2", "(f 1 2)")]
    [InlineData("f (g x) (h y)", "(f (g x) (h y))")]
    [InlineData("(x: x) 1", "((x: x) 1)")]
    [InlineData("(f x).a y", "(((f x)).a y)")]
    [InlineData("f __curPos", "(f __curPos)")]
    [InlineData("(-1) 2", "(__sub 0 1 2)")]
    [InlineData("(a < b) c", "(__lessThan a b c)")]
    [InlineData("(a <= b) c", "((! (__lessThan b a)) c)")]
    [InlineData("(a == b) c", "((a == b) c)")]
    public void Calls(string source, string expected) => Assert.Equal(expected, Show(source));

    // Current Nix sorts a let's names too (Nix 2.8 printed them in symbol-table order, without the inherit forms).
    [Theory]
    [InlineData("let a = 1; inherit b; inherit (c) d; in a", "(let inherit b; inherit (c) d; a = 1; in a)")]
    [InlineData("let a.b = 1; a.c = 2; in a", "(let a = { b = 1; c = 2; }; in a)")]
    [InlineData("let in 1", "(let in 1)")]
    [InlineData("let { body = 1; }", "(rec { body = 1; }).body")]
    [InlineData("let { x = 1; body = x; }", "(rec { body = x; x = 1; }).body")]
    public void Lets(string source, string expected) => Assert.Equal(expected, Show(source));

    [Theory]
    [InlineData("with x; y", "(with x; y)")]
    [InlineData("with { a = 1; }; a", "(with { a = 1; }; a)")]
    [InlineData("if a then b else c", "(if a then b else c)")]
    [InlineData("if a then if b then c else d else e", "(if a then (if b then c else d) else e)")]
    [InlineData("assert a; b", "assert a; b")]
    [InlineData("assert a; assert b; c", "assert a; assert b; c")]
    public void WithIfAssert(string source, string expected) => Assert.Equal(expected, Show(source));

    [Theory]
    [InlineData("!a", "(! a)")]
    [InlineData("!(!x)", "(! (! x))")]
    [InlineData("-x", "(__sub 0 x)")]
    [InlineData("-(-x)", "(__sub 0 (__sub 0 x))")]
    [InlineData("-1.5", "(__sub 0 1.5)")]
    [InlineData("-(f 1) == 2", "((__sub 0 (f 1)) == 2)")]
    public void NotAndNegation(string source, string expected) => Assert.Equal(expected, Show(source));

    [Theory]
    [InlineData("a == b", "(a == b)")]
    [InlineData("a != b", "(a != b)")]
    [InlineData("a && b", "(a && b)")]
    [InlineData("a || b", "(a || b)")]
    [InlineData("a -> b", "(a -> b)")]
    [InlineData("a -> b -> c", "(a -> (b -> c))")]
    [InlineData("a // b", "(a // b)")]
    [InlineData("a // b // c", "(a // (b // c))")]
    [InlineData("a ++ b", "(a ++ b)")]
    [InlineData("a ++ b ++ c", "(a ++ (b ++ c))")]
    [InlineData("a + b + c", "((a + b) + c)")]
    [InlineData("a - b - c", "(__sub (__sub a b) c)")]
    [InlineData("1 - -1", "(__sub 1 (__sub 0 1))")]
    [InlineData("a.b - c", "(__sub (a).b c)")]
    [InlineData("a * b / c", "(__div (__mul a b) c)")]
    [InlineData("1 < 2 && 3 <= 4 && 5 > 6 && 7 >= 8",
        "((((__lessThan 1 2) && (! (__lessThan 4 3))) && (__lessThan 6 5)) && (! (__lessThan 7 8)))")]
    [InlineData("stdenv.targetPlatform != stdenv.hostPlatform", "((stdenv).targetPlatform != (stdenv).hostPlatform)")]
    public void BinaryOperators(string source, string expected) => Assert.Equal(expected, Show(source));

    // `f or` is a call of f with a variable named `or`.
    [Theory]
    [InlineData("f or", "(f or)")]
    [InlineData("map or [ ]", "(map or [ ])")]
    [InlineData("map or [ ] or 1", "(map or ([ ] or) 1)")]
    public void CursedOr(string source, string expected) => Assert.Equal(expected, Show(source));

    [Fact]
    public void DeepNestingPrintsTooDeepInsteadOfOverflowing()
    {
        var text = Show(string.Concat(Enumerable.Repeat("-", 2500)) + "1");
        Assert.Contains("«too deep»", text, StringComparison.Ordinal);
    }

    private static bool ShowsWithoutThrowing(byte[] bytes)
    {
        var source = new SourceText("prop", bytes);
        var result = NixParser.Parse(source);
        if (result.HasErrors) return true;
        _ = ExpressionShow.Show(result.Root, source, "/base", "/home/u");
        return true;
    }

    [Fact]
    public void NeverThrowsOnGeneratedPrograms()
    {
        var gen = SourceGen.Program.Select(Encoding.UTF8.GetBytes);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500).WithEndSize(30), Prop.ForAll(gen.ToArbitrary(), ShowsWithoutThrowing));
    }

    private static readonly string[] Vocabulary =
    [
        "let", "in", "rec", "with", "assert", "if", "then", "else", "inherit", "or", "...",
        "{", "}", "(", ")", "[", "]", ";", ":", "@", ",", "?", "=", ".", "!", "-", "+", "*", "/",
        "==", "!=", "<", "<=", ">", ">=", "&&", "||", "->", "//", "++",
        "\"", "''", "${", "$", "'", "\\", "\n", " ",
        "a", "b", "x", "__curPos", "1", "1.5", "./a", "a/b", "~/h", "<nixpkgs>", "http://x.org/", "x:x",
        "\"str${", "''ind${", "''$", "'''", "''\\n", "./${", "a.b = ", "inherit (x) ", "é",
    ];

    [Fact]
    public void NeverThrowsOnTokenSoupThatParses()
    {
        var gen = Gen.ListOf(Gen.Elements(Vocabulary)).Select(tokens =>
        {
            var sb = new StringBuilder();
            foreach (var t in tokens) sb.Append(t).Append(t.Length > 2 ? " " : "");
            return Encoding.UTF8.GetBytes(sb.ToString());
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000).WithEndSize(40), Prop.ForAll(gen.ToArbitrary(), ShowsWithoutThrowing));
    }
}
