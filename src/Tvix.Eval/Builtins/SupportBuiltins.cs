using Tvix.Eval.Support.Hashing;
using Tvix.Eval.Support.Json;
using Tvix.Eval.Support.Regex;
using Tvix.Eval.Support.Versions;

namespace Tvix.Eval.Builtins;

/// <summary>
/// Registers the builtins whose engines live in src/Tvix.Eval/Support: regular expressions,
/// versions, hashing, JSON, XML and TOML. State they need (the regex cache) is created here,
/// once per registry, that is once per evaluator.
/// </summary>
internal static partial class BuiltinCatalog
{
    /// <summary>How long one regular-expression match may run before it fails with an error.</summary>
    private static readonly TimeSpan RegexMatchTimeout = TimeSpan.FromSeconds(10);

    static partial void RegisterSupportBuiltins(BuiltinRegistry registry, EvaluatorOptions options)
    {
        SupportRegexBuiltins.Register(registry, new PosixRegexCache(RegexMatchTimeout));
        SupportVersionBuiltins.Register(registry);
        SupportFlakeRefBuiltins.Register(registry);
        SupportHashBuiltins.Register(registry, new NixHashAlgorithms(options.ExtraHashAlgorithms,
            blake3Enabled: options.ExperimentalFeatures.Contains("blake3-hashes")));
        SupportJsonBuiltins.Register(registry, options.LegacyJsonFloats ? JsonFloatStyle.SixSignificantDigits : JsonFloatStyle.ShortestRoundTrip);
        SupportXmlBuiltins.Register(registry);
        SupportTomlBuiltins.Register(registry, parseTimestamps: options.ExperimentalFeatures.Contains("parse-toml-timestamps"));
    }

}

/// <summary>Argument handling shared by the support builtins, with Nix's error wording.</summary>
internal static class SupportArgs
{
    private static readonly string[] Ordinals = ["first", "second", "third", "fourth"];

    /// <summary>"while evaluating the first argument passed to builtins.NAME".</summary>
    public static string ArgumentFrame(int index, string builtin) =>
        $"while evaluating the {Ordinals[index]} argument passed to builtins.{builtin}";

    /// <summary>Forces a string argument (keeping its context).</summary>
    public static NixString String(EvalContext cx, Value v, int index, string builtin)
    {
        try
        {
            return cx.ForceString(v);
        }
        catch (NixEvalException e)
        {
            e.AddTrace(ArgumentFrame(index, builtin), null, default);
            throw;
        }
    }

    /// <summary>Forces a string argument that must not refer to store paths (Nix's forceStringNoCtx).</summary>
    public static NixString StringNoContext(EvalContext cx, Value v, int index, string builtin) =>
        RequireNoContext(cx, String(cx, v, index, builtin));

    /// <summary>Fails as Nix does when a string that must be context-free has a context.</summary>
    public static NixString RequireNoContext(EvalContext cx, NixString s)
    {
        if (s.Context is { } context)
        {
            throw cx.Error($"the string '{s}' is not allowed to refer to a store path (such as '{StorePathOf(context.Elements[0])}')");
        }
        return s;
    }

    /// <summary>The store path named by a context element (<c>=/p.drv</c>, <c>!out!/p.drv</c> or <c>/p</c>).</summary>
    private static string StorePathOf(string element)
    {
        if (element.StartsWith('=')) return element[1..];
        if (element.StartsWith('!'))
        {
            var second = element.IndexOf('!', 1);
            return second >= 0 ? element[(second + 1)..] : element;
        }
        return element;
    }

    /// <summary>A context-free Nix string holding a copy of <paramref name="bytes"/>.</summary>
    public static Value Str(ReadOnlySpan<byte> bytes) => Value.FromString(NixString.Copy(bytes));
}
