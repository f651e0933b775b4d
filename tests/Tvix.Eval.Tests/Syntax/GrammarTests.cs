using Tvix.Eval.Syntax;

namespace Tvix.Eval.Tests.Syntax;

/// <summary>The structure the parser builds for each construct, including Nix's precedences and associativities.</summary>
public sealed class GrammarTests
{
    [Theory]
    // tightest first: select, application, unary minus, ?, ++, * /, + -, !, //, comparisons, equality, &&, ||, ->
    [InlineData("f a.b", "(app f (. a b))")]
    [InlineData("f a b", "(app (app f a) b)")]
    [InlineData("-f x", "(neg (app f x))")]
    [InlineData("-a ? b", "(? (neg a) b)")]
    [InlineData("a ? b ++ c", "(++ (? a b) c)")]
    [InlineData("a ++ b * c", "(* (++ a b) c)")]
    [InlineData("a * b ++ c", "(* a (++ b c))")]
    [InlineData("a + b * c", "(+ a (* b c))")]
    [InlineData("a * b + c", "(+ (* a b) c)")]
    [InlineData("!a + b", "(! (+ a b))")]
    [InlineData("!a // b", "(// (! a) b)")]
    [InlineData("a // b < c", "(< (// a b) c)")]
    [InlineData("a < b == c", "(== (< a b) c)")]
    [InlineData("a == b && c", "(&& (== a b) c)")]
    [InlineData("a && b || c", "(|| (&& a b) c)")]
    [InlineData("a || b -> c", "(-> (|| a b) c)")]
    [InlineData("-a + b", "(+ (neg a) b)")]
    [InlineData("- -a", "(neg (neg a))")]
    [InlineData("-!a + b", "(neg (! (+ a b)))")]
    [InlineData("!a == b", "(== (! a) b)")]
    [InlineData("a + !b * c", "(+ a (! (* b c)))")]
    [InlineData("!a ? b", "(! (? a b))")]
    [InlineData("a -b", "(- a b)")]
    [InlineData("f -1", "(- f 1)")]
    public void Precedence(string source, string shape) => Assert.Equal(shape, Shape.Parse(source));

    [Theory]
    [InlineData("a - b - c", "(- (- a b) c)")]
    [InlineData("a / b / c", "(/ (/ a b) c)")]
    [InlineData("a ++ b ++ c", "(++ a (++ b c))")]
    [InlineData("a // b // c", "(// a (// b c))")]
    [InlineData("a -> b -> c", "(-> a (-> b c))")]
    [InlineData("a && b && c", "(&& (&& a b) c)")]
    [InlineData("a || b || c", "(|| (|| a b) c)")]
    public void Associativity(string source, string shape) => Assert.Equal(shape, Shape.Parse(source));

