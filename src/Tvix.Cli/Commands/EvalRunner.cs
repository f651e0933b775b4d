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
        // what they create in memory, as nix-instantiate --eval does not need to build anything.
        var options = GlueEvaluatorFactory.CreateOptions(options =>
        {
            options.Log = stderr;
            foreach (var p in args.SearchPath) options.SearchPath.Add(p);
            var nixPath = Environment.GetEnvironmentVariable("NIX_PATH");
            if (!string.IsNullOrEmpty(nixPath))
                foreach (var p in SplitNixPath(nixPath)) options.SearchPath.Add(p);
            if (args.MaxCallDepth is { } depth) options.MaxCallDepth = depth;
            options.ShortPathLiterals = args.ShortPathLiterals;
            options.AbsolutePathLiterals = args.AbsolutePathLiterals;
            options.UrlLiterals = args.UrlLiterals;
        }, storeRoot: null, experimentalFeatures: args.ExperimentalFeatures);

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
        var autoArgs = BuildAutoArgs(evaluator, cx, args, cwd);
        var results = new List<Value>();
        if (args.AttrPaths.Count == 0) results.Add(AutoCall(cx, root, autoArgs));
        else
            foreach (var path in args.AttrPaths)
                results.Add(AutoCall(cx, Select(cx, root, path, autoArgs), autoArgs));

        var sb = new StringBuilder();
        foreach (var v in results)
        {
            if (args.Json) sb.Append(CallSupport(cx, "toJSON", v)).Append('\n');
            else if (args.Xml) sb.Append(CallSupport(cx, "toXML", v));
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

    private static NixAttrs BuildAutoArgs(Evaluator evaluator, EvalContext cx, EvalArguments args, string cwd)
    {
        var builder = cx.CreateAttrsBuilder(args.AutoArgs.Count);
        foreach (var (name, value, isString) in args.AutoArgs)
            builder.Add(name, isString ? Value.FromString(value) : cx.LoadExpressionLazily(value, cwd));
        return builder.Build();
    }

    /// <summary>Nix's autoCallFunction: call a top-level function with the --arg/--argstr values it declares.</summary>
    private static Value AutoCall(EvalContext cx, Value v, NixAttrs autoArgs)
    {
        v = cx.Force(v);
        if (v.Kind == ValueKind.Attrs && v.AsAttrs.TryGetValue("__functor", out var functor))
            return AutoCall(cx, cx.Call(functor, v), autoArgs);
        if (v.Kind != ValueKind.Lambda) return v;
        var formals = cx.GetFormals(v);
        if (formals is null) return v;
        var builder = cx.CreateAttrsBuilder();
        if (formals.HasEllipsis)
        {
            foreach (var (name, value) in autoArgs.Pairs) builder.Add(name, value);
        }
        else
        {
            foreach (var (name, hasDefault) in formals.Formals)
            {
                if (autoArgs.TryGetValue(name, out var value)) builder.Add(name, value);
                else if (!hasDefault)
                    throw new NixEvalException($"cannot evaluate a function that has an argument without a value ('{name}')\n       Nix attempted to evaluate a function as a top level expression; in this case it must have its arguments supplied either by default values, or passed explicitly with '--arg' or '--argstr'. See https://nixos.org/manual/nix/stable/language/constructs.html#functions.");
            }
        }
        return cx.Call(v, Value.FromAttrs(builder.Build()));
    }

    private static Value Select(EvalContext cx, Value v, string path, NixAttrs autoArgs)
    {
        foreach (var part in SplitAttrPath(path))
        {
            v = AutoCall(cx, v, autoArgs);
            if (long.TryParse(part, out var index) && v.Kind == ValueKind.List)
            {
                var list = v.AsList;
                if (index < 0 || index >= list.Count) throw new NixEvalException($"list index {index} in selection path '{path}' is out of range");
                v = cx.Force(list[(int)index]);
                continue;
            }
            if (v.Kind != ValueKind.Attrs)
                throw new NixEvalException($"the expression selected by the selection path '{path}' should be a set but is {EvalContext.DescribeType(v)}");
            if (!v.AsAttrs.TryGetValue(part, out var next))
                throw new NixEvalException($"attribute '{part}' in selection path '{path}' not found");
            v = cx.Force(next);
        }
        return v;
    }

    private static IEnumerable<string> SplitAttrPath(string path)
    {
        var sb = new StringBuilder();
        var quoted = false;
        foreach (var c in path)
        {
            if (c == '"') { quoted = !quoted; continue; }
            if (c == '.' && !quoted) { yield return sb.ToString(); sb.Clear(); continue; }
            sb.Append(c);
        }
        if (sb.Length > 0 || path.Length == 0) yield return sb.ToString();
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
