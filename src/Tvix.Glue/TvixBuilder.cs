using Tvix.CAStore.Hashing;
using Tvix.Eval;
using Tvix.Glue.Builtins;
using Tvix.Glue.Import;
using Tvix.Glue.Store;
using Tvix.NixCompat;
using Tvix.Store;

namespace Tvix.Glue;

/// <summary>
/// Wires an evaluator to a store without dependency injection:
/// <c>new TvixBuilder().UseStoreRoot("/tmp/x").Build()</c> gives an <see cref="Evaluator"/>
/// whose <c>derivation</c>, <c>toFile</c>, <c>path</c>, path interpolation and fetchers
/// compute the same store paths as C++ Nix and put what they create into the store.
/// </summary>
public sealed class TvixBuilder
{
    private readonly List<Action<EvaluatorOptions>> _configure = [];
    private readonly HashSet<string> _features = new(StringComparer.Ordinal);
    private string? _storeRoot;
    private TvixStore? _tvixStore;
    private StoreWriteBehind? _writeBehind;
    private bool _readOnly;

    /// <summary>Adjusts the evaluator's options (search path, I/O, system, …) before it is built.</summary>
    public TvixBuilder ConfigureEvaluator(Action<EvaluatorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure.Add(configure);
        return this;
    }

    /// <summary>
    /// Turns on an experimental Nix feature, for the glue (<c>ca-derivations</c>) and the evaluator
    /// (<c>blake3-hashes</c>, <c>parse-toml-timestamps</c>); unknown names are ignored, as Nix
    /// ignores features it does not have.
    /// </summary>
    public TvixBuilder EnableExperimentalFeature(string feature)
    {
        ArgumentNullException.ThrowIfNull(feature);
        _features.Add(feature);
        return this;
    }

    /// <summary>
    /// Writes created paths as files under <paramref name="root"/> (like <c>nix --store ROOT</c>:
    /// <c>/nix/store/x-y</c> lands in <c>ROOT/nix/store/x-y</c>). Without it, paths are only
    /// remembered in memory for the evaluator's lifetime.
    /// </summary>
    public TvixBuilder UseStoreRoot(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _storeRoot = root;
        return this;
    }

    /// <summary>
    /// Puts created paths into a Tvix store (castore + path info): <c>.drv</c> files and
    /// <c>toFile</c> results as text paths with their references, imported sources as
    /// content-addressed paths. Files inside the store's paths are read from it.
    /// </summary>
    public TvixBuilder UseTvixStore(TvixStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _tvixStore = store;
        _writeBehind = null;
        return this;
    }

    /// <summary>
    /// Puts created paths into <see cref="StoreWriteBehind.Store"/> like
    /// <see cref="UseTvixStore(TvixStore)"/>, but in the background: evaluation goes on while
    /// they are written, in groups that share their flushes to disk. The host must call
    /// <see cref="StoreWriteBehind.FlushAsync"/> before it relies on the store (or reports success).
    /// </summary>
    public TvixBuilder UseTvixStore(StoreWriteBehind writeBehind)
    {
        ArgumentNullException.ThrowIfNull(writeBehind);
        _tvixStore = writeBehind.Store;
        _writeBehind = writeBehind;
        return this;
    }

    /// <summary>
    /// Nix's read-only mode, as <c>nix-instantiate --eval</c> runs: every <c>.drv</c> path is
    /// computed without writing the <c>.drv</c> file (the ATerm is hashed and discarded), and
    /// <c>builtins.path</c>/<c>filterSource</c> of a store path compute its copy without that
    /// path's references. Evaluation is faster and smaller, but a <c>.drv</c> cannot be read back
    /// from the store. Other created paths (<c>toFile</c>, imported sources) still go to the store.
    /// </summary>
    public TvixBuilder UseReadOnlyMode()
    {
        _readOnly = true;
        return this;
    }

    /// <summary>Builds the options of a store-aware evaluator (for hosts that create evaluators themselves).</summary>
    public EvaluatorOptions BuildOptions() => BuildOptions(null, out _);

    /// <summary>Builds the options with a given store writer (tests) and hands out the glue's state.</summary>
    internal EvaluatorOptions BuildOptions(IGlueStoreWriter? store, out GlueState state)
    {
        var options = new EvaluatorOptions();
        foreach (var configure in _configure) configure(options);
        // The evaluator's own features (blake3-hashes, parse-toml-timestamps, …) come from here too.
        foreach (var feature in _features) options.ExperimentalFeatures.Add(feature);
        // Nix's default store directory needs neither checking nor normalising, and an evaluation
        // in memory that makes no store path then never loads Tvix.NixCompat or the collections
        // behind the store's tables (docs/performance.md, session 10).
        state = _tvixStore is null && _storeRoot is null && store is null && options.StoreDir == DefaultStoreDir
            ? new GlueState(DefaultStoreDir, null, new InMemoryGlueStore(), Features(), _readOnly)
            : CreateState(options, store);
        GlueRegistration.Register(options, state);
        return options;
    }

    private const string DefaultStoreDir = "/nix/store";

    // A method of its own, never inlined: the fixups of BuildOptions' code would otherwise load
    // the store directory's and the writers' types (Tvix.NixCompat) before it runs, whichever
    // branch it takes.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private GlueState CreateState(EvaluatorOptions options, IGlueStoreWriter? store)
    {
        var storeDirectory = _tvixStore?.StoreDirectory ?? new StoreDirectory(options.StoreDir);
        options.StoreDir = storeDirectory.Path;
        store ??= _writeBehind != null ? new TvixStoreGlueWriter(_writeBehind)
            : _tvixStore != null ? new TvixStoreGlueWriter(_tvixStore)
            : _storeRoot is null ? new InMemoryGlueStore() : new FileSystemGlueStore(_storeRoot, storeDirectory);
        return new GlueState(storeDirectory.Path, storeDirectory, store, Features(), _readOnly);
    }

    /// <summary>Builds the evaluator.</summary>
    public Evaluator Build() => new(BuildOptions());

    private GlueFeatures Features()
    {
        var features = GlueFeatures.None;
        if (_features.Contains("ca-derivations")) features |= GlueFeatures.CaDerivations;
        if (_features.Contains("impure-derivations")) features |= GlueFeatures.ImpureDerivations;
        return features;
    }
}

/// <summary>Registers the glue's builtins and hooks on evaluator options.</summary>
internal static class GlueRegistration
{
    public static void Register(EvaluatorOptions options, GlueState state)
    {
        options.Builtins.Add(registry =>
        {
            StoreBuiltins.Register(registry, state);
            DerivationBuiltin.Register(registry, state);
            FetcherBuiltins.Register(registry, state);
        });
        options.PathToString = (_, path) => PathImporter.CopyPathToStore(state, path);
        // The evaluator has no BLAKE3 of its own: it is the castore's hash.
        if (!HasAlgorithm(options, "blake3"))
            options.ExtraHashAlgorithms.Add(new ExtraHashAlgorithm("blake3", Blake3.HashSize, HashBlake3));
        options.IO = new GlueEvalIO(options.IO, state);
    }

    // A loop, not LINQ's Any: System.Linq would be loaded at every start-up for this.
    private static bool HasAlgorithm(EvaluatorOptions options, string name)
    {
        foreach (var a in options.ExtraHashAlgorithms)
            if (a.Name == name) return true;
        return false;
    }

    // A delegate to this method rather than to Blake3.Hash itself: binding that would load
    // Tvix.CAStore at every start-up; this loads it only when a program hashes with blake3.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void HashBlake3(ReadOnlySpan<byte> data, Span<byte> digest) => Blake3.Hash(data, digest);
}
