using System.Collections.Concurrent;
using Tvix.Eval;
using Tvix.Glue.Store;
using Tvix.NixCompat;
using Tvix.NixCompat.Derivations;

namespace Tvix.Glue;

/// <summary>
/// What the store builtins share across calls: the store directory, where new paths go, the
/// derivations created so far (a dependent needs each input's hash modulo) and the paths
/// already imported from the filesystem. Store paths are pure functions of content, so the
/// caches are valid for every evaluator on the same store; they are thread-safe.
/// </summary>
internal sealed class GlueState
{
    public GlueState(StoreDirectory storeDirectory, IGlueStoreWriter store, GlueFeatures features)
    {
        StoreDirectory = storeDirectory;
        Store = store;
        Features = features;
        StoreDirPrefix = storeDirectory.Path + "/";
    }

    public StoreDirectory StoreDirectory { get; }

    public string StoreDirPrefix { get; }

    public IGlueStoreWriter Store { get; }

    public GlueFeatures Features { get; }

    /// <summary>Derivations created by <c>derivationStrict</c> (or read back from the store), by <c>.drv</c> path.</summary>
    public ConcurrentDictionary<StorePath, KnownDerivation> Derivations { get; } = new();

    /// <summary>Filesystem paths already copied by path coercion: source path → store path string.</summary>
    public ConcurrentDictionary<string, string> CopiedSources { get; } = new(StringComparer.Ordinal);

    /// <summary>The known derivation at <paramref name="drvPath"/>, reading it from the store when it was not made here.</summary>
    public KnownDerivation GetDerivation(StorePath drvPath)
    {
        if (Derivations.TryGetValue(drvPath, out var known)) return known;
        var text = Store.ReadText(drvPath)
            ?? throw new NixEvalException($"derivation '{StoreDirectory.Print(drvPath)}' is not known to this evaluator or its store");
        var drv = Derivation.ParseAterm(text, StoreDirectory);
        known = new KnownDerivation(drv, drvPath);
        return Derivations.GetOrAdd(drvPath, known);
    }

    /// <summary>
    /// Nix's <c>hashDerivationModulo</c> of a known derivation as its dependents see it, or null when
    /// it is deferred (a floating content-addressed derivation or one depending on such).
    /// </summary>
    public byte[]? HashModulo(StorePath drvPath)
    {
        var known = GetDerivation(drvPath);
        if (known.HashModuloComputed) return known.HashModuloValue;
        byte[]? result;
        if (IsDeferred(known.Derivation)) result = null;
        else result = known.Derivation.CalculateHashModulo(InputHashModulo, StoreDirectory);
        known.SetHashModulo(result);
        return result;
    }

    /// <summary>Whether a derivation's outputs cannot be computed at evaluation time (ca-derivations).</summary>
    public bool IsDeferred(Derivation drv)
    {
        foreach (var output in drv.Outputs.Values)
        {
            if (output.IsFixed) return false;
            if (output.HashAlgorithm != null) return true;
        }
        foreach (var input in drv.InputDerivations.Keys)
        {
            if (HashModulo(input) == null) return true;
        }
        return false;
    }

    /// <summary>The callback <see cref="Derivation"/>'s hashing methods take.</summary>
    public ReadOnlyMemory<byte> InputHashModulo(StorePath drvPath) =>
        HashModulo(drvPath) ?? throw new NixEvalException($"derivation '{StoreDirectory.Print(drvPath)}' has deferred outputs");

    /// <summary>The references of a store path this evaluation created or the store holds.</summary>
    public IEnumerable<StorePath> References(StorePath path)
    {
        if (Derivations.TryGetValue(path, out var known)) return known.Derivation.References();
        return Store.References(path);
    }
}

/// <summary>A derivation this evaluator knows, with its lazily computed hash modulo.</summary>
internal sealed class KnownDerivation(Derivation derivation, StorePath path)
{
    public Derivation Derivation { get; } = derivation;

    public StorePath Path { get; } = path;

    public bool HashModuloComputed { get; private set; }

    public byte[]? HashModuloValue { get; private set; }

    public void SetHashModulo(byte[]? hash)
    {
        HashModuloValue = hash;
        HashModuloComputed = true;
    }
}

/// <summary>Experimental Nix features the glue honours.</summary>
[Flags]
internal enum GlueFeatures
{
    None = 0,
    /// <summary><c>ca-derivations</c>: floating content-addressed derivations (<c>__contentAddressed = true</c>).</summary>
    CaDerivations = 1,
    /// <summary><c>impure-derivations</c> (<c>__impure = true</c>).</summary>
    ImpureDerivations = 2,
}
