using System.Text;
using Tvix.Eval;

namespace Tvix.Cli.Commands;

/// <summary>Runs <c>tvix eval</c>: evaluate, auto-call, select, force, print — as <c>nix-instantiate --eval</c>.</summary>
internal static class EvalRunner
{
    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        var (args, parseError) = EvalArguments.Parse(argv);
        if (args is null)
        {
            stderr.WriteLine($"error: {parseError}");
            return 1;
        }
        // The store builtins (derivation, toFile, path, ...) come from Tvix.Glue; `eval` keeps
        // what they create in memory and, like nix-instantiate --eval (read-only mode), only
        // hashes .drv files instead of writing them.
        var options = GlueEvaluatorFactory.CreateOptions(options => args.ApplyTo(options, stderr),
            storeRoot: null, experimentalFeatures: args.ExperimentalFeatures, readOnly: true);

        var evaluator = new Evaluator(options);
        var inputs = args.Positional.Count > 0 ? args.Positional : (args.ExprMode ? [] : ["./default.nix"]);
        if (args.ExprMode && inputs.Count == 0)
        {
            stderr.WriteLine("error: -E requires an expression");
            return 1;
        }
        var cwd = Directory.GetCurrentDirectory();
        try
        {
            foreach (var input in inputs)
            {
                EvaluationResult result;
                if (input == "-") result = evaluator.EvaluateString(Console.In.ReadToEnd(), cwd, "«stdin»");
                else if (args.ExprMode) result = evaluator.EvaluateString(input, cwd, "«string»");
                else result = evaluator.EvaluateFile(Path.GetFullPath(input));
                if (!result.Success)
                {
                    EvalErrorPrinter.PrintDiagnostics(stderr, result.Diagnostics);
                    if (result.Error is { } err) EvalErrorPrinter.Print(stderr, err, args.ShowTrace);
                    return 1;
                }
                var output = evaluator.Run(cx => Render(evaluator, cx, args, result.Value, cwd));
                var stdoutStream = Console.OpenStandardOutput();
                if (ReferenceEquals(stdout, Console.Out))
                {
                    stdout.Flush();
                    stdoutStream.Write(output);
                    stdoutStream.Flush();
                }
                else stdout.Write(Encoding.UTF8.GetString(output));
            }
            return 0;
        }
        catch (NixEvalException e)
        {
            EvalErrorPrinter.Print(stderr, e, args.ShowTrace);
            return 1;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("error: evaluation cancelled");
            return 1;
        }
        catch (Exception e)
        {
            // Never a crash or a stack trace: an internal failure is still a clean error.
            stderr.WriteLine($"error: internal error in the evaluator: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static byte[] Render(Evaluator evaluator, EvalContext cx, EvalArguments args, Value root, string cwd)
    {
        var autoArgs = AutoCall.BuildArguments(cx, args, cwd);
        var results = new List<Value>();
        if (args.AttrPaths.Count == 0) results.Add(AutoCall.Apply(cx, root, autoArgs));
        else
            foreach (var path in args.AttrPaths)
                results.Add(AutoCall.Apply(cx, AutoCall.Select(cx, root, path, autoArgs), autoArgs));

        var sb = new StringBuilder();
        foreach (var v in results)
        {
            if (args.Json) sb.Append(CallSupport(cx, "toJSON", v)).Append('\n');
            else if (args.Xml) sb.Append(cx.PrintXml(v, args.Strict, location: !args.NoLocation));
            else sb.Append(cx.Print(v, args.Strict)).Append('\n');
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string CallSupport(EvalContext cx, string builtin, Value v)
    {
        if (!cx.Builtins.TryGetValue(builtin, out var f))
            throw new NixEvalException($"builtins.{builtin} is not available in this build");
        return cx.ForceString(cx.Call(f, v)).ToString();
    }

    /// <summary>Splits NIX_PATH on ':' except inside URLs (<c>prefix=https://…</c>).</summary>
    internal static IEnumerable<string> SplitNixPath(string value)
    {
        var parts = value.Split(':');
        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            while (i + 1 < parts.Length && parts[i + 1].StartsWith("//", StringComparison.Ordinal)) p += ":" + parts[++i];
            if (p.Length > 0) yield return p;
        }
    }
}
