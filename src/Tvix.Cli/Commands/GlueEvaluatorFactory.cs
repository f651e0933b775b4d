using Tvix.Eval;
using Tvix.Glue;

namespace Tvix.Cli.Commands;

/// <summary>
/// Evaluator options with the store builtins of Tvix.Glue registered (<c>derivation</c>,
/// <c>toFile</c>, <c>path</c>, path interpolation, fetchers), for the CLI commands that evaluate.
/// </summary>
internal static class GlueEvaluatorFactory
{
    /// <summary>The environment variable naming the directory the CLI's store writes into (<c>ROOT/nix/store/…</c>).</summary>
    public const string StoreRootVariable = "TVIX_STORE_ROOT";

    /// <summary>
    /// Creates options whose store builtins compute paths like C++ Nix. <paramref name="storeRoot"/>
    /// null keeps created paths in memory (nothing is written, as with <c>--eval</c>, which is
    /// read-only); otherwise they are written under it. <paramref name="configure"/> runs before
    /// the glue wraps <see cref="EvaluatorOptions.IO"/>, so set the I/O there.
    /// </summary>
    public static EvaluatorOptions CreateOptions(Action<EvaluatorOptions>? configure = null, string? storeRoot = null,
        IEnumerable<string>? experimentalFeatures = null)
    {
        var builder = new TvixBuilder();
        if (configure != null) builder.ConfigureEvaluator(configure);
        if (storeRoot != null) builder.UseStoreRoot(storeRoot);
        foreach (var feature in experimentalFeatures ?? []) builder.EnableExperimentalFeature(feature);
        return builder.BuildOptions();
    }

    /// <summary>The store root of commands that write (<c>tvix instantiate</c>): <c>$TVIX_STORE_ROOT</c>, else <c>~/.local/share/tvix/store-root</c>.</summary>
    public static string DefaultStoreRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(StoreRootVariable);
        if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
        var data = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (string.IsNullOrEmpty(data)) data = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "tvix", "store-root");
    }
}
