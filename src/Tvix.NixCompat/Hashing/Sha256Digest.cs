using Tvix.Hashing;

namespace Tvix.NixCompat;

/// <summary>SHA-256 of in-memory messages (store path fingerprints, ATerms): <see cref="NativeDigest"/> with the algorithm fixed.</summary>
internal static class Sha256Digest
{
    /// <summary>True when Nettle's or libcrypto's low-level functions are in use (tests).</summary>
    internal static bool UsesNative => NativeDigest.UsesNative(DigestKind.Sha256);

    /// <summary>The SHA-256 of <paramref name="data"/> into <paramref name="destination"/> (32 bytes).</summary>
    public static void HashData(ReadOnlySpan<byte> data, Span<byte> destination) => NativeDigest.HashData(DigestKind.Sha256, data, destination);

    /// <summary>The SHA-256 of <paramref name="data"/> as a new array.</summary>
    public static byte[] HashData(ReadOnlySpan<byte> data) => NativeDigest.HashData(DigestKind.Sha256, data);
}
