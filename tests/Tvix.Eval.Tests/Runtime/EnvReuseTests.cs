using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// Calls of lambdas whose bodies keep no reference to their environment reuse it afterwards.
/// These programs nest, recurse, fail and partially apply such calls, and mix them with lambdas
/// that do keep their environment, where reuse would show as wrong values.
/// </summary>
public sealed class EnvReuseTests
{
    [Theory]
    [InlineData("let add = a: b: a + b; in add (add 1 2) (add 3 4)", "10")]
    [InlineData("let swap = x: y: n: if n == 0 then [ x y ] else swap y x (builtins.sub n 1); in swap 1 2 5", "[ 2 1 ]")]
    [InlineData("let k = x: y: x; g = k 1; in [ (g 2) (g 3) (k 4 5) ]", "[ 1 1 4 ]")]
    [InlineData("let pick = s: s.a; in map pick [ { a = 1; } { a = 2; } ]", "[ 1 2 ]")]
    [InlineData("let f = x: x.v * 2; in builtins.foldl' (acc: e: acc + f e) 0 [ { v = 1; } { v = 2; } { v = 3; } ]", "12")]
    [InlineData("let f = { a, b ? 2 }: a + b; in [ (f { a = 1; }) (f { a = 1; b = 5; }) ]", "[ 3 6 ]")]
    [InlineData("let f = { a, b ? a * 10 }: a + b; in [ (f { a = 1; }) (f { a = 2; }) ]", "[ 11 22 ]")]
    [InlineData("let mk = x: y: [ x y ]; in [ (mk 1 2) (mk 3 4) ]", "[ [ 1 2 ] [ 3 4 ] ]")]
    [InlineData("let lazy = x: y: [ x (y + 1) ]; a = lazy 1 2; b = lazy 3 4; in [ a b ]", "[ [ 1 3 ] [ 3 5 ] ]")]
    [InlineData("let capture = x: y: z: x + y + z; f = capture 1; g = f 2; in [ (g 3) (f 5 6) (g 10) ]", "[ 6 12 13 ]")]
    public void ResultsAreRight(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void AFailedCallLeavesLaterCallsRight()
    {
        Assert.Equal("[ false 3 { success = true; value = 7; } ]", Nix("""
            let f = x: y: if y then x + 1 else throw "no";
            in [ (builtins.tryEval (f 1 false)).success (f 2 true) (builtins.tryEval (f 6 true)) ]
            """));
    }

    [Fact]
    public void DeepNestingOfReusedCallsKeepsEveryLevelApart()
    {
        // Each level's argument is a call whose environment is in use while the next one runs.
        Assert.Equal("500500", Nix("""
            let add = a: b: a + b;
                go = n: if n == 0 then 0 else add n (go (builtins.sub n 1));
            in go 1000
            """));
    }

    [Fact]
    public void OnlyBodiesThatKeepNothingReuseTheirEnvironment()
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        bool Reuses(string code)
        {
            var result = evaluator.EvaluateString(code, "/base");
            Assert.True(result.Success);
            return evaluator.Run(cx =>
            {
                var f = cx.Force(result.Value);
                var closure = (Tvix.Eval.Runtime.Closure)f.Obj!;
                return closure.Code.Chain is { } chain ? chain.ReusesEnv : closure.Code.ReusesEnv;
            });
        }
        Assert.True(Reuses("a: b: a + b"), "a: b: a + b");
        Assert.True(Reuses("x: if x.ok then x.v else builtins.throw \"no\""), "x: if x.ok then x.v else builtins.throw \"no\"");
        Assert.True(Reuses("{ a, b ? 1 }: a + b"), "{ a, b ? 1 }: a + b");
        Assert.False(Reuses("x: y: x + y + 1 == 0 || [ (x + 1) ] == []"), "x: y: x + y + 1 == 0 || [ (x + 1) ] == []");  // a list item thunk over x
        Assert.False(Reuses("x: { v = x; w = x + 1; }"), "x: { v = x; w = x + 1; }");
        Assert.True(Reuses("x: y: z: x"), "x: y: z: x");                                    // one chain, one environment
        Assert.False(Reuses("x: [ (y: x + y) ]"), "x: [ (y: x + y) ]");                            // a closure over x
        Assert.True(Reuses("x: let y = x; in y"), "x: let y = x; in y");        // y's slot holds x's value
        Assert.True(Reuses("x: if x then { } else { a = 1; b = x; }"), "x: if x then { } else { a = 1; b = x; }");
        Assert.False(Reuses("x: let a = b; b = x; in [ a ]"), "x: let a = b; b = x; in [ a ]");  // a defers its read of b
        Assert.False(Reuses("x: { a = x + 1; }"), "x: { a = x + 1; }");
        Assert.False(Reuses("x: { ${x} = 1; }"), "x: { ${x} = 1; }");
        Assert.False(Reuses("{ a, b ? a + 1 }: a"), "{ a, b ? a + 1 }: a");                           // the default is a thunk over the call
        // Arguments of a complete call of a builtin that keeps none of them (nixpkgs' hasPrefix),
        // also through a let or rec binding of the builtin.
        Assert.True(Reuses("pref: str: builtins.substring 0 (builtins.stringLength pref) str == pref"), "pref: str: builtins.substring 0 (builtins.stringLength pref) str == pref");
        Assert.True(Reuses("let inherit (builtins) substring stringLength; in pref: str: substring 0 (stringLength pref) str == pref"), "let inherit (builtins) substring stringLength; in pref: str: substring 0 (stringLength pref) str == pref");
        Assert.True(Reuses("(rec { inherit (builtins) substring; s = builtins.stringLength; f = x: substring 0 (s x) x; }).f"), "(rec { inherit (builtins) substring; s = builtins.stringLength; f = x: substring 0 (s x) x; }).f");
        Assert.True(Reuses("i: \"a${toString (i * 2)}b${builtins.replaceStrings [ \"a\" ] [ \"b\" ] (toString (i + 1))}\""), "toString and replaceStrings");
        Assert.False(Reuses("x: builtins.seq (x + 1) 2"), "x: builtins.seq (x + 1) 2");                     // seq returns its second argument as it is
        Assert.False(Reuses("x: builtins.substring 0 (x + 1)"), "x: builtins.substring 0 (x + 1)");               // a partial application keeps its arguments
        Assert.False(Reuses("x: builtins.head [ (x + 1) ]"), "x: builtins.head [ (x + 1) ]");                  // the list's item is a thunk over the call
        Assert.False(Reuses("let builtins = { stringLength = x: x; }; in x: builtins.stringLength (x + 1)"), "let builtins = { stringLength = x: x; }; in x: builtins.stringLength (x + 1)");
        Assert.False(Reuses("(rec { inherit (builtins) stringLength; __overrides = { }; f = x: stringLength (x + 1); }).f"), "(rec { inherit (builtins) stringLength; __overrides = { }; f = x: stringLength (x + 1); }).f");
    }

