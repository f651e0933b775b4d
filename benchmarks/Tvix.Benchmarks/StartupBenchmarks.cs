using BenchmarkDotNet.Attributes;
using Tvix.Eval;

namespace Tvix.Benchmarks;

/// <summary>
/// The fixed costs every <c>tvix eval</c> pays before and around its program: creating an
/// evaluator (interning names, building the builtins set), a trivial evaluation, and the
/// hop to the evaluator's own large-stack thread that every <see cref="Evaluator.Run{T}"/> makes.
/// </summary>
[MemoryDiagnoser]
public class StartupBenchmarks
{
    private Evaluator _evaluator = null!;

    /// <summary>One evaluator reused by the per-call benchmarks.</summary>
    [GlobalSetup]
    public void Setup() => _evaluator = new Evaluator();

    /// <summary><c>new Evaluator()</c>: symbol table and builtins set.</summary>
    [Benchmark] public Evaluator CreateEvaluator() => new();

    /// <summary>A new evaluator evaluating and printing <c>1 + 1</c>, as <c>tvix eval -E '1 + 1'</c> does (minus process start).</summary>
    [Benchmark]
    public string OnePlusOneFresh()
    {
        var evaluator = new Evaluator();
        var result = evaluator.EvaluateString("1 + 1", "/");
        return evaluator.Run(cx => cx.Print(result.Value, strict: true));
    }

    /// <summary><c>1 + 1</c> on a warm evaluator: parse, compile, evaluate, one thread hop.</summary>
    [Benchmark] public bool OnePlusOneWarm() => _evaluator.EvaluateString("1 + 1", "/").Success;

    /// <summary>The cost of <see cref="Evaluator.Run{T}"/> alone: a new thread with a 256 MB stack, started and joined.</summary>
    [Benchmark] public int RunThreadHop() => _evaluator.Run(static _ => 1);

    /// <summary>First use of a builtin written in Nix source (parsed and compiled on demand).</summary>
    [Benchmark]
    public bool FirstUseOfLibraryStyleBuiltins()
    {
        var evaluator = new Evaluator();
        return evaluator.EvaluateString("builtins.length (builtins.attrNames builtins)", "/").Success;
    }
}
