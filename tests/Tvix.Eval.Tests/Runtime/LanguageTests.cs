using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

public sealed class LanguageTests
{
    [Theory]
    [InlineData("1 + 2", "3")]
    [InlineData("7 / 2", "3")]
    [InlineData("-7 / 2", "-3")]
    [InlineData("1 + 2.5", "3.5")]
    [InlineData("0.1 + 0.2", "0.3")]
    [InlineData("1.0e20", "1e+20")]
    [InlineData("3.14159265", "3.14159")]
    [InlineData("1.0", "1")]
    [InlineData("\"a\" + \"b\"", "\"ab\"")]
    [InlineData("[ ]", "[ ]")]
    [InlineData("{ }", "{ }")]
    [InlineData("{ a = 1; b = [ 1 2 ]; }", "{ a = 1; b = [ 1 2 ]; }")]
    [InlineData("{ \"assert\" = true; \"a b\" = 1; x-y = 2; }", "{ \"a b\" = 1; \"assert\" = true; x-y = 2; }")]
    [InlineData("\"q\\\"\\\\\\n\\r\\t${\"$\"}{x}\"", "\"q\\\"\\\\\\n\\r\\t\\${x}\"")]
    [InlineData("x: x", "<LAMBDA>")]
    [InlineData("builtins.add", "<PRIMOP>")]
    [InlineData("builtins.add 1", "<PRIMOP-APP>")]
    [InlineData("null", "null")]
    [InlineData("let a = { x = 1; }; in [ a a ]", "[ { x = 1; } «repeated» ]")]
    public void PrintsLikeNix(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    [InlineData("let x = 1; y = x + 1; in y", "2")]
    [InlineData("rec { a = 1; b = a + 1; }", "{ a = 1; b = 2; }")]
    [InlineData("{ a.b = 1; a.c = 2; }", "{ a = { b = 1; c = 2; }; }")]
    [InlineData("{ a = { b = 1; }; a.c = 2; }", "{ a = { b = 1; c = 2; }; }")]
    // Nix's syntax tree has no parentheses, so a parenthesised set literal merges too.
    [InlineData("{ a = ({ b = 1; }); a.c = 2; }", "{ a = { b = 1; c = 2; }; }")]
    [InlineData("{ a.c = 2; a = (({ b = 1; })); }", "{ a = { b = 1; c = 2; }; }")]
    [InlineData("let a = ({ b = 1; }); a.c = 2; in a", "{ b = 1; c = 2; }")]
    [InlineData("{ __findFile = 1; } // { x = __add 1 2; y = builtins.isNull null; z = with { __add = 0; }; __add 1 1; }", "{ __findFile = 1; x = 3; y = true; z = 2; }")]
    [InlineData("let n = \"k\"; in { ${n} = 1; ${null} = 2; }", "{ k = 1; }")]
    [InlineData("let x = 1; in { inherit x; }", "{ x = 1; }")]
    [InlineData("let s = { a = 1; b = 2; }; in { inherit (s) a b; }", "{ a = 1; b = 2; }")]
    [InlineData("let x = 1; in rec { inherit x; y = x; }", "{ x = 1; y = 1; }")]
    [InlineData("with { x = 1; }; x", "1")]
    [InlineData("let x = 1; in with { x = 2; }; x", "1")]
    [InlineData("with { x = 1; }; with { x = 2; }; x", "2")]
    [InlineData("({ a, b ? a + 1, ... }: [ a b ]) { a = 1; c = 3; }", "[ 1 2 ]")]
    [InlineData("(args@{ a, b ? 5 }: args) { a = 1; }", "{ a = 1; }")]
    [InlineData("{ a.b = 1; } ? a.b", "true")]
    [InlineData("{ a = 1; } ? a.b", "false")]
    [InlineData("{ a = 1; }.b or 3", "3")]
    [InlineData("let { x = 1; body = x + 1; }", "2")]
    [InlineData("if 1 < 2 then \"y\" else \"n\"", "\"y\"")]
    [InlineData("[ 1 2 ] ++ [ 3 ]", "[ 1 2 3 ]")]
    [InlineData("{ a = 1; b = 1; } // { b = 2; }", "{ a = 1; b = 2; }")]
    [InlineData("1 == 1.0", "true")]
    [InlineData("(x: x) == (x: x)", "false")]
    [InlineData("let f = x: x; in [ f ] == [ f ]", "true")]
    [InlineData("[ 1 2 ] < [ 1 3 ]", "true")]
    [InlineData("\"${/.}\"", "\"/\"")]
    [InlineData("./a/../b", "/base/b")]
    [InlineData("./a + \"/c\"", "/base/a/c")]
    [InlineData("let s = { __toString = self: \"S\"; }; in \"${s}\"", "\"S\"")]
    [InlineData("let f = { __functor = self: x: x + 1; }; in f 1", "2")]
    [InlineData("builtins.tryEval (throw \"x\")", "{ success = false; value = false; }")]
    [InlineData("builtins.tryEval (assert false; 1)", "{ success = false; value = false; }")]
    [InlineData("builtins.sort builtins.lessThan [ 3 1 2 ]", "[ 1 2 3 ]")]
    [InlineData("builtins.attrNames { b = 1; a = 2; \"B\" = 3; }", "[ \"B\" \"a\" \"b\" ]")]
    [InlineData("builtins.foldl' (a: b: a + b) 0 (builtins.genList (x: x) 100000)", "4999950000")]
    [InlineData("builtins.functionArgs ({ a, b ? 1 }: a)", "{ a = false; b = true; }")]
    [InlineData("builtins.replaceStrings [ \"a\" \"\" ] [ \"x\" \"-\" ] \"ab\"", "\"x-b-\"")]
    [InlineData("builtins.toString [ 1 null true [ ] \"s\" ]", "\"1  1 s\"")]
    [InlineData("builtins.substring 1 2 \"abcd\"", "\"bc\"")]
    [InlineData("builtins.concatStringsSep \",\" [ \"a\" \"b\" ]", "\"a,b\"")]
    [InlineData("builtins.typeOf 1.5", "\"float\"")]
    [InlineData("builtins.listToAttrs [ { name = \"a\"; value = 1; } { name = \"a\"; value = 2; } ]", "{ a = 1; }")]
    [InlineData("builtins.mapAttrs (n: v: n + v) { a = \"x\"; }", "{ a = \"ax\"; }")]
    [InlineData("builtins.genericClosure { startSet = [ { key = 1; } ]; operator = x: if x.key < 3 then [ { key = x.key + 1; } ] else [ ]; }", "[ { key = 1; } { key = 2; } { key = 3; } ]")]
    [InlineData("__add 1 2", "3")]
    [InlineData("map (x: x * 2) [ 1 2 ]", "[ 2 4 ]")]
    public void Evaluates(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    [InlineData("let x = x; in x", "infinite recursion encountered")]
    [InlineData("x", "undefined variable 'x'")]
    [InlineData("{ }.a", "attribute 'a' missing")]
    [InlineData("1 + \"a\"", "cannot add a string to an integer")]
    [InlineData("9223372036854775807 + 1", "integer overflow in adding 9223372036854775807 + 1")]
    [InlineData("1 / 0", "division by zero")]
    [InlineData("({ a }: a) { }", "function 'anonymous lambda' called without required argument 'a'")]
    [InlineData("let f = { a }: a; in f { a = 1; b = 2; }", "function 'f' called with unexpected argument 'b'")]
    [InlineData("assert 1 == 2; 1", "integer '1' is not equal to integer '2'")]
    [InlineData("assert 1 < 0; 1", "assertion '(__lessThan 1 0)' failed")]
    [InlineData("let s = { a = 1; b = 2; }; in assert s.a != s.b -> s ? c; 1", "assertion '(((s).a != (s).b) -> ((s) ? c))' failed")]
    [InlineData("assert { a = [ 1 ]; } == { a = [ 2 ]; }; 1", "integer '1' is not equal to integer '2'")]
    [InlineData("{ a = 1; }.a.b", "expected a set but found an integer: 1")]
    [InlineData("abort \"no\"", "evaluation aborted with the following error message: 'no'")]
    public void Fails(string code, string message) => Assert.Equal(message, EvalError(code).Message);

    // Which argument a list builtin checks first decides the error; current Nix checks `filter`'s
    // and `sort`'s list before their function (and skips the function for an empty list), and
    // `zipAttrsWith`'s function before its list.
    [Theory]
    [InlineData("builtins.filter 1 \"foo\"", "expected a list but found a string: \"foo\"")]
    [InlineData("builtins.sort 1 \"foo\"", "expected a list but found a string: \"foo\"")]
    [InlineData("builtins.filter 1 [ 2 ]", "expected a function but found an integer: 1")]
    [InlineData("builtins.sort 1 [ 2 ]", "expected a function but found an integer: 1")]
    [InlineData("builtins.zipAttrsWith 1 [ ]", "expected a function but found an integer: 1")]
    [InlineData("builtins.zipAttrsWith 1 \"foo\"", "expected a function but found an integer: 1")]
    public void ListBuiltinsCheckArgumentsInNixsOrder(string code, string message) => Assert.Equal(message, EvalError(code).Message);

    [Theory]
    [InlineData("builtins.filter 1 [ ]")]
    [InlineData("builtins.sort 1 [ ]")]
    [InlineData("map 1 [ ]")]
    public void AnEmptyListNeedsNoFunction(string code) => Assert.Equal("[ ]", Nix(code));

    [Fact]
    public void ErrorsCarryPositions()
    {
        var (_, line, col, _) = EvalError("let\n  a = 1;\nin b");
        Assert.Equal((3, 4), (line, col));
    }

    [Fact]
    public void ThrowIsCatchableAbortIsNot()
    {
        Assert.True(EvalError("throw \"x\"").Catchable);
        Assert.False(EvalError("abort \"x\"").Catchable);
        Assert.Equal("evaluation aborted with the following error message: 'x'", EvalError("builtins.tryEval (abort \"x\")").Message);
    }

    [Fact]
    public void DeepRecursionIsANixErrorNotACrash()
    {
        var (message, _, _, _) = EvalError("let f = x: 1 + f x; in f 0");
        Assert.Contains("stack overflow", message);
    }

    [Fact]
    public void MaxCallDepthIsHonoured()
    {
        var options = new EvaluatorOptions { IO = new InMemoryEvalIO(), MaxCallDepth = 100 };
        Assert.Equal("stack overflow; max-call-depth exceeded", EvalError("let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 1000", options).Message);
        Assert.Equal("50", Nix("let f = n: if n == 0 then 0 else 1 + f (n - 1); in f 50", options));
    }

    [Fact]
    public void TwoEvaluatorsShareNoState()
    {
        var a = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO().AddFile("/x.nix", "1") });
        var b = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO().AddFile("/x.nix", "2") });
        var ra = a.EvaluateString("{ zzz = import /x.nix; }");
        var rb = b.EvaluateString("{ yyy = import /x.nix; }");
        Assert.Equal("{ zzz = 1; }", a.Run(cx => cx.Print(ra.Value, true)));
        Assert.Equal("{ yyy = 2; }", b.Run(cx => cx.Print(rb.Value, true)));
    }

    [Fact]
    public void ImportsAreCachedAndResolveDirectories()
    {
        var io = new InMemoryEvalIO().AddFile("/d/default.nix", "{ v = ./x; }").AddFile("/d/x", "");
        Assert.Equal("true", Nix("import /d == import /d/default.nix", new EvaluatorOptions { IO = io }));
        Assert.Equal("/d/x", Nix("(import /d).v", new EvaluatorOptions { IO = io }));
    }

    [Fact]
    public void PureModeRefusesIO()
    {
        var (message, _, _, _) = EvalError("builtins.readFile /etc/passwd", new EvaluatorOptions { IO = new PureEvalIO() });
        Assert.Contains("pure mode", message);
    }

    [Fact]
    public void HostsCanAddBuiltins()
    {
        var options = new EvaluatorOptions { IO = new InMemoryEvalIO() };
        options.Builtins.Add(r => r.Add("double", 1, static (cx, a) => Value.FromInt(cx.ForceInt(a[0]) * 2)));
        options.Builtins.Add(r => r.AddNixSource("quadruple", "x: builtins.double (builtins.double x)"));
        Assert.Equal("[ 4 8 ]", Nix("[ (builtins.double 2) (__quadruple 2) ]", options));
    }

    [Fact]
    public void StoreBuiltinsFailClearly() =>
        Assert.Equal("builtins.toFile requires a store (not available in this evaluator)", EvalError("builtins.toFile \"a\" \"b\"").Message);

    [Fact]
    public void CancellationStopsEvaluation()
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() =>
            evaluator.EvaluateString("let f = n: if n == 0 then 0 else f (n - 1); in f 100000", cancellationToken: cts.Token));
    }

    [Fact]
    public void CancellationDuringEvaluationStopsItAndLeavesTheEvaluatorUsable()
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        using var cts = new CancellationTokenSource();
        // Cancelled from another thread while it runs: 10^8 calls, many seconds on their own.
        cts.CancelAfter(TimeSpan.FromMilliseconds(50));
        Assert.Throws<OperationCanceledException>(() => evaluator.EvaluateString(
            "let f = n: if n == 0 then 0 else 1 + f (n - 1); in builtins.foldl' (a: i: a + f 1000) 0 (builtins.genList (i: i) 100000)",
            cancellationToken: cts.Token));
        // The next evaluation has a token of its own (none here) and is not stopped by the old one.
        var result = evaluator.EvaluateString("let f = n: if n == 0 then 0 else f (n - 1); in f 1000");
        Assert.True(result.Success);
        Assert.Equal(0, result.Value.AsInt);
    }
}

public sealed class CheckTests
{
    [Fact]
    public void CheckReportsUndefinedVariablesWithoutEvaluating()
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var diagnostics = evaluator.Check(Tvix.Eval.Syntax.SourceText.From("let a = throw \"never\"; in [ a b (with {}; c) ]"));
        var d = Assert.Single(diagnostics);
        Assert.Equal("undefined variable 'b'", d.Message);
        Assert.Equal((1, 31), d.Position);
    }
}
