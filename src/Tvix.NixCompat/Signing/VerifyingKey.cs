namespace Tvix.NixCompat.Signing;

/// <summary>A Nix public key, <c>name:base64</c> of the 32-byte Ed25519 public key (a trusted-public-keys entry).</summary>
public sealed class VerifyingKey
{
    private readonly byte[] _key;

    internal VerifyingKey(string name, byte[] key)
    {
        Name = name;
        _key = key;
    }

    /// <summary>The key's name (before the colon).</summary>
    public string Name { get; }

    /// <summary>The 32 key bytes.</summary>
    public ReadOnlySpan<byte> KeyBytes => _key;

    /// <summary>Parses <c>name:base64</c>.</summary>
    /// <exception cref="NixFormatException">Not a public key.</exception>
    public static VerifyingKey Parse(string text)
    {
        var (name, bytes) = KeyText.Split(text.Trim(), "public key");
        if (bytes.Length != 32) throw new NixFormatException($"public key '{name}' has {bytes.Length} bytes, not 32");
        return new VerifyingKey(name, bytes);
    }

    /// <summary>True when <paramref name="signature"/> (64 bytes) signs <paramref name="message"/> with this key.</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) => LibCrypto.Verify(_key, message, signature);

    /// <summary>
    /// True when the Nix signature string <c>name:base64</c> was made by this key (same name) over
    /// <paramref name="fingerprint"/>. Malformed signatures are simply not valid.
    /// </summary>
    public bool VerifyFingerprint(string fingerprint, string signature)
    {
        var colon = signature.IndexOf(':');
        if (colon <= 0 || signature.AsSpan(0, colon).SequenceEqual(Name) is false) return false;
        var raw = new byte[64];
        if (!Convert.TryFromBase64String(signature[(colon + 1)..], raw, out var written) || written != 64) return false;
        return Verify(System.Text.Encoding.UTF8.GetBytes(fingerprint), raw);
    }

    /// <summary>The key in Nix's text form.</summary>
    public override string ToString() => Name + ":" + Convert.ToBase64String(_key);
}

/// <summary>The <c>name:base64</c> syntax shared by keys and signatures.</summary>
internal static class KeyText
{
    public static (string Name, byte[] Bytes) Split(string text, string what)
    {
        var colon = text.IndexOf(':');
        if (colon < 0) throw new NixFormatException($"{what} '{text}' is not of the form NAME:BASE64");
        var name = text[..colon];
        ValidateName(name);
        try
        {
            return (name, Convert.FromBase64String(text[(colon + 1)..]));
        }
        catch (FormatException e)
        {
            throw new NixFormatException($"{what} '{name}' is not valid base64", e);
        }
    }

    public static void ValidateName(string name)
    {
        if (name.Length == 0) throw new NixFormatException("a key needs a name before the colon");
    }
}
