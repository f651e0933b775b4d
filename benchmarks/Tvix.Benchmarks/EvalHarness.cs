using Tvix.Eval;

namespace Tvix.Benchmarks;

/// <summary>
/// A program compiled once and applied to an argument per benchmark invocation, so a benchmark
/// measures evaluation (calls, thunks, attribute sets...) and not parsing. The program must be
/// a function; each invocation calls it on a fresh integer and forces the result deeply.
/// </summary>
internal sealed class EvalHarness
{
    private readonly Evaluator _evaluator;
    private readonly Value _function;
    private readonly Func<EvalContext, long> _invoke;
    private long _argument;

    public EvalHarness(string functionSource, long argument, InMemoryEvalIO? io = null)
    {
        _evaluator = new Evaluator(new EvaluatorOptions { IO = io ?? new InMemoryEvalIO() });
        _argument = argument;
        var result = _evaluator.EvaluateString(functionSource, "/");
        if (!result.Success)
            throw new InvalidOperationException($"benchmark program failed: {result.Error?.Message ?? string.Join("\n", result.Diagnostics)}");
        _function = result.Value;
        _invoke = Invoke;
    }

    public Evaluator Evaluator => _evaluator;

    /// <summary>Calls the function on the argument, deep-forces the result and returns a checksum (the result's printed length).</summary>
    public long Run() => _evaluator.Run(_invoke);

    /// <summary>The printed result, for checking a program once before it is measured.</summary>
    public string Print() => _evaluator.Run(cx =>
    {
        var v = cx.Call(_function, Value.FromInt(_argument));
        return cx.Print(v, strict: true);
    });

    private long Invoke(EvalContext cx)
    {
        var v = cx.Call(_function, Value.FromInt(_argument));
        cx.DeepForce(v);
        return v.Kind == ValueKind.Int ? v.AsInt : (long)v.Kind;
    }
}
