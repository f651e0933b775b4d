using Xunit;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// The compact layouts must be unobservable: curried lambdas sharing one environment, lets kept
/// in the enclosing lambda's environment, lazy two-argument calls as one object, and values of
/// 16 bytes whose scalars share a kind tag. Expected results were checked with C++ Nix 2.8.
/// </summary>
public sealed class EnvironmentLayoutTests
{
    [Theory]
    [InlineData("let f = a: b: c: [ a b c ]; in [ (f 1 2 3) ((f 1) 2 3) ((f 1 2) 3) (((f 1) 2) 3) ]", "[ [ 1 2 3 ] [ 1 2 3 ] [ 1 2 3 ] [ 1 2 3 ] ]")]
    [InlineData("let f = a: b: a + b; g = f 10; in [ (g 1) (g 2) (f 1 1) ]", "[ 11 12 2 ]")]
    [InlineData("(x: x: x) 1 2", "2")]
    [InlineData("(x: y: x: x + y) 1 2 3", "5")]
    [InlineData("(a: b: builtins.add a) 1 2 3", "4")]
    [InlineData("(a: b: a) 1 (throw \"never forced\")", "1")]
    [InlineData("builtins.foldl' (acc: x: acc ++ [ x ]) [ ] [ 1 2 3 ]", "[ 1 2 3 ]")]
    [InlineData("builtins.mapAttrs (n: v: n + v) { a = \"x\"; b = \"y\"; }", "{ a = \"ax\"; b = \"by\"; }")]
    [InlineData("builtins.sort (a: b: a > b) [ 2 3 1 ]", "[ 3 2 1 ]")]
    [InlineData("let f = a: b: a; in [ (builtins.typeOf (f 1)) (builtins.isFunction (f 1)) ((f 1) == (f 1)) ]", "[ \"lambda\" true false ]")]
    [InlineData("builtins.functionArgs ((a: { x, y ? 1 }: a) 1)", "{ x = false; y = true; }")]
    [InlineData("builtins.functionArgs (a: b: a)", "{ }")]
    [InlineData("let f = a: b: c: d: e: a + b + c + d + e; in [ (f 1 2 3 4 5) (f 1 2 3 4 5 == (f 1) 2 3 4 5) ]", "[ 15 true ]")]
    [InlineData("let f = a: b: c: a * 100 + b * 10 + c; in map (f 1 2) [ 3 4 ]", "[ 123 124 ]")]
    public void CurriedLambdas(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void ErrorInChainBodyNamesItsPosition()
    {
        var e = EvalError("let f = a: b: a + \"x\"; in f 1 2");
        Assert.Contains("cannot add a string to an integer", e.Message);
        Assert.Equal(1, e.Line);
    }

    [Theory]
    [InlineData("(x: let a = x + 1; b = a * 2; in b) 3", "8")]
    [InlineData("(x: let a = b; b = x; in a) 5", "5")]
    [InlineData("(s: let inherit (s) p q; in p + q) { p = 1; q = 2; }", "3")]
    [InlineData("(s: let inherit (s.t) p; in p) { t.p = 4; }", "4")]
    [InlineData("(x: let inherit x; in x) 7", "7")]
    [InlineData("(x: (let x = 2; in x) + x) 10", "12")]
    [InlineData("(x: let a = let b = x; in b + 1; in a) 1", "2")]
    [InlineData("(x: let a = x; f = y: a + y; in map f [ 1 2 ]) 10", "[ 11 12 ]")]
    [InlineData("(a: b: let c = a + b; in c * 2) 1 2", "6")]
    [InlineData("map (x: let y = x * x; in let z = y + 1; in z) [ 1 2 3 ]", "[ 2 5 10 ]")]
    [InlineData("({ a, b ? let c = a; in c + 1 }: b) { a = 1; }", "2")]
    public void LetsInLambdaBodies(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    [InlineData("let a = 1; in let b = a + 1; in let c = b * 2; in c", "4")]
    [InlineData("rec { a = let x = b; in x + 1; b = 2; c = with { z = 5; }; z + a; }", "{ a = 3; b = 2; c = 8; }")]
    [InlineData("let s = { p = 1; }; r = rec { inherit (s) p; q = let y = p; in y + 1; }; in r", "{ p = 1; q = 2; }")]
    [InlineData("let s = { p = 1; }; r = rec { inherit (s.t or s) p; q = let y = p; in y + 1; }; in r", "{ p = 1; q = 2; }")]
    [InlineData("rec { a = 1; b = let inherit a; in a; }", "{ a = 1; b = 1; }")]
    [InlineData("let { x = let y = 3; in y; body = x; }", "3")]
    [InlineData("rec { __overrides = { a = 10; }; a = 1; b = let q = a; in q; }.b", "10")]
    [InlineData("map (i: rec { v = let w = i * 2; in w; u = v + 1; }) [ 1 2 ]", "[ { u = 3; v = 2; } { u = 5; v = 4; } ]")]
    public void LetsInRecursiveScopes(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    [InlineData("(x: with { a = 1; b = x; }; a + b) 2", "3")]
    [InlineData("(x: with { x = 5; y = 1; }; x + y) 10", "11")]
    [InlineData("(s: with s; with { a = 100; }; let c = a + b; in c) { a = 1; b = 2; }", "102")]
    [InlineData("(s: with s; let a = 7; in a + b) { a = 1; b = 2; }", "9")]
    [InlineData("(x: with { f = y: y * 2; }; map f [ x 3 ]) 1", "[ 2 6 ]")]
    [InlineData("(x: with { a = 1; }; y: a + x + y) 1 2", "4")]
    [InlineData("with { a = 1; }; (x: with { b = 2; }; a + b + x) 3", "6")]
    [InlineData("let g = s: with s; (builtins.tryEval z).success; in [ (g { z = 1; }) (g { z = throw \"t\"; }) ]", "[ true false ]")]
    public void WithInLambdaBodies(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    [InlineData("let a = a; in a", 9)]
    [InlineData("(x: let a = a; in a) 1", 13)]
    [InlineData("let a = b; b = a; in a", 9)]
    public void InfiniteRecursionPointsAtTheBinding(string code, int column)
    {
        var e = EvalError(code);
        Assert.Contains("infinite recursion", e.Message);
        Assert.Equal((1, column), (e.Line, e.Column));
    }

    [Theory]
    [InlineData("let t = (x: let a = throw \"boom\"; b = a; in b) 1; in [ (builtins.tryEval t).success (builtins.tryEval t).success ]", "[ false false ]")]
    [InlineData("let s = builtins.mapAttrs (n: v: throw n) { a = 1; }; in [ (builtins.tryEval s.a).success (builtins.tryEval s.a).success ]", "[ false false ]")]
    [InlineData("let f = x: let a = if x then throw \"t\" else 1; in a; in [ (builtins.tryEval (f true)).success (f false) ]", "[ false 1 ]")]
    public void FailedEvaluationsCanBeRetried(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    [InlineData("let a = 1; b = 2; in [ ([ a ] == [ b ]) ([ a ] == [ a ]) ([ 1.0 ] == [ 2.0 ]) ([ null ] == [ null ]) ([ true ] == [ false ]) ]", "[ false true false true false ]")]
    [InlineData("[ (1 == 1.0) ([ 1 ] == [ 1.0 ]) (0 == false) (null == false) ]", "[ true true false false ]")]
    [InlineData("builtins.map builtins.typeOf [ 1 1.5 true null \"s\" ./. [ ] { } (x: x) builtins.add (builtins.add 1) ]",
        "[ \"int\" \"float\" \"bool\" \"null\" \"string\" \"path\" \"list\" \"set\" \"lambda\" \"lambda\" \"lambda\" ]")]
    [InlineData("[ 9223372036854775807 (-9223372036854775807 - 1) 0 (-0.0) 1.0e308 ]", "[ 9223372036854775807 -9223372036854775808 0 0 1e+308 ]")]
    public void ScalarsKeepTheirKindsAndPayloads(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    [InlineData("builtins.attrNames { b = 1; a = 2; }", "[ \"a\" \"b\" ]")]
    [InlineData("builtins.hasContext (builtins.head (builtins.attrNames { a = 1; }))", "false")]
    [InlineData("let n = builtins.head (builtins.attrNames { a = 1; }); in [ (n + \"b\") n ]", "[ \"ab\" \"a\" ]")]
    public void AttributeNamesAsStrings(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void LargeSetsAnswerLookupsBeforeAndAfterTheirIndexIsBuilt()
    {
        const string code = """
            let s = builtins.listToAttrs (builtins.genList (i: { name = "k${toString i}"; value = i; }) 500);
            in [ (builtins.foldl' (a: i: a + s."k${toString i}") 0 (builtins.genList (i: i) 500)) (s ? k999) (s ? k499) (s.k7 or 0) (s.nope or 0) ]
            """;
        Assert.Equal("[ 124750 false true 7 0 ]", Nix(code));
    }
}
