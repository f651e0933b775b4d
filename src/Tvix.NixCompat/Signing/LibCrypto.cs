using System.Runtime.InteropServices;

namespace Tvix.NixCompat.Signing;

/// <summary>
/// Ed25519 through the system's OpenSSL 3 (<c>libcrypto.so.3</c>): .NET has no Ed25519 of its
/// own. Keys are created per call from raw bytes, so nothing native outlives a call.
/// </summary>
internal static partial class LibCrypto
{
    private const string Library = "libcrypto.so.3";
    private const int EvpPkeyEd25519 = 1087; // NID_ED25519

    [LibraryImport(Library)]
    private static partial nint EVP_PKEY_new_raw_private_key(int type, nint engine, ReadOnlySpan<byte> key, nuint length);

    [LibraryImport(Library)]
    private static partial nint EVP_PKEY_new_raw_public_key(int type, nint engine, ReadOnlySpan<byte> key, nuint length);

    [LibraryImport(Library)]
    private static partial int EVP_PKEY_get_raw_public_key(nint pkey, Span<byte> key, ref nuint length);

    [LibraryImport(Library)]
    private static partial void EVP_PKEY_free(nint pkey);

    [LibraryImport(Library)]
    private static partial nint EVP_MD_CTX_new();

    [LibraryImport(Library)]
    private static partial void EVP_MD_CTX_free(nint ctx);

    [LibraryImport(Library)]
    private static partial int EVP_DigestSignInit(nint ctx, nint pctx, nint md, nint engine, nint pkey);

    [LibraryImport(Library)]
    private static partial int EVP_DigestSign(nint ctx, Span<byte> signature, ref nuint signatureLength, ReadOnlySpan<byte> message, nuint messageLength);

    [LibraryImport(Library)]
    private static partial int EVP_DigestVerifyInit(nint ctx, nint pctx, nint md, nint engine, nint pkey);

    [LibraryImport(Library)]
    private static partial int EVP_DigestVerify(nint ctx, ReadOnlySpan<byte> signature, nuint signatureLength, ReadOnlySpan<byte> message, nuint messageLength);

    private static nint PrivateKey(ReadOnlySpan<byte> seed)
    {
        nint key;
        try
        {
            key = EVP_PKEY_new_raw_private_key(EvpPkeyEd25519, 0, seed, (nuint)seed.Length);
        }
        catch (DllNotFoundException e)
        {
            throw Missing(e);
        }
        return key != 0 ? key : throw new InvalidOperationException("libcrypto refused the Ed25519 private key");
    }

    private static PlatformNotSupportedException Missing(Exception e) =>
        new("Ed25519 needs OpenSSL 3 (libcrypto.so.3), which was not found", e);

    /// <summary>The 32-byte public key of a 32-byte seed.</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> seed)
    {
        var key = PrivateKey(seed);
        try
        {
            var result = new byte[32];
            nuint length = 32;
            if (EVP_PKEY_get_raw_public_key(key, result, ref length) != 1 || length != 32)
                throw new InvalidOperationException("libcrypto could not derive the Ed25519 public key");
            return result;
        }
        finally
        {
            EVP_PKEY_free(key);
        }
    }

    /// <summary>Signs with the 32-byte seed; returns the 64-byte signature.</summary>
    public static byte[] Sign(ReadOnlySpan<byte> seed, ReadOnlySpan<byte> message)
    {
        var key = PrivateKey(seed);
        var ctx = EVP_MD_CTX_new();
        try
        {
            if (ctx == 0 || EVP_DigestSignInit(ctx, 0, 0, 0, key) != 1) throw new InvalidOperationException("libcrypto could not start an Ed25519 signature");
            var signature = new byte[64];
            nuint length = 64;
            if (EVP_DigestSign(ctx, signature, ref length, message, (nuint)message.Length) != 1 || length != 64)
                throw new InvalidOperationException("libcrypto could not sign");
            return signature;
        }
        finally
        {
            if (ctx != 0) EVP_MD_CTX_free(ctx);
            EVP_PKEY_free(key);
        }
    }

    /// <summary>True when <paramref name="signature"/> is a valid signature of <paramref name="message"/> by <paramref name="publicKey"/>.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != 32 || signature.Length != 64) return false;
        nint key;
        try
        {
            key = EVP_PKEY_new_raw_public_key(EvpPkeyEd25519, 0, publicKey, 32);
        }
        catch (DllNotFoundException e)
        {
            throw Missing(e);
        }
        if (key == 0) return false;
        var ctx = EVP_MD_CTX_new();
        try
        {
            if (ctx == 0 || EVP_DigestVerifyInit(ctx, 0, 0, 0, key) != 1) throw new InvalidOperationException("libcrypto could not start an Ed25519 verification");
            return EVP_DigestVerify(ctx, signature, 64, message, (nuint)message.Length) == 1;
        }
        finally
        {
            if (ctx != 0) EVP_MD_CTX_free(ctx);
            EVP_PKEY_free(key);
        }
    }
}
