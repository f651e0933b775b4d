using Tvix.Eval;
using Tvix.Glue;
using Tvix.Store;
using Tvix.Store.Services;

namespace Tvix.Cli.Commands;

/// <summary>
/// Evaluator options with the store builtins of Tvix.Glue registered (<c>derivation</c>,
/// <c>toFile</c>, <c>path</c>, path interpolation, fetchers), for the CLI commands that evaluate.
/// </summary>
internal static class GlueEvaluatorFactory
{
    /// <summary>
    /// Creates options whose store builtins compute paths like C++ Nix. <paramref name="storeRoot"/>
    /// null keeps created paths in memory (nothing is written, as with <c>--eval</c>, which is
    /// read-only); otherwise they are written under it. <paramref name="configure"/> runs before
    /// the glue wraps <see cref="EvaluatorOptions.IO"/>, so set the I/O there. With
    /// <paramref name="readOnly"/> the glue runs in Nix's read-only mode, as
    /// <c>nix-instantiate --eval</c> does (<c>.drv</c> files are only hashed). With
    /// <paramref name="writeBehind"/> (instead of <paramref name="tvixStore"/>) created paths go to
    /// its store in the background; the caller flushes it.
    /// </summary>
    public static EvaluatorOptions CreateOptions(Action<EvaluatorOptions>? configure = null, string? storeRoot = null,
        IEnumerable<string>? experimentalFeatures = null, TvixStore? tvixStore = null, bool readOnly = false,
        StoreWriteBehind? writeBehind = null)
    {
        var builder = new TvixBuilder();
        if (readOnly) builder.UseReadOnlyMode();
        if (configure != null) builder.ConfigureEvaluator(configure);
        if (writeBehind != null) builder.UseTvixStore(writeBehind);
        else if (tvixStore != null) builder.UseTvixStore(tvixStore);
        else if (storeRoot != null) builder.UseStoreRoot(storeRoot);
        foreach (var feature in experimentalFeatures ?? []) builder.EnableExperimentalFeature(feature);
        return builder.BuildOptions();
    }

    /// <summary>
    /// The Tvix store a writing command uses (the same as <c>tvix store</c>'s): <paramref name="url"/>
    /// <c>memory://</c> or <c>file:///dir</c> (castore in dir/castore, path infos in dir/pathinfo),
    /// or null for the local store (<c>~/.local/share/tvix</c>).
    /// </summary>
    public static TvixStore CreateTvixStore(string? url)
    {
        var options = new StoreOptions();
        if (url == "memory://")
        {
            options.BlobServiceUrl = options.DirectoryServiceUrl = options.PathInfoServiceUrl = "memory://";
        }
        else if (url != null)
        {
            var dir = url.TrimEnd('/');
            options.BlobServiceUrl = options.DirectoryServiceUrl = dir + "/castore";
            options.PathInfoServiceUrl = dir + "/pathinfo";
        }
        var storeDir = Environment.GetEnvironmentVariable("NIX_STORE_DIR");
        if (!string.IsNullOrEmpty(storeDir)) options.StoreDirectory = storeDir;
        return StoreServiceFactory.CreateStore(options);
    }
}
