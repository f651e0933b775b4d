using Tvix.Eval;
using Tvix.Glue.Store;

namespace Tvix.Glue.Tests;

/// <summary>An evaluator with the glue over an in-memory store, for tests.</summary>
internal sealed class GlueTestHost
{
    public GlueTestHost(IEnumerable<string>? features = null, Action<EvaluatorOptions>? configure = null, bool readOnly = false)
    {
        var builder = new TvixBuilder();
        if (readOnly) builder.UseReadOnlyMode();
        foreach (var feature in features ?? []) builder.EnableExperimentalFeature(feature);
        builder.ConfigureEvaluator(o =>
        {
            o.Log = TextWriter.Null;
            configure?.Invoke(o);
        });
        Store = new InMemoryGlueStore();
        var options = builder.BuildOptions(Store, out var state);
        State = state;
        Evaluator = new Evaluator(options);
    }

    public Evaluator Evaluator { get; }

    public InMemoryGlueStore Store { get; }

    public GlueState State { get; }

    /// <summary>Evaluates a file and returns what nix-instantiate would print.</summary>
    public IReadOnlyList<string> InstantiateFile(string path)
    {
        var result = Evaluator.EvaluateFile(path);
        if (!result.Success) throw result.Error ?? new NixEvalException("evaluation failed: " + string.Join("; ", result.Diagnostics));
        return Evaluator.Run(cx => Instantiation.DerivationPaths(cx, result.Value, v => v));
    }

    /// <summary>Evaluates an expression strictly and prints it like <c>nix-instantiate --eval --strict</c>.</summary>
    public string EvalStrict(string code, string? baseDirectory = null)
    {
        var result = Evaluator.EvaluateString(code, baseDirectory ?? Directory.GetCurrentDirectory());
        if (!result.Success) throw result.Error ?? new NixEvalException("evaluation failed: " + string.Join("; ", result.Diagnostics));
        return Evaluator.Run(cx => cx.Print(result.Value, strict: true));
    }

    public string EvalFileStrict(string path)
    {
        var result = Evaluator.EvaluateFile(path);
        if (!result.Success) throw result.Error ?? new NixEvalException("evaluation failed: " + string.Join("; ", result.Diagnostics));
        return Evaluator.Run(cx => cx.Print(result.Value, strict: true));
    }
}
