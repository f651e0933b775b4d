namespace Tvix.NixCompat.Derivations;

/// <summary>What <c>Derivation.Instantiate</c> computes besides the output paths.</summary>
public sealed class InstantiatedDerivation
{
    internal InstantiatedDerivation(StorePath path, DerivationHashModulo hashModulo, StorePath[] references)
    {
        Path = path;
        HashModulo = hashModulo;
        References = references;
    }

    /// <summary>The store path of the <c>.drv</c> file.</summary>
    public StorePath Path { get; }

    /// <summary>The hash modulo its dependents use (Nix's <c>hashDerivationModulo(drv, false)</c>), and whether it is deferred.</summary>
    public DerivationHashModulo HashModulo { get; }

    /// <summary>The references of the <c>.drv</c> file: input sources and input derivations, sorted.</summary>
    public IReadOnlyList<StorePath> References { get; }
}
