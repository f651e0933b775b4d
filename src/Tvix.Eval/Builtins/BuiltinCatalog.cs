namespace Tvix.Eval.Builtins;

/// <summary>
/// Assembles the builtins of an evaluator: the core set (this folder), then the support
/// builtins (regex, versions, hashing, JSON/XML/TOML; implemented in Support/ through
/// <see cref="RegisterSupportBuiltins"/>), then the host's own callbacks.
/// </summary>
internal static partial class BuiltinCatalog
{
    public static BuiltinRegistry Create(EvaluatorOptions options)
    {
        var registry = new BuiltinRegistry();
        RegisterCore(registry, options);
        RegisterStoreBuiltinsUnavailable(registry);
        RegisterSupportBuiltins(registry, options);
        foreach (var configure in options.Builtins) configure(registry);
        return registry;
    }

    /// <summary>Implemented by the support builtins (src/Tvix.Eval/Support) in their own file.</summary>
    static partial void RegisterSupportBuiltins(BuiltinRegistry registry, EvaluatorOptions options);


    /// <summary>Builtins that need a store: registered by Tvix.Glue; until then a clear error.</summary>
    private static void RegisterStoreBuiltinsUnavailable(BuiltinRegistry registry)
    {
        // Plain calls, not a table of tuples: a ValueTuple over a string is a generic
        // instantiation that ReadyToRun code cannot hold, so it was JIT-compiled at every start-up.
        StoreBuiltinUnavailable(registry, "derivationStrict", 1, global: true);
        StoreBuiltinUnavailable(registry, "path", 1);
        StoreBuiltinUnavailable(registry, "filterSource", 2);
        StoreBuiltinUnavailable(registry, "toFile", 2);
        StoreBuiltinUnavailable(registry, "storePath", 1);
        StoreBuiltinUnavailable(registry, "fetchurl", 1);
        StoreBuiltinUnavailable(registry, "fetchTarball", 1, global: true);
        StoreBuiltinUnavailable(registry, "fetchGit", 1, global: true);
        StoreBuiltinUnavailable(registry, "fetchTree", 1, global: true);
        StoreBuiltinUnavailable(registry, "fetchClosure", 1);
        StoreBuiltinUnavailable(registry, "fetchMercurial", 1, global: true);
    }

    private static void StoreBuiltinUnavailable(BuiltinRegistry registry, string name, int arity, bool global = false) =>
        registry.Add(name, arity, (cx, _) => throw cx.Error($"builtins.{name} requires a store (not available in this evaluator)"), global);
}
