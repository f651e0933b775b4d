using Tvix.Hashing;

namespace Tvix.NixCompat;

/// <summary>
/// A hash of one of Nix's algorithms computed piece by piece (a stream, a NAR being written).
/// On Linux it runs on Nettle's or libcrypto's low-level digest functions (C++ Nix uses the latter), rather than
/// .NET's cryptography layer, whose first use alone costs a process milliseconds and megabytes.
/// Not thread-safe.
/// </summary>
public sealed class NixIncrementalHash : IDisposable
{
    private readonly IncrementalDigest _digest;

    /// <summary>Starts a hash of <paramref name="algorithm"/>.</summary>
    public NixIncrementalHash(NixHashAlgorithm algorithm)
    {
        Algorithm = algorithm;
        _digest = new IncrementalDigest(algorithm.ToDigestKind());
    }

    /// <summary>The algorithm.</summary>
    public NixHashAlgorithm Algorithm { get; }

    /// <summary>Adds bytes to the hash.</summary>
    public void AppendData(ReadOnlySpan<byte> data) => _digest.Append(data);

    /// <summary>Adds <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
    public void AppendData(byte[] data, int offset, int count) => _digest.Append(data.AsSpan(offset, count));

    /// <summary>The digest of everything added since the start or the last reset; the hash starts again.</summary>
    public byte[] GetHashAndReset() => _digest.GetHashAndReset();

    /// <summary>Writes the digest into <paramref name="destination"/> (<see cref="NixHashAlgorithms.DigestSize"/> bytes) and starts again.</summary>
    public void GetHashAndReset(Span<byte> destination) => _digest.GetHashAndReset(destination);

    /// <summary>The digest of everything added so far, leaving the hash to go on.</summary>
    public byte[] GetCurrentHash() => _digest.GetCurrentHash();

    /// <inheritdoc />
    public void Dispose() => _digest.Dispose();
}
