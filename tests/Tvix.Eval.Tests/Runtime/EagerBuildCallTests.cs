using Tvix.Eval.Runtime;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// <c>map</c>, <c>genList</c>, <c>mapAttrs</c> and <c>zipAttrsWith</c> make the calls of a function
/// whose body only builds a value (a set literal with static names, a list, a lambda) or returns a
/// parameter at once (<see cref="BodyEffects"/>): nothing of that may show. The results still
/// print as unevaluated without <c>--strict</c>, bodies whose values would fail do not fail, and
/// <c>==</c> sees the slots Nix sees. Expected values are C++ Nix 2.8's.
/// </summary>
public sealed class EagerBuildCallTests
{
    private static string Lazy(string code)
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString(code, "/base");
        Assert.True(result.Success);
        return evaluator.Run(cx => cx.Print(result.Value, strict: false));
    }

    [Theory]
    [InlineData("map (x: { a = x; }) [ 1 2 ]", "[ <CODE> <CODE> ]")]
    [InlineData("builtins.mapAttrs (n: v: { inherit n v; }) { x = 1; }", "{ x = <CODE>; }")]
    [InlineData("builtins.zipAttrsWith (n: vs: vs) [ { a = 1; } { a = 2; b = 3; } ]", "{ a = <CODE>; b = <CODE>; }")]
    [InlineData("builtins.genList (i: [ i ]) 2", "[ <CODE> <CODE> ]")]
    [InlineData("map (x: y: x) [ 1 ]", "[ <CODE> ]")]
    public void EagerCallsStillPrintAsUnevaluated(string code, string expected) => Assert.Equal(expected, Lazy(code));

    [Theory]
    [InlineData("map (x: { a = x; }) [ 1 2 ]", "[ { a = 1; } { a = 2; } ]")]
    [InlineData("builtins.mapAttrs (n: v: { inherit n v; }) { x = 1; }", "{ x = { n = \"x\"; v = 1; }; }")]
    [InlineData("builtins.zipAttrsWith (n: vs: vs) [ { a = 1; } { a = 2; b = 3; } ]", "{ a = [ 1 2 ]; b = [ 3 ]; }")]
    [InlineData("builtins.mapAttrs (n: v: { x = n; }) { a = 1; b = 2; }", "{ a = { x = \"a\"; }; b = { x = \"b\"; }; }")]
    [InlineData("builtins.genList (i: { inherit i; }) 3", "[ { i = 0; } { i = 1; } { i = 2; } ]")]
    // A curried function given fewer arguments than it takes: the partial application is made at once.
    [InlineData("let f = a: b: c: [ a b c ]; g = map f [ 1 2 ]; in map (h: h 3 4) g", "[ [ 1 3 4 ] [ 2 3 4 ] ]")]
    [InlineData("let f = a: b: { inherit a b; }; in builtins.mapAttrs (n: v: f v) { x = 1; }", "{ x = <LAMBDA>; }")]
    // Bodies that evaluate something stay lazy calls.
    [InlineData("builtins.mapAttrs (n: v: { ${n} = v; }) { a = 1; }", "{ a = { a = 1; }; }")]
    [InlineData("map ({ a }: { inherit a; }) [ { a = 1; } ]", "[ { a = 1; } ]")]
    [InlineData("map (x: x) [ 1 \"s\" [ 2 ] { c = 3; } ]", "[ 1 \"s\" [ 2 ] { c = 3; } ]")]
    // Functions reached through an evaluated thunk (a let binding forced before).
    [InlineData("let f = x: { a = x; }; g = n: v: { inherit n v; }; in builtins.seq f (builtins.seq g [ (map f [ 1 ]) (builtins.mapAttrs g { b = 2; }) ])", "[ [ { a = 1; } ] { b = { n = \"b\"; v = 2; }; } ]")]
    public void EagerCallsGiveTheSameValues(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    // The values of the built sets are still lazy: only what is used is evaluated.
    [InlineData("builtins.length (map (x: { a = throw \"no\"; }) [ 1 2 ])", "2")]
    [InlineData("builtins.attrNames (builtins.mapAttrs (n: v: { b = v.missing; }) { x = 1; })", "[ \"x\" ]")]
    [InlineData("builtins.length (map (x: [ (x + \"s\") ]) [ 1 ])", "1")]
    // A function given as a thunk that fails is not forced by mapAttrs.
    [InlineData("builtins.attrNames (builtins.mapAttrs (throw \"f\") { a = 1; })", "[ \"a\" ]")]
    public void EagerCallsEvaluateNothingMore(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    // A returned argument that is a function keeps a slot of its own, as in Nix (where it is a new value).
    [InlineData("let s = builtins.mapAttrs (n: v: v) { a = x: x; }; in s.a == s.a", "false")]
    [InlineData("let s = builtins.mapAttrs (n: v: y: v) { a = 1; }; in [ (s.a == s.a) ]", "[ false ]")]
    [InlineData("let m = map (x: y: x) [ 1 ]; in [ (builtins.head m == builtins.head m) ]", "[ false ]")]
    [InlineData("let r = builtins.zipAttrsWith (n: vs: vs) [ { a = 1; } { a = 2; } ]; in [ (r.a == r.a) (r.a == [ 1 2 ]) ]", "[ true true ]")]
    // Printing a short list reached through two slots, and a longer one.
    [InlineData("let r = builtins.zipAttrsWith (n: vs: vs) [ { a = 1; } { a = 2; } ]; t = { p = r.a; q = r.a; }; in builtins.deepSeq t t", "{ p = [ 1 2 ]; q = [ 1 2 ]; }")]
    [InlineData("let l = builtins.genList (i: i) 2; r = map (x: x) [ l l ]; in builtins.deepSeq r r", "[ [ 0 1 ] [ 0 1 ] ]")]
    public void EagerCallsKeepNixsSlots(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    // A body that calls an outer function which only builds (mkIf, a partial mkOverride).
    [InlineData("let mkIf = c: x: { _type = \"if\"; condition = c; content = x; }; in builtins.mapAttrs (n: v: mkIf true v) { a = 1; }", "{ a = { _type = \"if\"; condition = true; content = 1; }; }")]
    [InlineData("let mkOverride = p: c: { inherit p c; }; mkDefault = mkOverride 1000; in builtins.mapAttrs (n: v: mkDefault v) { a = 1; }", "{ a = { c = 1; p = 1000; }; }")]
    // Outer functions that evaluate something, call themselves, or are not evaluated yet stay lazy.
    [InlineData("let g = c: x: c + x; in builtins.attrNames (builtins.mapAttrs (n: v: g \"s\" v) { a = 1; })", "[ \"a\" ]")]
    [InlineData("let g = c: x: c + x; in builtins.mapAttrs (n: v: g 1 v) { a = 1; }", "{ a = 2; }")]
    [InlineData("let f = x: f x; in builtins.length (map (y: f y) [ 1 ])", "1")]
    [InlineData("let f = x: g x; g = x: f x; in builtins.length (map (y: f y) [ 1 ])", "1")]
    [InlineData("let h = (x: x) (y: { inherit y; }); in map (z: h z) [ 1 ]", "[ { y = 1; } ]")]
    [InlineData("let h = (x: x) (y: { a = throw \"no\"; }); in builtins.length (map (z: h z) [ 1 ])", "1")]
    public void CallsOfOuterFunctionsThatOnlyBuild(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    [InlineData("let mkIf = c: x: { inherit c x; }; in builtins.mapAttrs (n: v: mkIf true v) { a = 1; }", "{ a = <CODE>; }")]
    [InlineData("let mkIf = c: x: { inherit c x; }; in map (v: mkIf true v) [ 1 ]", "[ <CODE> ]")]
    public void CallsOfOuterFunctionsStillPrintAsUnevaluated(string code, string expected) => Assert.Equal(expected, Lazy(code));
}
