using Tvix.Eval;

namespace Tvix.Cli.Commands;

/// <summary>The options of <c>tvix eval</c>, parsed the way <c>nix-instantiate</c> parses them.</summary>
internal sealed class EvalArguments
{
    public const string Usage = """
        Usage: tvix eval [options] [FILE | -E EXPR | -]...
          --strict                 force the result deeply before printing
          --json                   print the result as JSON
          --xml [--no-location]    print the result as XML
          -E, --expr EXPR          evaluate EXPR (the arguments are expressions)
          -A, --attr PATH          select an attribute path from the result
          -I PATH | -I prefix=PATH add to the search path (after NIX_PATH entries given with -I)
          --arg NAME EXPR          pass NAME = EXPR to a top-level function
          --argstr NAME STRING     pass NAME = "STRING" to a top-level function
          --max-call-depth N       fail after N nested calls (default 10000)
          --json-floats current|legacy   builtins.toJSON writes floats as current Nix does (default)
                                   or as Nix before 2.12 did (6 significant digits: Nix 2.8's .drv paths)
          --impure, --eval, --show-trace, --no-show-trace, --read-write-mode
          --extra-experimental-features X, --experimental-features X
          --option NAME VALUE      a Nix setting: experimental-features, extra-experimental-features,
                                   show-trace, max-call-depth, system; others are ignored with a warning
          --lint-short-path-literals|--lint-absolute-path-literals|--lint-url-literals warn|fatal
        """;

    public bool Strict;
    public bool Json;
    public bool Xml;
    public bool NoLocation;
    public bool ExprMode;
    public bool ShowTrace;
    public bool Stdin;
    public readonly List<string> Positional = [];
    public readonly List<string> ExperimentalFeatures = [];
    public readonly List<string> AttrPaths = [];
    public readonly List<string> SearchPath = [];
    /// <summary>The <c>--arg</c> and <c>--argstr</c> values (a list of a class, not of tuples: a tuple list is JIT-compiled at start-up).</summary>
    public readonly List<AutoArgument> AutoArgs = [];
    public int? MaxCallDepth;
    public bool LegacyJsonFloats;
    public string? System;
    public readonly List<string> IgnoredSettings = [];
    public LintLevel ShortPathLiterals, AbsolutePathLiterals, UrlLiterals;

    /// <summary>Parses the arguments; returns an error message or null.</summary>
    public static (EvalArguments? Args, string? Error) Parse(IReadOnlyList<string> argv)
    {
        var a = new EvalArguments();
        for (var i = 0; i < argv.Count; i++)
        {
            var t = argv[i];
            string Next()
            {
                if (i + 1 >= argv.Count) throw new ArgumentException($"flag '{t}' requires an argument");
                return argv[++i];
            }
            try
            {
                switch (t)
                {
                    case "--strict": a.Strict = true; break;
                    case "--json": a.Json = true; break;
                    case "--xml": a.Xml = true; break;
                    case "--no-location": a.NoLocation = true; break;
                    case "--eval": case "--impure": case "--read-write-mode": case "--readonly-mode": case "--raw": break;
                    case "--show-trace": a.ShowTrace = true; break;
                    case "--no-show-trace": a.ShowTrace = false; break;
                    case "-E": case "--expr": a.ExprMode = true; break;
                    case "-A": case "--attr": a.AttrPaths.Add(Next()); break;
                    case "-I": case "--include": a.SearchPath.Add(Next()); break;
                    case "--arg": { var n = Next(); a.AutoArgs.Add(new AutoArgument(n, Next(), false)); break; }
                    case "--argstr": { var n = Next(); a.AutoArgs.Add(new AutoArgument(n, Next(), true)); break; }
                    case "--max-call-depth":
                        if (!int.TryParse(Next(), out var depth) || depth < 1) return (null, "--max-call-depth expects a positive integer");
                        a.MaxCallDepth = depth;
                        break;
                    case "--extra-experimental-features": case "--experimental-features":
                        a.ExperimentalFeatures.AddRange(Next().Split(' ', StringSplitOptions.RemoveEmptyEntries));
                        break;
                    case "--option":
                    {
                        var name = Next();
                        if (a.ApplySetting(name, Next()) is { } settingError) return (null, settingError);
                        break;
                    }
                    case "--json-floats":
                        a.LegacyJsonFloats = Next() switch
                        {
                            "current" => false,
                            "legacy" => true,
                            var other => throw new ArgumentException($"--json-floats takes 'current' or 'legacy', not '{other}'"),
                        };
                        break;
                    case "--lint-short-path-literals": a.ShortPathLiterals = Lint(Next()); break;
                    case "--lint-absolute-path-literals": a.AbsolutePathLiterals = Lint(Next()); break;
                    case "--lint-url-literals": a.UrlLiterals = Lint(Next()); break;
                    case "-": a.Stdin = true; a.Positional.Add("-"); break;
                    default:
                        if (t.StartsWith('-') && t.Length > 1) return (null, $"unrecognised flag '{t}'");
                        a.Positional.Add(t);
                        break;
                }
            }
            catch (ArgumentException e)
            {
                return (null, e.Message);
            }
        }
        return (a, null);
    }