    [Theory]
    [InlineData("a == b == c")]
    [InlineData("a != b == c")]
    [InlineData("a < b < c")]
    [InlineData("a <= b >= c")]
    public void NonAssociativeOperatorsCannotChain(string source)
    {
        var result = NixParser.Parse(SourceText.From(source));
        Assert.True(result.HasErrors);
        Assert.StartsWith("syntax error, unexpected", result.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a.b.c", "(. a b.c)")]
    [InlineData("a.b or c", "(. a b or c)")]
    [InlineData("a.b or c.d or e", "(. a b or (. c d or e))")]
    [InlineData("a.b or c d", "(app (. a b or c) d)")]
    [InlineData("a.${b}.\"c d\"", "(. a ${b}.\"c d\")")]
    [InlineData("a.or", "(. a or)")]
    [InlineData("map or [ 1 ]", "(app (app map or) [1])")]
    [InlineData("f x or", "(app f (app x or))")]
    [InlineData("{ or = 1; }.or", "(. (set or=1;) or)")]
    [InlineData("a ? b.c", "(? a b.c)")]
    [InlineData("a ? b ? c", "(? (? a b) c)")]
    [InlineData("a ? \"b\"", "(? a \"b\")")]
    [InlineData("(a).b", "(. (paren a) b)")]
    [InlineData("a.b.c or d.e", "(. a b.c or (. d e))")]
    [InlineData("__curPos", "__curPos")]
    public void SelectAndOr(string source, string shape) => Assert.Equal(shape, Shape.Parse(source));

    [Theory]
    [InlineData("x: x", "(fn x x)")]
    [InlineData("x: y: x", "(fn x (fn y x))")]
    [InlineData("{ a, b ? 1, ... }: a", "(fn {a b?1 ...} a)")]
    [InlineData("{ a, }: a", "(fn {a} a)")]
    [InlineData("{ }: 1", "(fn {} 1)")]
    [InlineData("{ ... }: 1", "(fn {...} 1)")]
    [InlineData("args@{ a }: a", "(fn args@{a} a)")]
    [InlineData("{ a } @ args: a", "(fn {a}@args a)")]
    [InlineData("{ a ? x: x }: a", "(fn {a?(fn x x)} a)")]
    [InlineData("assert a; b", "(assert a b)")]
    [InlineData("with a; b", "(with a b)")]
    [InlineData("let a = 1; in a", "(let a=1; in a)")]
    [InlineData("let in 1", "(let in 1)")]
    [InlineData("let inherit a; inherit (b) c \"d\"; in a", "(let inherit a; inherit (b) c \"d\"; in a)")]
    [InlineData("let { body = 1; }", "(letset body=1;)")]
    [InlineData("let { }.body", "(. (letset) body)")]
    [InlineData("if a then b else c", "(if a b c)")]
    [InlineData("if a then x: x else let b = 1; in b", "(if a (fn x x) (let b=1; in b))")]
    [InlineData("{ a = 1; b.c = 2; ${d} = 3; \"e f\" = 4; inherit g; }", "(set a=1; b.c=2; ${d}=3; \"e f\"=4; inherit g;)")]
    [InlineData("rec { a = 1; }", "(rec a=1;)")]
    [InlineData("{ }", "(set)")]
    [InlineData("{ inherit; }", "(set inherit;)")]
    [InlineData("[ 1 f x (g y) ]", "[1 f x (paren (app g y))]")]
    [InlineData("[ ]", "[]")]
    [InlineData("f { a = 1; } [ 2 ]", "(app (app f (set a=1;)) [2])")]
    [InlineData("f let { body = 1; }", "(app f (letset body=1;))")]
    [InlineData("f rec { }", "(app f (rec))")]
    public void Constructs(string source, string shape) => Assert.Equal(shape, Shape.Parse(source));

    [Theory]
    [InlineData("1 + if a then b else c")]
    [InlineData("f x: x")]
    [InlineData("a + x: x")]
    [InlineData("[ x: x ]")]
    [InlineData("{ a }")]
    [InlineData("or")]
    [InlineData("let a = 1; in")]
    [InlineData("{ a = 1 }")]
    [InlineData("inherit a;")]
    [InlineData("{ a ? 1 } + 1")]
    public void RejectsWhatNixRejects(string source) => Assert.True(NixParser.Parse(SourceText.From(source)).HasErrors, source);

    [Fact]
    public void SpansCoverTheirSource()
    {
        const string text = "let a = { b = 1; }; in a.b + f x";
        var result = NixParser.Parse(SourceText.From(text));
        var let = Assert.IsType<LetExpr>(result.Root);
        Assert.Equal(new TextSpan(0, text.Length), let.Span);
        var binding = Assert.IsType<AttrBinding>(let.Bindings[0]);
        Assert.Equal("a = { b = 1; };", text.Substring(binding.Span.Start, binding.Span.Length));
        var add = Assert.IsType<BinaryExpr>(let.Body);
        Assert.Equal("a.b + f x", text.Substring(add.Span.Start, add.Span.Length));
        var select = Assert.IsType<SelectExpr>(add.Left);
        Assert.Equal("a.b", text.Substring(select.Span.Start, select.Span.Length));
        Assert.Equal("b", text.Substring(select.Path.Span.Start, select.Path.Span.Length));
        var app = Assert.IsType<ApplyExpr>(add.Right);
        Assert.Equal("f x", text.Substring(app.Span.Start, app.Span.Length));
    }

    [Fact]
    public void IdentifiersAreInternedPerParse()
    {
        var result = NixParser.Parse(SourceText.From("[ abc abc ]"));
        var list = Assert.IsType<ListExpr>(result.Root);
        Assert.Same(((VarExpr)list.Items[0]).Name, ((VarExpr)list.Items[1]).Name);
    }

    [Fact]
    public void StaticNameOfInterpolatedPlainStringIsKnown()
    {
        var result = NixParser.Parse(SourceText.From("{ ${\"a\"} = 1; ${b} = 2; ${(\"c\")} = 3; }"));
        var set = Assert.IsType<AttrSetExpr>(result.Root);
        Assert.Equal("a"u8.ToArray(), ((AttrBinding)set.Bindings[0]).Path.Names[0].StaticName);
        Assert.Null(((AttrBinding)set.Bindings[1]).Path.Names[0].StaticName);
        Assert.Equal("c"u8.ToArray(), ((AttrBinding)set.Bindings[2]).Path.Names[0].StaticName);
    }
}
