using Tvix.Eval;
using Tvix.Glue;

namespace Tvix.Cli.Commands;

/// <summary>Runs <c>tvix instantiate</c>: evaluate, auto-call, select, find derivations, print their paths.</summary>
internal static class InstantiateRunner
{
    public const string Usage = """
        Usage: tvix instantiate [options] [FILE | -E EXPR | -]...
          -E, --expr EXPR          instantiate EXPR (the arguments are expressions)
          -A, --attr PATH          select an attribute path from the result
          -I PATH | -I prefix=PATH add to the search path
          --arg NAME EXPR          pass NAME = EXPR to a top-level function
          --argstr NAME STRING     pass NAME = "STRING" to a top-level function
          --store STORE            where .drv files and sources go: memory://, file:///dir (a Tvix store:
                                   castore in dir/castore, path infos in dir/pathinfo, as tvix store --store),
                                   or a plain directory ROOT (files in ROOT/nix/store/…, like nix --store ROOT);
                                   default: the local Tvix store (~/.local/share/tvix)
          --readonly-mode, --dry-run   compute the paths without writing anything
          --extra-experimental-features ca-derivations   floating content-addressed derivations
          --json-floats legacy     floats in builtins.toJSON as Nix 2.8 wrote them (its .drv paths for
                                   JSON with floats, e.g. NixOS's options.json); default: current Nix's
          --add-root PATH, --indirect  accepted and ignored (no garbage collector roots)
          --eval ...               same as tvix eval
        Prints one line per derivation: PATH.drv, or PATH.drv!OUTPUT when the selected output is not 'out'.
        """;

    public static int Run(IReadOnlyList<string> argv, TextWriter stdout, TextWriter stderr)
    {
        string? storeRoot = null;
        var readOnly = false;
        var features = new List<string>();
        var rest = new List<string>();
        for (var i = 0; i < argv.Count; i++)
        {
            var t = argv[i];
            switch (t)
            {
                case "--eval":
                    return EvalRunner.Run(argv, stdout, stderr);
                case "--store" or "--add-root" or "--extra-experimental-features" or "--experimental-features":
                    if (i + 1 >= argv.Count)
                    {
                        stderr.WriteLine($"error: flag '{t}' requires an argument");
                        return 1;
                    }
                    var value = argv[++i];
                    if (t == "--store") storeRoot = value;
                    else if (t != "--add-root") features.AddRange(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    break;
                case "--indirect":
                    break;
                case "--readonly-mode" or "--dry-run":
                    readOnly = true;
                    break;
                default:
                    rest.Add(t);
                    break;
            }
        }
        var (args, parseError) = EvalArguments.Parse(rest);
        if (args is null)
        {
            stderr.WriteLine($"error: {parseError}");
            return 1;
        }
        if (args.Json || args.Xml || args.Strict)
        {
            stderr.WriteLine("error: --json, --xml and --strict only make sense with --eval");
            return 1;
        }

        Tvix.Store.TvixStore? tvixStore = null;
        string? plainRoot = null;
        if (!readOnly)
        {
            if (storeRoot is null || storeRoot.Contains("://", StringComparison.Ordinal))
            {
                try { tvixStore = GlueEvaluatorFactory.CreateTvixStore(storeRoot); }
                catch (ArgumentException e)
                {
                    stderr.WriteLine($"error: {e.Message}");
                    return 1;
                }
            }
            else plainRoot = storeRoot;
        }
        // .drv files are written while evaluation goes on, in groups that share their flushes to
        // disk; every write is durable (or its error reported) before a path is printed.
        var writeBehind = tvixStore is null ? null : new StoreWriteBehind(tvixStore);
        var options = GlueEvaluatorFactory.CreateOptions(
            o =>
            {
                args.ApplyTo(o, stderr);
                foreach (var feature in features) o.ExperimentalFeatures.Add(feature);
            },
            plainRoot,
            features,
            readOnly: readOnly,
            writeBehind: writeBehind);

        using var collections = CollectionLogs.StartIfRequested();
        EvaluationHeap.Reserve();
        var evaluator = new Evaluator(options);
        if (args.Inputs(stderr) is not { } inputs) return 1;
        var cwd = new WorkingDirectory();
        try
        {
            foreach (var input in inputs)
            {
                var result = args.Evaluate(evaluator, input, cwd);
                if (!result.Success)
                {
                    EvalErrorPrinter.PrintFailure(stderr, result, args.ShowTrace);
                    return 1;
                }
                var lines = evaluator.Run(cx => Instantiate(cx, args, result.Value, cwd));
                writeBehind?.Flush();
                foreach (var line in lines) stdout.WriteLine(line);
            }
            stdout.Flush();
            RunStatistics.PrintIfRequested(stderr);
            collections?.Print(stderr);
            return 0;
        }
        catch (NixEvalException e)
        {
            EvalErrorPrinter.Print(stderr, e, args.ShowTrace);
            FinishWrites(writeBehind, stderr);
            return 1;
        }
        catch (Exception e) when (IsStoreError(e))
        {
            // Store errors (from a queued write, too) end up here; evaluation errors above.
            stderr.WriteLine($"error: {e.Message}");
            FinishWrites(writeBehind, stderr, e);
            return 1;
        }
    }

    private static bool IsStoreError(Exception e) =>
        e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or Tvix.Store.PathInfoValidationException;

    /// <summary>After a failure, lets the writes already queued finish (what was instantiated stays stored), reporting a store error not reported yet.</summary>
    private static void FinishWrites(StoreWriteBehind? writeBehind, TextWriter stderr, Exception? reported = null)
    {
        try { writeBehind?.Flush(); }
        catch (Exception e) when (IsStoreError(e))
        {
            if (!ReferenceEquals(e, reported)) stderr.WriteLine($"error: {e.Message}");
        }
    }

    private static List<string> Instantiate(EvalContext cx, EvalArguments args, Value root, WorkingDirectory cwd)
    {
        var autoArgs = AutoCall.BuildArguments(cx, args, cwd);
        Value CallAuto(Value v) => AutoCall.Apply(cx, v, autoArgs);

        var lines = new List<string>();
        if (args.AttrPaths.Count == 0) lines.AddRange(Instantiation.DerivationPaths(cx, root, CallAuto));
        else
            foreach (var path in args.AttrPaths)
                lines.AddRange(Instantiation.DerivationPaths(cx, AutoCall.Select(cx, root, path, autoArgs), CallAuto));
        return lines;
    }
}
