using Tvix.NixCompat;

namespace Tvix.Store;

/// <summary>The two facts Nix keeps about a path's NAR serialisation: its length and its SHA-256.</summary>
public sealed class NarSummary : IEquatable<NarSummary>
{
    /// <summary>Creates a summary.</summary>
    /// <exception cref="ArgumentException"><paramref name="sha256"/> is not a SHA-256 hash.</exception>
    public NarSummary(ulong size, NixHash sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        if (sha256.Algorithm != NixHashAlgorithm.Sha256) throw new ArgumentException("a NAR hash is SHA-256, not " + NixHashAlgorithms.Name(sha256.Algorithm), nameof(sha256));
        Size = size;
        Sha256 = sha256;
    }

    /// <summary>The NAR's length in bytes.</summary>
    public ulong Size { get; }

    /// <summary>The NAR's SHA-256.</summary>
    public NixHash Sha256 { get; }

    /// <inheritdoc />
    public bool Equals(NarSummary? other) => other is not null && other.Size == Size && other.Sha256.Equals(Sha256);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NarSummary);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Size, Sha256);

    /// <summary><c>narSize narHash(SRI)</c>, for logs.</summary>
    public override string ToString() => $"{Size} {Sha256.ToSri()}";
}
