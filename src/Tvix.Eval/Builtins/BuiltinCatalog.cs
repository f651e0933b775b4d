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
        (string Name, int Arity, bool Global)[] storeBuiltins =
        [
            ("derivationStrict", 1, true), ("path", 1, false), ("filterSource", 2, false), ("toFile", 2, false),
            ("storePath", 1, false), ("fetchurl", 1, false), ("fetchTarball", 1, true), ("fetchGit", 1, true),
            ("fetchTree", 1, true), ("fetchClosure", 1, false), ("fetchMercurial", 1, true)
        ];
        foreach (var (name, arity, global) in storeBuiltins)
        {
            if (arity == 0) continue;
            var message = $"builtins.{name} requires a store (not available in this evaluator)";
            registry.Add(name, arity, (cx, _) => throw cx.Error(message), global);
        }
    }
}
