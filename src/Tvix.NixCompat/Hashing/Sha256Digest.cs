using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Tvix.NixCompat;

/// <summary>
/// SHA-256 of short in-memory messages (store path fingerprints, ATerms) at the lowest per-call
/// cost available. On Linux, <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> goes
/// through OpenSSL's EVP layer: a context allocation, a provider lookup and an error-queue
/// clear cost about as much as hashing a kilobyte, and instantiating one derivation hashes
/// seven messages. OpenSSL's low-level <c>SHA256_Init/Update/Final</c> (deprecated in OpenSSL
/// 3 but exported by every 3.x, and what C++ Nix's <c>hashString</c> uses) hash on a stack
/// context with the same SHA-NI code and none of that overhead. When libcrypto or the functions
/// are missing (another OS, a future OpenSSL) the platform implementation is used instead.
/// </summary>
internal static unsafe class Sha256Digest
{
    /// <summary>Longer messages go to the platform implementation (its overhead no longer matters, and a native call without a GC transition must stay short).</summary>
    private const int MaxNativeLength = 64 * 1024;

    /// <summary>OpenSSL's <c>SHA256_CTX</c> is 112 bytes; the stack context is larger to be safe.</summary>
    private const int ContextSize = 256;

    private static readonly NativeFunctions? Native = NativeFunctions.TryLoad();

    /// <summary>True when the OpenSSL low-level functions are in use (tests).</summary>
    internal static bool UsesNative => Native != null;

    /// <summary>The SHA-256 of <paramref name="data"/> into <paramref name="destination"/> (32 bytes).</summary>
    public static void HashData(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < 32) throw new ArgumentException("a SHA-256 digest needs 32 bytes", nameof(destination));
        if (Native is { } native && data.Length <= MaxNativeLength) native.Hash(data, destination);
        else SHA256.HashData(data, destination);
    }

    /// <summary>The SHA-256 of <paramref name="data"/> as a new array.</summary>
    public static byte[] HashData(ReadOnlySpan<byte> data)
    {
        var result = new byte[32];
        HashData(data, result);
        return result;
    }

    private sealed class NativeFunctions
    {
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int> _init;
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int> _update;
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int> _final;

        private NativeFunctions(nint init, nint update, nint final)
        {
            _init = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int>)init;
            _update = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int>)update;
            _final = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int>)final;
        }

        public static NativeFunctions? TryLoad()
        {
            if (!OperatingSystem.IsLinux()) return null;
            if (!NativeLibrary.TryLoad("libcrypto.so.3", typeof(Sha256Digest).Assembly, null, out var library)) return null;
            if (!NativeLibrary.TryGetExport(library, "SHA256_Init", out var init)
                || !NativeLibrary.TryGetExport(library, "SHA256_Update", out var update)
                || !NativeLibrary.TryGetExport(library, "SHA256_Final", out var final))
                return null;
            var functions = new NativeFunctions(init, update, final);
            // Trust it only when it gives the known digest of a probe message (a known-answer
            // test rather than a comparison with the platform's SHA-256: that would initialise
            // .NET's OpenSSL layer, milliseconds at start-up, in processes that never need it).
            Span<byte> ours = stackalloc byte[32];
            if (!functions.Hash(ProbeMessage, ours)) return null;
            return ours.SequenceEqual(ProbeDigest) ? functions : null;
        }

        private static ReadOnlySpan<byte> ProbeMessage => "Tvix.NixCompat checks libcrypto's SHA-256"u8;

        /// <summary>SHA-256 of <see cref="ProbeMessage"/> (computed with Python's hashlib and sha256sum).</summary>
        private static ReadOnlySpan<byte> ProbeDigest =>
        [
            0xee, 0xf2, 0x8e, 0x08, 0xfe, 0xb1, 0xd1, 0xdb, 0x55, 0x4a, 0x74, 0x58, 0xa3, 0x44, 0x32, 0x85,
            0x51, 0xfe, 0x55, 0xd1, 0x57, 0x5c, 0x6d, 0x65, 0x9e, 0x72, 0xc6, 0xae, 0xca, 0x65, 0xdc, 0xad,
        ];

        public bool Hash(ReadOnlySpan<byte> data, Span<byte> destination)
        {
            var context = stackalloc byte[ContextSize];
            fixed (byte* input = data)
            fixed (byte* output = destination)
            {
                if (_init(context) != 1 || _update(context, input, (nuint)data.Length) != 1 || _final(output, context) != 1)
                    throw new CryptographicException("libcrypto's SHA256 failed");
            }
            return true;
        }
    }
}
