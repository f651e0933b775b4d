using Tvix.Hashing;

namespace Tvix.NixCompat;

/// <summary>The hash algorithms Nix knows.</summary>
public enum NixHashAlgorithm
{
    /// <summary>MD5, 16 bytes.</summary>
    Md5 = 1,
    /// <summary>SHA-1, 20 bytes.</summary>
    Sha1 = 2,
    /// <summary>SHA-256, 32 bytes.</summary>
    Sha256 = 3,
    /// <summary>SHA-512, 64 bytes.</summary>
    Sha512 = 4,
}

/// <summary>Names, sizes and hashing functions of <see cref="NixHashAlgorithm"/>.</summary>
public static class NixHashAlgorithms
{
    /// <summary>Nix's name for the algorithm: <c>md5</c>, <c>sha1</c>, <c>sha256</c> or <c>sha512</c>.</summary>
    public static string Name(this NixHashAlgorithm algorithm) => algorithm switch
    {
        NixHashAlgorithm.Md5 => "md5",
        NixHashAlgorithm.Sha1 => "sha1",
        NixHashAlgorithm.Sha256 => "sha256",
        NixHashAlgorithm.Sha512 => "sha512",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Digest size in bytes.</summary>
    public static int DigestSize(this NixHashAlgorithm algorithm) => algorithm switch
    {
        NixHashAlgorithm.Md5 => 16,
        NixHashAlgorithm.Sha1 => 20,
        NixHashAlgorithm.Sha256 => 32,
        NixHashAlgorithm.Sha512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Parses an algorithm name exactly as Nix spells it (lower case); null when unknown.</summary>
    public static NixHashAlgorithm? TryParse(ReadOnlySpan<char> name) => name switch
    {
        "md5" => NixHashAlgorithm.Md5,
        "sha1" => NixHashAlgorithm.Sha1,
        "sha256" => NixHashAlgorithm.Sha256,
        "sha512" => NixHashAlgorithm.Sha512,
        _ => null,
    };

    /// <summary>Parses an algorithm name.</summary>
    /// <exception cref="NixFormatException">The name is not one Nix knows.</exception>
    public static NixHashAlgorithm Parse(ReadOnlySpan<char> name) =>
        TryParse(name) ?? throw new NixFormatException($"unknown hash algorithm '{name}'");

    /// <summary>Hashes bytes into <paramref name="destination"/> (which holds <see cref="DigestSize"/> bytes).</summary>
    public static void HashData(this NixHashAlgorithm algorithm, ReadOnlySpan<byte> data, Span<byte> destination) =>
        NativeDigest.HashData(algorithm.ToDigestKind(), data, destination);

    /// <summary>Hashes bytes into a new array.</summary>
    public static byte[] HashData(this NixHashAlgorithm algorithm, ReadOnlySpan<byte> data) =>
        NativeDigest.HashData(algorithm.ToDigestKind(), data);

    /// <summary>An incremental hash of this algorithm, for streams.</summary>
    public static NixIncrementalHash CreateIncremental(this NixHashAlgorithm algorithm) => new(algorithm);

    internal static DigestKind ToDigestKind(this NixHashAlgorithm algorithm) => algorithm switch
    {
        NixHashAlgorithm.Md5 => DigestKind.Md5,
        NixHashAlgorithm.Sha1 => DigestKind.Sha1,
        NixHashAlgorithm.Sha256 => DigestKind.Sha256,
        NixHashAlgorithm.Sha512 => DigestKind.Sha512,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };
}
