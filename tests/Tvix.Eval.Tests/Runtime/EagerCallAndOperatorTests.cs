using Xunit;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// The allocation shortcuts must be unobservable: operators folded in <c>Delay</c> (only when they
/// cannot fail), builtins called from a stack buffer, and one-object lazy calls.
/// </summary>
public sealed class EagerCallAndOperatorTests
{
    [Theory]
    [InlineData("let n = 3; in [ (n + 1) (n - 1) (n * 2) (n == 3) (n != 3) (n < 4) (n <= 3) (n > 3) (n >= 4) ]",
        "[ 4 2 6 true false true true false false ]")]
    [InlineData("let f = n: if n < 2 then n else f (n - 1) + f (n - 2); in f 20", "6765")]
    // Operations that would fail stay lazy: an unused overflow, type error or division by zero is no error.
    [InlineData("let n = 9223372036854775807; f = x: 1; in f (n + 1)", "1")]
    [InlineData("let n = 9223372036854775807; m = -9223372036854775807; in builtins.length [ (n + 1) (m - 2) (n * 2) (m * n) ]", "4")]
    [InlineData("let x = 1; y = \"a\"; z = 0; in builtins.length [ (x + y) (x / z) (x < y) ]", "3")]
    public void OperatorsInLazyPositions(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    // Pure builtins on a known argument in a lazy position are computed at once (PureCall);
    // anything that could fail, force or run code stays a thunk.
    [InlineData("let inherit (builtins) substring stringLength; hasPrefix = p: s: substring 0 (stringLength p) s == p; in [ (hasPrefix \"ab\" \"abc\") (hasPrefix \"b\" \"abc\") ]", "[ true false ]")]
    [InlineData("let s = \"abc\"; l = [ 1 2 ]; in [ (builtins.stringLength s) (builtins.length l) (builtins.isString s) (builtins.isList s) (builtins.isFunction builtins.add) ]", "[ 3 2 true false true ]")]
    [InlineData("let n = 1; f = x: 1; in f (builtins.stringLength n)", "1")]
    [InlineData("let l = [ 1 (throw \"no\") ]; e = [ ]; f = x: 1; in [ (builtins.head l) (f (builtins.head e)) ]", "[ 1 1 ]")]
    [InlineData("let g = x: x; l = [ g ]; in [ (builtins.head l) ] == [ (builtins.head l) ]", "false")]
    [InlineData("let s = { __toString = _: \"four\"; }; in builtins.length [ (builtins.stringLength s) ]", "1")]
    [InlineData("let s = { __toString = _: \"four\"; }; xs = [ (builtins.stringLength s) ]; in builtins.head xs", "4")]
    // `tail` of a short known list is a fresh list at once; of an empty one, an error only when read.
    [InlineData("let g = x: x; l = [ g g ]; t = builtins.tail l; e = [ ]; f = x: 1; in [ ([ t ] == [ t ]) ([ (builtins.tail l) ] == [ (builtins.tail l) ]) (f (builtins.tail e)) (builtins.tail [ 1 2 3 ]) ]", "[ true true 1 [ 2 3 ] ]")]
    [InlineData("let l = builtins.genList (i: i) 40; in builtins.seq l (builtins.length (builtins.tail l))", "39")]
    [InlineData("let c = cmp: a: b: if a == [ ] then 0 else let r = cmp (builtins.head a) (builtins.head b); in if r == 0 then c cmp (builtins.tail a) (builtins.tail b) else r; in map (b: c (x: y: x - y) [ 1 2 3 ] b) [ [ 1 2 3 ] [ 1 2 4 ] [ 1 0 9 ] ]", "[ 0 -1 2 ]")]
    public void PureBuiltinsInLazyPositions(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void APureBuiltinOnAWrongArgumentFailsWhenForced() =>
        Assert.Equal("cannot coerce an integer to a string: 1", EvalError("let n = 1; xs = [ (builtins.stringLength n) ]; in builtins.head xs").Message);

    [Fact]
    public void TailOfAnEmptyKnownListFailsWhenRead() =>
        Assert.Equal("'builtins.tail' called on an empty list", EvalError("let e = [ ]; xs = [ (builtins.tail e) ]; in builtins.head xs").Message);

    [Fact]
    public void UnusedOverflowIsRaisedWhenForced() =>
        Assert.Contains("integer overflow", EvalError("let n = 9223372036854775807; xs = [ (n + 1) ]; in builtins.head xs").Message);

    [Theory]
    [InlineData("builtins.foldl' builtins.add 0 [ 1 2 3 ]", "6")]
    [InlineData("let add = builtins.add; p = add 1; in p 2", "3")]
    [InlineData("builtins.substring 1 2 \"hello\"", "\"el\"")]
    [InlineData("let sub = builtins.substring 1; in sub 3 \"hello\"", "\"ell\"")]
    [InlineData("builtins.sort builtins.lessThan [ 3 1 2 ]", "[ 1 2 3 ]")]
    public void BuiltinsGivenAllArguments(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    [InlineData("map (x: x * 2) [ 1 2 3 ]", "[ 2 4 6 ]")]
    [InlineData("let xs = map (x: throw \"e\") [ 1 ]; in [ (builtins.tryEval (builtins.head xs)).success (builtins.tryEval (builtins.head xs)).success ]", "[ false false ]")]
    public void LazyCalls(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void LazyCallThatNeedsItselfIsInfiniteRecursion() =>
        Assert.Contains("infinite recursion", EvalError("let xs = map (x: builtins.head xs) [ 1 ]; in builtins.head xs").Message);
    [Theory]
    // Curried lambdas applied to several arguments skip the intermediate closures: arguments stay
    // lazy, partial applications still work, and calls mixing curried and pattern lambdas agree.
    [InlineData("let f = x: y: x; in f 1 (throw \"unused\")", "1")]
    [InlineData("let f = x: y: z: [ x y z ]; g = f 1; in [ (g 2 3) (f 4 5 6) ((f 7) 8 9) ]", "[ [ 1 2 3 ] [ 4 5 6 ] [ 7 8 9 ] ]")]
    [InlineData("let f = x: { a, b ? x }: y: [ x a b y ]; in f 1 { a = 2; } 3", "[ 1 2 1 3 ]")]
    [InlineData("let f = x: y: x + y; in builtins.map (f 1) [ 1 2 ]", "[ 2 3 ]")]
    [InlineData("let f = x: y: x; in (f 1 2 3)", null)]
    public void CurriedCallsAreUnobservable(string code, string? expected)
    {
        if (expected is null) Assert.StartsWith("attempt to call something which is not a function", EvalError(code).Message);
        else Assert.Equal(expected, Nix(code));
    }
    [Theory]
    // `x.a` in a lazy position, taken without a thunk when x and the path are evaluated, is still lazy.
    [InlineData("let s = { a = throw \"boom\"; b = 1; }; t = { inherit (s) a b; }; in builtins.seq s t.b", "1")]
    [InlineData("let s = { a.b = 2; }; in builtins.seq s.a [ s.a.b (s.a.c or 3) ]", "[ 2 3 ]")]
    [InlineData("let s = { }; in builtins.seq s (builtins.length [ s.missing ])", "1")]
    [InlineData("builtins.length [ builtins.nope ]", "1")]
    // Nix's `==` treats the very same value slot as equal, even a function, but a selection in a
    // lazy position is a fresh thunk there: no shortcut may hand out the attribute's own slot.
    [InlineData("let foo = { bar = x: x; s = { }; }; in builtins.seq foo.bar [ ([ foo.bar ] == [ foo.bar ]) ({ inherit (foo) bar; } == { inherit (foo) bar; }) ([ foo.s ] == [ foo.s ]) ]", "[ false false true ]")]
    [InlineData("let inherit (builtins) add; in [ ([ builtins.add ] == [ builtins.add ]) ([ add ] == [ add ]) ]", "[ false true ]")]
    public void SelectionsInLazyPositionsStayLazy(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void MissingAttributeInALazySelectionFailsWhenForced()
    {
        var (message, line, column, _) = EvalError("let s = { }; xs = [ s.missing ]; in builtins.seq s (builtins.head xs)");
        Assert.Equal("attribute 'missing' missing", message);
        Assert.Equal((1, 21), (line, column));
    }
    [Theory]
    // One-byte substrings are shared strings, but only context-free ones: a context is kept.
    [InlineData("let s = \"abc\"; in builtins.genList (i: builtins.substring i 1 s) 4", "[ \"a\" \"b\" \"c\" \"\" ]")]
    [InlineData("builtins.hasContext (builtins.substring 1 1 (builtins.appendContext \"abc\" { \"/nix/store/00000000000000000000000000000000-x\" = { path = true; }; }))", "true")]
    [InlineData("builtins.substring 0 1 \"\\n\" == \"\\n\"", "true")]
    public void OneByteSubstrings(string code, string expected) => Assert.Equal(expected, Nix(code));
}