    [Theory]
    // The same calls many times over, each in a reused environment, with the argument thunks
    // forced in the call, left unforced, or failing.
    [InlineData("let inherit (builtins) substring stringLength; hasPrefix = pref: str: substring 0 (stringLength pref) str == pref; in builtins.length (builtins.filter (s: hasPrefix \"a\" s) (builtins.genList (i: if i / 2 * 2 == i then \"a${toString i}\" else \"b\") 1000))", "500")]
    [InlineData("let f = x: builtins.elemAt [ 1 2 3 ] (x - x); in map f [ 1 2 3 ]", "[ 1 1 1 ]")]
    [InlineData("let f = x: builtins.tryEval (builtins.stringLength (if x then throw \"no\" else \"ab\")); in map f [ true false true ]", "[ { success = false; value = false; } { success = true; value = 2; } { success = false; value = false; } ]")]
    [InlineData("let f = x: let a = b; b = x; in [ a ]; in [ (f 1) (f 2) ]", "[ [ 1 ] [ 2 ] ]")]
    [InlineData("let f = x: let y = x; in { v = y; }; in [ (f 1) (f 2) ]", "[ { v = 1; } { v = 2; } ]")]
    public void ConsumedArgumentsLeaveLaterCallsRight(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    // A name bound to a builtin compiles to the builtin: `==` still sees a fresh thunk where Nix has one.
    [InlineData("let inherit (builtins) add; in [ ([ builtins.add ] == [ builtins.add ]) ([ add ] == [ add ]) ([ add ] == [ builtins.add ]) ]", "[ false true false ]")]
    [InlineData("let builtins = { add = 1; }; inherit (builtins) add; in add", "1")]
    [InlineData("let s = rec { inherit (builtins) add; __overrides = { add = 5; }; x = add; }; in s.x", "5")]
    [InlineData("with { builtins = { add = 1; }; }; let inherit (builtins) add; in add 1 2", "3")]
    public void NamesBoundToBuiltinsBehaveAsTheirSlots(string code, string expected) => Assert.Equal(expected, Nix(code));
    [Theory]
    // Bodies that keep their environment on some paths only (a folded `n - 1` falls back to a
    // thunk when `n` is not known yet; a closure, a default or a scope on one branch): a call that
    // made nothing over its environment gives it back, one that did keeps it. The captured calls'
    // values are read after later calls have run in reused environments.
    [InlineData("let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in map fib (builtins.genList (i: i + 0) 12)", "[ 0 1 1 2 3 5 8 13 21 34 55 89 ]")]
    [InlineData("let f = n: if n > 2 then (x: x + n) else n - 1; gs = map f [ 3 1 4 1 5 ]; in map (g: if builtins.isFunction g then g 100 else g) gs", "[ 103 0 104 0 105 ]")]
    [InlineData("let f = n: [ (n + 1) ]; a = f (builtins.add 5 5); b = f 1; c = f 2; r = [ a b c ]; in builtins.deepSeq [ b c ] r", "[ [ 11 ] [ 2 ] [ 3 ] ]")]
    [InlineData("let f = { a, b ? a + 1 }: [ b ]; in [ (f { a = 1; }) (f { a = 2; b = 7; }) (f { a = 3; }) ]", "[ [ 2 ] [ 7 ] [ 4 ] ]")]
    [InlineData("let f = n: with { k = n; }; [ k (n * 2) ]; in [ (f 1) (f 2) (f (builtins.add 1 2)) ]", "[ [ 1 2 ] [ 2 4 ] [ 3 6 ] ]")]
    [InlineData("let f = n: if n == 0 then throw \"zero\" else [ (n + 1) ]; in map (n: builtins.tryEval (f n)) [ 0 1 (builtins.add 0 0) 2 ]", "[ { success = false; value = false; } { success = true; value = [ 2 ]; } { success = false; value = false; } { success = true; value = [ 3 ]; } ]")]
    [InlineData("let go = n: if n == 0 then [ ] else [ (n * 2) ] ++ go (n - 1); in builtins.foldl' (a: b: a + b) 0 (go (builtins.add 300 0))", "90300")]
    [InlineData("let f = a: b: if a then [ (b + 1) ] else b - 1; xs = [ (f true (builtins.add 1 1)) (f false 5) (f true 7) (f false 9) ]; in builtins.deepSeq (builtins.tail xs) xs", "[ [ 3 ] 4 [ 8 ] 8 ]")]
    [InlineData("let f = x: let s = { inherit x; }; in if x > 1 then s else x; in [ (f 1) (f 2) (f 0) ]", "[ 1 { x = 2; } 0 ]")]
    public void CallsThatKeepTheirEnvironmentOnlySometimesStayRight(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void AnEnvironmentIsMarkedWhenAThunkClosureOrScopeIsMadeOverIt()
    {
        var parent = Tvix.Eval.Runtime.Env.ForCall(1, default);
        var env = Tvix.Eval.Runtime.Env.ForCall(2, parent);
        Assert.False(env.IsCaptured);
        _ = new Tvix.Eval.Runtime.Env(1, env);
        Assert.True(env.IsCaptured);
        Assert.False(parent.IsCaptured);  // a call's environment does not mark its closure's again
        var other = Tvix.Eval.Runtime.Env.ForCall(1, parent);
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var lambda = evaluator.EvaluateString("x: x", "/base");
        evaluator.Run(cx =>
        {
            var closure = (Tvix.Eval.Runtime.Closure)cx.Force(lambda.Value).Obj!;
            _ = new Tvix.Eval.Runtime.Closure(closure.Code, other);
            return 0;
        });
        Assert.True(other.IsCaptured);
    }
}
