namespace Tvix.NixCompat.Signing;

/// <summary>
/// A Nix secret key, <c>name:base64</c> of 64 bytes (the Ed25519 seed followed by the public
/// key, as libsodium stores it), e.g. what <c>nix-store --generate-binary-cache-key</c> writes.
/// </summary>
public sealed class SigningKey
{
    private readonly byte[] _seed;

    private SigningKey(string name, byte[] seed, VerifyingKey publicKey)
    {
        Name = name;
        _seed = seed;
        PublicKey = publicKey;
    }

    /// <summary>The key's name (before the colon).</summary>
    public string Name { get; }

    /// <summary>The matching public key.</summary>
    public VerifyingKey PublicKey { get; }

    /// <summary>Parses <c>name:base64</c>.</summary>
    /// <exception cref="NixFormatException">Not a secret key, or its public half does not match its seed.</exception>
    public static SigningKey Parse(string text)
    {
        var (name, bytes) = KeyText.Split(text.Trim(), "secret key");
        if (bytes.Length != 64) throw new NixFormatException($"secret key '{name}' has {bytes.Length} bytes, not 64");
        var seed = bytes[..32];
        var publicKey = LibCrypto.PublicKeyOf(seed);
        if (!publicKey.AsSpan().SequenceEqual(bytes.AsSpan(32)))
            throw new NixFormatException($"secret key '{name}' is inconsistent: its public half does not belong to its seed");
        return new SigningKey(name, seed, new VerifyingKey(name, publicKey));
    }

    /// <summary>Creates a key from a 32-byte Ed25519 seed.</summary>
    public static SigningKey FromSeed(string name, ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32) throw new ArgumentException("an Ed25519 seed has 32 bytes", nameof(seed));
        KeyText.ValidateName(name);
        var copy = seed.ToArray();
        return new SigningKey(name, copy, new VerifyingKey(name, LibCrypto.PublicKeyOf(copy)));
    }

    /// <summary>The 64-byte Ed25519 signature of <paramref name="message"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => LibCrypto.Sign(_seed, message);

    /// <summary>A Nix signature string <c>name:base64</c> of a fingerprint (signed as UTF-8).</summary>
    public string SignFingerprint(string fingerprint) =>
        Name + ":" + Convert.ToBase64String(Sign(System.Text.Encoding.UTF8.GetBytes(fingerprint)));

    /// <summary>The key in Nix's text form <c>name:base64(seed ‖ public key)</c>.</summary>
    public override string ToString() => Name + ":" + Convert.ToBase64String([.. _seed, .. PublicKey.KeyBytes]);
}
