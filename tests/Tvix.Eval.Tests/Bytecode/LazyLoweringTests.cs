using Tvix.Eval.Bytecode;
using Tvix.Eval.Runtime;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Bytecode;

/// <summary>
/// The code of the values of big sets and <c>let</c>s (thunks and lambda bodies) is emitted on
/// their first run: until then a unit is a stub, and a run through the stub must behave as a run
/// of the emitted code.
/// </summary>
public sealed class LazyLoweringTests
{
    /// <summary>Enough filler bindings to make a set or <c>let</c> big enough for lazy code.</summary>
    private static readonly string Filler = string.Join(" ", Enumerable.Range(0, 64).Select(i => $"pad{i} = {i} + 1;"));

    [Fact]
    public void ALambdaBodyInABigSetIsEmittedOnItsFirstCallOnly()
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString($"{{ {Filler} f = x: x + 1; }}.f", "/base");
        Assert.True(result.Success);
        evaluator.Run(cx =>
        {
            var closure = (Closure)cx.Force(result.Value).Obj!;
            var body = Assert.IsType<CodeNode>(closure.Code.Body);
            Assert.True(body.IsPending);
            Assert.Equal(2L, cx.Force(cx.Call(result.Value, Value.FromInt(1))).AsInt);
            Assert.False(body.IsPending);
            Assert.Equal(3L, cx.Force(cx.Call(result.Value, Value.FromInt(2))).AsInt);
            return 0;
        });
    }

    [Fact]
    public void ALambdaBodyInASmallSetIsEmittedAtOnce()
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString("{ f = x: x + 1; }.f", "/base");
        Assert.True(result.Success);
        evaluator.Run(cx =>
        {
            var closure = (Closure)cx.Force(result.Value).Obj!;
            Assert.False(Assert.IsType<CodeNode>(closure.Code.Body).IsPending);
            return 0;
        });
    }

    [Fact]
    public void ARecursiveFunctionRunsWhileItsFirstCallIsInProgress()
    {
        Assert.Equal("5050", Nix($"let {Filler} sum = n: if n == 0 then 0 else n + sum (n - 1); in sum 100"));
        Assert.Equal("[ 1 2 6 24 ]", Nix($"let {Filler} fact = n: if n < 2 then 1 else n * fact (n - 1); in map fact [ 1 2 3 4 ]"));
        Assert.Equal("120", Nix($"(rec {{ {Filler} fact = n: if n < 2 then 1 else n * fact (n - 1); }}).fact 5"));
    }

    [Fact]
    public void AThunkThatFailsOnItsFirstRunFailsTheSameWayAgain()
    {
        // The first force runs through the stub, the second the emitted code: one trace frame
        // per interpolation each time, and the same position.
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString($"let {Filler} t = \"a${{1 + {{}}}}\"; in [ t ]", "/base");
        Assert.True(result.Success);
        var errors = evaluator.Run(cx =>
        {
            var list = cx.ForceList(result.Value);
            var first = Assert.Throws<NixEvalException>(() => cx.Force(list[0]));
            var second = Assert.Throws<NixEvalException>(() => cx.Force(list[0]));
            return (first, second);
        });
        Assert.Equal(errors.second.Message, errors.first.Message);
        Assert.Equal(errors.second.Span, errors.first.Span);
        Assert.Equal(errors.second.Trace.Select(t => t.Message), errors.first.Trace.Select(t => t.Message));
        Assert.Single(errors.first.Trace, t => t.Message == "while evaluating a path segment");
    }

    [Fact]
    public void DefaultsLambdasAndOverridesInBigSetsWork()
    {
        Assert.Equal("3", Nix($"let {Filler} f = {{ a ? 1, b ? a + 1 }}: a + b; in f {{ a = 1; }}"));
        Assert.Equal("7", Nix($"let {Filler} g = {{ h ? (x: x + 2) }}: h 5; in g {{ }}"));
        Assert.Equal("3", Nix($"(rec {{ {Filler} a = 2; b = a + pad0; }}).b"));
        Assert.Equal("5", Nix($"(rec {{ {Filler} a = 2; b = a + 3; __overrides = {{ }}; }}).b"));
    }
}
