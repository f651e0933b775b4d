namespace Tvix.NixCompat.Derivations;

/// <summary>
/// One output of a derivation: input-addressed (a path), fixed-output (a path and the expected
/// hash), floating content-addressed (only an algorithm) or deferred (nothing yet). Immutable.
/// </summary>
public sealed class DerivationOutput
{
    private DerivationOutput(StorePath? path, NixHash? hash, NixHashAlgorithm? algorithm, OutputHashMode mode)
    {
        Path = path;
        Hash = hash;
        HashAlgorithm = algorithm;
        HashMode = mode;
    }

    /// <summary>An output whose path is derived from the derivation's inputs.</summary>
    public static DerivationOutput InputAddressed(StorePath path) => new(path, null, null, OutputHashMode.Flat);

    /// <summary>
    /// A fixed-output (content-addressed, known hash) output; the path may be null until
    /// <see cref="Derivation.CalculateOutputPaths"/> computes it.
    /// </summary>
    public static DerivationOutput Fixed(NixHash hash, OutputHashMode mode, StorePath? path = null) => new(path, hash, hash.Algorithm, mode);

    /// <summary>
    /// The fixed output described by a derivation's <c>outputHash</c>, <c>outputHashAlgo</c> and
    /// <c>outputHashMode</c> attributes, checked as Nix 2.8's <c>derivationStrict</c> does: the mode
    /// is <c>flat</c> (default) or <c>recursive</c>; an unknown algorithm counts as none; an empty
    /// hash with a known algorithm is the all-zero hash; otherwise the hash parses like
    /// <see cref="NixHash.Parse"/> with the algorithm as the expected one.
    /// </summary>
    /// <exception cref="NixFormatException">An attribute is invalid; the message is Nix's.</exception>
    public static DerivationOutput FixedFromAttributes(string outputHash, string? outputHashAlgo, string? outputHashMode)
    {
        var mode = outputHashMode switch
        {
            null or "flat" => OutputHashMode.Flat,
            "recursive" => OutputHashMode.Recursive,
            _ => throw new NixFormatException($"invalid value '{outputHashMode}' for 'outputHashMode' attribute"),
        };
        var algorithm = outputHashAlgo is null ? null : NixHashAlgorithms.TryParse(outputHashAlgo);
        if (outputHash.Length == 0)
        {
            if (algorithm is not { } known) throw new NixFormatException("empty hash requires explicit hash type");
            return Fixed(new NixHash(known, new byte[known.DigestSize()]), mode);
        }
        return Fixed(NixHash.Parse(outputHash, algorithm), mode);
    }

    /// <summary>A floating content-addressed output (experimental <c>ca-derivations</c>): its path is known only after the build.</summary>
    public static DerivationOutput Floating(NixHashAlgorithm algorithm, OutputHashMode mode) => new(null, null, algorithm, mode);

    /// <summary>An output with no path yet (input-addressed before its path is computed, or depending on a floating one).</summary>
    public static DerivationOutput Deferred { get; } = new(null, null, null, OutputHashMode.Flat);

    /// <summary>The output path, or null when it is not (yet) known.</summary>
    public StorePath? Path { get; }

    /// <summary>The expected hash of a fixed output, otherwise null.</summary>
    public NixHash? Hash { get; }

    /// <summary>The hash algorithm of a content-addressed output (fixed or floating), otherwise null.</summary>
    public NixHashAlgorithm? HashAlgorithm { get; }

    /// <summary>How a content-addressed output is hashed (only meaningful when <see cref="HashAlgorithm"/> is set).</summary>
    public OutputHashMode HashMode { get; }

    /// <summary>True for a fixed-output output.</summary>
    public bool IsFixed => Hash != null;

    /// <summary>The same output with a path.</summary>
    public DerivationOutput WithPath(StorePath path) => new(path, Hash, HashAlgorithm, HashMode);

    /// <summary>The ATerm <c>hashAlgo</c> field: <c>[r:|text:]ALGO</c>, or empty.</summary>
    public string HashAlgorithmField => HashAlgorithm is { } algorithm ? ModePrefix(HashMode) + algorithm.Name() : "";

    /// <summary>The ATerm <c>hash</c> field: the fixed hash in base16, or empty.</summary>
    public string HashField => Hash?.ToBase16() ?? "";

    internal static string ModePrefix(OutputHashMode mode) => mode switch
    {
        OutputHashMode.Recursive => "r:",
        OutputHashMode.Text => "text:",
        _ => "",
    };
}
