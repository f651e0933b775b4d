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

        using var collections = CollectionLogs.StartIfRequested();
        var evaluator = new Evaluator(options);
        if (args.Inputs(stderr) is not { } inputs) return 1;
        var cwd = new WorkingDirectory();
        try
        {
            // Evaluate and print on one evaluation thread: one thread start for the whole run.
            // Run<object> and a boxed exit code: Run<int> is a generic instantiation that ReadyToRun
            // code of this assembly cannot contain, so it would be JIT-compiled at start-up.
            var code = (int)evaluator.Run<object>(cx => EvaluateAndPrint(evaluator, cx, args, inputs, cwd, stdout, stderr));
            RunStatistics.PrintIfRequested(stderr);
            collections?.Print(stderr);
            return code;
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

    /// <summary>Runs on the evaluation thread: evaluates each input, then prints its result.</summary>
    private static int EvaluateAndPrint(Evaluator evaluator, EvalContext cx, EvalArguments args, IReadOnlyList<string> inputs,
        WorkingDirectory cwd, TextWriter stdout, TextWriter stderr)
    {
        foreach (var input in inputs)
        {
            var result = args.Evaluate(evaluator, input, cwd);
            if (!result.Success)
            {
                EvalErrorPrinter.PrintFailure(stderr, result, args.ShowTrace);
                return 1;
            }
            var output = Render(cx, args, result.Value, cwd);
            if (stdout is FileDescriptorWriter fd) fd.WriteBytes(output);
            else if (ReferenceEquals(stdout, Console.Out))
            {
                stdout.Flush();
                var stdoutStream = Console.OpenStandardOutput();
                stdoutStream.Write(output);
                stdoutStream.Flush();
            }
            else stdout.Write(Encoding.UTF8.GetString(output));
        }
        return 0;
    }

    private static byte[] Render(EvalContext cx, EvalArguments args, Value root, WorkingDirectory cwd)
    {
        var autoArgs = AutoCall.BuildArguments(cx, args, cwd);
        // An array, not a List<Value> (JIT-compiled at start-up).
        Value[] results;
        if (args.AttrPaths.Count == 0) results = [AutoCall.Apply(cx, root, autoArgs)];
        else
        {
            results = new Value[args.AttrPaths.Count];
            for (var i = 0; i < results.Length; i++)
                results[i] = AutoCall.Apply(cx, AutoCall.Select(cx, root, args.AttrPaths[i], autoArgs), autoArgs);
        }

        // Bytes throughout: Nix strings need not be UTF-8, and Nix prints them byte for byte.
        var output = new MemoryStream();
        foreach (var v in results)
        {
            if (args.Json) output.Write(CallSupport(cx, "toJSON", v).Bytes);
            else if (args.Xml) output.Write(Encoding.UTF8.GetBytes(cx.PrintXml(v, args.Strict, location: !args.NoLocation)));
            else output.Write(cx.PrintUtf8(v, args.Strict));
            if (!args.Xml) output.WriteByte((byte)'\n');
        }
        return output.ToArray();
    }

    private static NixString CallSupport(EvalContext cx, string builtin, Value v)
    {
        if (!cx.Builtins.TryGetValue(builtin, out var f))
            throw new NixEvalException($"builtins.{builtin} is not available in this build");
        return cx.ForceString(cx.Call(f, v));
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
