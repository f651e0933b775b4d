namespace Tvix.NixCompat.Derivations;

/// <summary>
/// The result of Nix's <c>hashDerivationModulo</c> (its <c>DrvHash</c>): the SHA-256 that stands
/// for a derivation in its dependents' hashes, and whether the derivation is <em>deferred</em>
/// — a floating content-addressed derivation, or one depending on such, whose output paths are
/// only known after a build. Dependents of a deferred derivation are deferred too, except
/// fixed-output ones.
/// </summary>
public readonly struct DerivationHashModulo : IEquatable<DerivationHashModulo>
{
    private readonly byte[] _hash;

    /// <summary>Creates a hash modulo from a 32-byte SHA-256 (copied).</summary>
    /// <exception cref="ArgumentException"><paramref name="hash"/> does not have 32 bytes.</exception>
    public DerivationHashModulo(ReadOnlySpan<byte> hash, bool isDeferred)
        : this(hash.Length == 32 ? hash.ToArray() : throw new ArgumentException("a hash modulo has 32 bytes", nameof(hash)), isDeferred)
    {
    }

    /// <summary>Wraps a freshly computed digest without copying it.</summary>
    internal DerivationHashModulo(byte[] hash, bool isDeferred)
    {
        _hash = hash;
        IsDeferred = isDeferred;
    }

    /// <summary>The 32-byte SHA-256 (empty for <c>default</c>).</summary>
    public ReadOnlySpan<byte> Hash => _hash;

    /// <summary>True when the derivation's outputs are deferred (Nix's <c>DrvHash::Kind::Deferred</c>).</summary>
    public bool IsDeferred { get; }

    /// <summary>The hash in lowercase base16, as it appears in a dependent's hashed ATerm.</summary>
    public override string ToString() => Convert.ToHexStringLower(Hash);

    /// <inheritdoc />
    public bool Equals(DerivationHashModulo other) => IsDeferred == other.IsDeferred && Hash.SequenceEqual(other.Hash);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DerivationHashModulo other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _hash is { Length: 32 } ? BitConverter.ToInt32(_hash, 0) ^ (IsDeferred ? 1 : 0) : 0;

    /// <summary>Equality of hash and kind.</summary>
    public static bool operator ==(DerivationHashModulo left, DerivationHashModulo right) => left.Equals(right);

    /// <summary>Inequality of hash or kind.</summary>
    public static bool operator !=(DerivationHashModulo left, DerivationHashModulo right) => !left.Equals(right);
}
