using System.Security.Cryptography;

namespace Tvix.Hashing;

/// <summary>
/// .NET's own implementations, for where <see cref="NativeDigest"/> can use neither Nettle nor libcrypto.
/// </summary>
/// <remarks>
/// Every use of System.Security.Cryptography's types lives here, and only here: a field or a
/// local of one of its types in <see cref="IncrementalDigest"/> made the runtime load that
/// assembly (about 1 MB of resident memory) when the class was first used, even with libcrypto's
/// functions in place.
/// </remarks>
internal sealed class PlatformDigest : IDisposable
{
    private readonly IncrementalHash _hash;

    public PlatformDigest(DigestKind kind) => _hash = IncrementalHash.CreateHash(kind switch
    {
        DigestKind.Md5 => HashAlgorithmName.MD5,
        DigestKind.Sha1 => HashAlgorithmName.SHA1,
        DigestKind.Sha256 => HashAlgorithmName.SHA256,
        _ => HashAlgorithmName.SHA512,
    });

    /// <summary>The digest of <paramref name="data"/> into <paramref name="destination"/>.</summary>
    public static void HashData(DigestKind kind, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        switch (kind)
        {
            case DigestKind.Md5: MD5.HashData(data, destination); break;
            case DigestKind.Sha1: SHA1.HashData(data, destination); break;
            case DigestKind.Sha256: SHA256.HashData(data, destination); break;
            default: SHA512.HashData(data, destination); break;
        }
    }

    public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    public void GetHashAndReset(Span<byte> destination) => _hash.GetHashAndReset(destination);

    public void GetCurrentHash(Span<byte> destination) => _hash.GetCurrentHash(destination);

    public void Dispose() => _hash.Dispose();
}