    /// <summary>
    /// <c>--option NAME VALUE</c>: the Nix settings that change evaluation are applied; any other is
    /// noted and reported as ignored (scripts pass builder settings such as <c>sandbox</c> to
    /// <c>nix-instantiate</c> too). Returns an error for a value the setting cannot take.
    /// </summary>
    private string? ApplySetting(string name, string value)
    {
        switch (name)
        {
            case "experimental-features":
                ExperimentalFeatures.Clear();
                ExperimentalFeatures.AddRange(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                return null;
            case "extra-experimental-features":
                ExperimentalFeatures.AddRange(value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                return null;
            case "show-trace":
                if (ParseBool(value) is not { } trace) return $"setting 'show-trace' expects true or false, not '{value}'";
                ShowTrace = trace;
                return null;
            case "max-call-depth":
                if (!int.TryParse(value, out var depth) || depth < 1) return $"setting 'max-call-depth' expects a positive integer, not '{value}'";
                MaxCallDepth = depth;
                return null;
            case "system":
                System = value;
                return null;
            default:
                IgnoredSettings.Add(name);
                return null;
        }
    }

    private static bool? ParseBool(string value) => value switch
    {
        "true" => true,
        "false" => false,
        _ => null,
    };

    private static LintLevel Lint(string level) => level switch
    {
        "warn" => LintLevel.Warn,
        "fatal" => LintLevel.Fatal,
        "ignore" or "off" => LintLevel.Ignore,
        _ => throw new ArgumentException($"invalid lint level '{level}' (expected 'warn' or 'fatal')"),
    };

    /// <summary>
    /// What to evaluate, as nix-instantiate takes it: the positional files or expressions, else
    /// ./default.nix. Null (after reporting on <paramref name="stderr"/>) for -E without an expression.
    /// </summary>
    public IReadOnlyList<string>? Inputs(TextWriter stderr)
    {
        if (Positional.Count > 0) return Positional;
        if (!ExprMode) return ["./default.nix"];
        stderr.WriteLine("error: -E requires an expression");
        return null;
    }

    /// <summary>Evaluates one input: "-" reads standard input, -E takes it as an expression, else it is a file.</summary>
    public Tvix.Eval.EvaluationResult Evaluate(Tvix.Eval.Evaluator evaluator, string input, WorkingDirectory cwd)
    {
        if (input == "-") return evaluator.EvaluateString(Console.In.ReadToEnd(), cwd.Path, "«stdin»");
        if (ExprMode) return evaluator.EvaluateString(input, cwd.Path, "«string»");
        return evaluator.EvaluateFile(Path.GetFullPath(input));
    }

    /// <summary>
    /// Copies what these arguments say about the evaluator into <paramref name="options"/>: the
    /// search path (<c>-I</c>, then <c>NIX_PATH</c>), call depth, lints, experimental features
    /// and the log. Shared by <c>tvix eval</c> and <c>tvix instantiate</c>.
    /// </summary>
    public void ApplyTo(Tvix.Eval.EvaluatorOptions options, TextWriter log)
    {
        options.Log = log;
        foreach (var p in SearchPath) options.SearchPath.Add(p);
        var nixPath = Environment.GetEnvironmentVariable("NIX_PATH");
        if (!string.IsNullOrEmpty(nixPath))
            foreach (var p in EvalRunner.SplitNixPath(nixPath)) options.SearchPath.Add(p);
        if (MaxCallDepth is { } depth) options.MaxCallDepth = depth;
        options.LegacyJsonFloats = LegacyJsonFloats;
        if (System is { } system) options.CurrentSystem = system;
        foreach (var name in IgnoredSettings) log.WriteLine($"warning: ignoring the setting '{name}': tvix does not implement it");
        options.ShortPathLiterals = ShortPathLiterals;
        options.AbsolutePathLiterals = AbsolutePathLiterals;
        options.UrlLiterals = UrlLiterals;
        foreach (var feature in ExperimentalFeatures) options.ExperimentalFeatures.Add(feature);
    }
}

/// <summary>One <c>--arg NAME EXPR</c> (<paramref name="IsString"/> false) or <c>--argstr NAME STRING</c>.</summary>
internal sealed record AutoArgument(string Name, string Value, bool IsString);
