using System.Runtime.InteropServices;
using System.Security.Cryptography;

// Linked source: compiled into Tvix.NixCompat and Tvix.Eval (internal in each), because Eval does
// not reference NixCompat and both hash on paths where .NET's own cryptography layer costs more
// than the hashing itself.
namespace Tvix.Hashing;

/// <summary>The message digests Nix uses.</summary>
internal enum DigestKind
{
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

/// <summary>
/// MD5, SHA-1, SHA-256 and SHA-512 through OpenSSL's low-level functions (SHA-256 on
/// <see cref="ManagedSha256"/> until a process has hashed <see cref="ManagedSha256Budget"/> bytes) (<c>SHA256_Init</c>,
/// <c>_Update</c>, <c>_Final</c> and their siblings: deprecated in OpenSSL 3 but exported by every
/// 3.x, and what C++ Nix hashes with), falling back to .NET's implementations when libcrypto or a
/// function is missing or gives a wrong known answer.
/// </summary>
/// <remarks>
/// Why not <see cref="SHA256"/> and <see cref="IncrementalHash"/>: on Linux they go through
/// OpenSSL's EVP layer behind System.Security.Cryptography, whose first use costs about 10 ms of
/// CPU and 7 MB of resident memory (the assembly, its native shim, OpenSSL's provider set-up), and
/// every one-shot hash allocates an EVP context, looks up the provider and clears the error queue,
/// which costs about as much as hashing a kilobyte. Instantiating a package hashes thousands of
/// short messages and imports a few source files, so those costs were a visible part of it. The
/// low-level functions hash on a caller-owned context with the same SHA-NI code.
/// </remarks>
internal static unsafe class NativeDigest
{
    /// <summary>Bytes of context any of the four needs: OpenSSL's largest, <c>SHA512_CTX</c>, is 216.</summary>
    public const int ContextSize = 256;

    /// <summary>Larger inputs are hashed in a call the collector may run beside (a call without that transition must stay short).</summary>
    private const int MaxSuppressedLength = 64 * 1024;

    // libcrypto's functions, loaded on the first digest that needs them: a process that hashes
    // little (SHA-256 only, within the managed budget) never maps the library. A plain field: two
    // threads that race load the same functions, and either array will do.
    private static Functions?[]? s_native;

    private static Functions?[] Native => s_native ??= Functions.LoadAll();

    /// <summary>
    /// How many bytes SHA-256 hashes with <see cref="ManagedSha256"/> in a process before it goes to
    /// libcrypto. Loading libcrypto costs 1.7 MB of resident memory, and its SHA-NI code is several
    /// times faster. Instantiating hello hashes 1.5 MB, firefox 8.2 MB: both stay on the managed
    /// code (firefox: 1.5 MB less peak, about 40 ms more). A NixOS system hashes 26 MB: after the
    /// budget, libcrypto. (A budget of 2 MB, only hello's, left firefox both loading libcrypto
    /// and carrying the managed code's pages: 0.2-0.5 MB more than without the managed code.)
    /// </summary>
    internal const long ManagedSha256Budget = 12L << 20;

    // What SHA-256 has hashed with the managed code so far. Process-wide, like the library itself:
    // which implementation hashes is invisible (the same digest), so nothing an evaluator sees
    // depends on it. Not interlocked: a lost update only moves the switch a little.
    private static long s_managedSha256Bytes;

    /// <summary>Whether the managed SHA-256 budget is not used up yet (nothing is counted).</summary>
    internal static bool ManagedSha256Open => s_managedSha256Bytes < ManagedSha256Budget;

    /// <summary>
    /// Whether SHA-256 of a message of <paramref name="length"/> bytes runs on the managed code
    /// (and counts them): only if all of it fits in what is left of the budget. A message that
    /// does not fit goes to libcrypto even while smaller ones still fit: the NixOS system's
    /// 10.9 MB options document, written with <c>toFile</c> when 4 MB of the budget were used,
    /// took 57 ms on the managed code where libcrypto takes 10.
    /// </summary>
    internal static bool TakeManagedSha256(long length)
    {
        var used = s_managedSha256Bytes;
        if (length > ManagedSha256Budget - used) return false;
        s_managedSha256Bytes = used + length;
        return true;
    }

    /// <summary>The digest length of <paramref name="kind"/> in bytes.</summary>
    public static int Size(DigestKind kind) => kind switch
    {
        DigestKind.Md5 => 16,
        DigestKind.Sha1 => 20,
        DigestKind.Sha256 => 32,
        _ => 64,
    };

    /// <summary>Whether <paramref name="kind"/> is hashed by libcrypto's low-level functions here (tests).</summary>
    public static bool UsesNative(DigestKind kind) => Native[(int)kind] != null;

    /// <summary>The digest of <paramref name="data"/> into <paramref name="destination"/> (at least <see cref="Size"/> bytes).</summary>
    public static void HashData(DigestKind kind, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var size = Size(kind);
        if (destination.Length < size) throw new ArgumentException($"a {kind} digest needs {size} bytes", nameof(destination));
        if (kind == DigestKind.Sha256 && TakeManagedSha256(data.Length))
        {
            ManagedSha256.HashData(data, destination);
            return;
        }
        if (Native[(int)kind] is { } native)
        {
            byte* context = stackalloc byte[ContextSize];
            native.Init(context);
            native.Update(context, data);
            native.Final(context, destination);
            return;
        }
        PlatformDigest.HashData(kind, data, destination);
    }

    /// <summary>The digest of <paramref name="data"/> as a new array.</summary>
    public static byte[] HashData(DigestKind kind, ReadOnlySpan<byte> data)
    {
        var digest = new byte[Size(kind)];
        HashData(kind, data, digest);
        return digest;
    }

    /// <summary>The native functions of one algorithm, or null when they cannot be used.</summary>
    internal static Functions? NativeFunctions(DigestKind kind) => Native[(int)kind];

    /// <summary>One algorithm's init, update and final functions, checked against a known answer.</summary>
    internal sealed class Functions
    {
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int> _init;
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int> _shortUpdate;
        private readonly delegate* unmanaged[Cdecl]<byte*, byte*, nuint, int> _longUpdate;
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int> _final;
        private readonly int _size;

        private Functions(nint init, nint update, nint final, int size)
        {
            _init = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int>)init;
            _shortUpdate = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int>)update;
            _longUpdate = (delegate* unmanaged[Cdecl]<byte*, byte*, nuint, int>)update;
            _final = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int>)final;
            _size = size;
        }

        public static Functions?[] LoadAll()
        {
            var all = new Functions?[4];
            if (!OperatingSystem.IsLinux()) return all;
            if (!NativeLibrary.TryLoad("libcrypto.so.3", typeof(NativeDigest).Assembly, null, out var library)) return all;
            all[(int)DigestKind.Md5] = TryLoad(library, "MD5", DigestKind.Md5, "b3f2086f34bd42caeaee03f5f33f67b5");
            all[(int)DigestKind.Sha1] = TryLoad(library, "SHA1", DigestKind.Sha1, "ef0689a61d28dbc8aa32d6e72f77adb884a4ba7b");
            all[(int)DigestKind.Sha256] = TryLoad(library, "SHA256", DigestKind.Sha256,
                "9b63ba30fd81f642cbdc33bd74a087c924dfaa78684e9d772a61382583090ea0");
            all[(int)DigestKind.Sha512] = TryLoad(library, "SHA512", DigestKind.Sha512,
                "5c1973349407fdcf1a89c23c733f012d518d72bc16bdf6edea890d0d04efc62f8da04dc9ced012133c964d04bf98344e881b9bcd76e6d2d7e79b87c22bf72d6c");
            return all;
        }

        private static Functions? TryLoad(nint library, string prefix, DigestKind kind, string probeDigest)
        {
            if (!NativeLibrary.TryGetExport(library, prefix + "_Init", out var init)
                || !NativeLibrary.TryGetExport(library, prefix + "_Update", out var update)
                || !NativeLibrary.TryGetExport(library, prefix + "_Final", out var final))
                return null;
            var functions = new Functions(init, update, final, Size(kind));
            // Trusted only when it gives the known digest of a probe message (computed with
            // Python's hashlib), not by comparison with .NET's: that would load the very layer
            // this class exists to avoid.
            Span<byte> digest = stackalloc byte[64];
            byte* context = stackalloc byte[ContextSize];
            try
            {
                functions.Init(context);
                functions.Update(context, "Tvix checks libcrypto"u8);
                functions.Final(context, digest);
            }
            catch (CryptographicException)
            {
                return null;
            }
            return IsHex(digest[..functions._size], probeDigest) ? functions : null;
        }

        // A loop, not Convert.ToHexStringLower: its vectorised path is not in the ReadyToRun
        // image and was compiled at start-up (this runs in every process that hashes).
        private static bool IsHex(ReadOnlySpan<byte> bytes, string lowerHex)
        {
            if (lowerHex.Length != bytes.Length * 2) return false;
            const string digits = "0123456789abcdef";
            for (var i = 0; i < bytes.Length; i++)
            {
                if (lowerHex[2 * i] != digits[bytes[i] >> 4] || lowerHex[2 * i + 1] != digits[bytes[i] & 15]) return false;
            }
            return true;
        }

        public void Init(byte* context)
        {
            if (_init(context) != 1) throw Failed();
        }

        public void Update(byte* context, ReadOnlySpan<byte> data)
        {
            fixed (byte* input = data)
            {
                var ok = data.Length <= MaxSuppressedLength
                    ? _shortUpdate(context, input, (nuint)data.Length)
                    : _longUpdate(context, input, (nuint)data.Length);
                if (ok != 1) throw Failed();
            }
        }

        public void Final(byte* context, Span<byte> destination)
        {
            fixed (byte* output = destination)
            {
                if (_final(output, context) != 1) throw Failed();
            }
        }

        private static CryptographicException Failed() => new("libcrypto's digest function failed");
    }
}

/// <summary>
/// A digest computed piece by piece: a short SHA-256 message kept whole while the managed budget
/// lasts (see <see cref="MaxBuffered"/>), libcrypto's context in a managed array (the contexts are plain data, so the
/// array may move between calls), or .NET's implementation (<see cref="PlatformDigest"/>) where
/// <see cref="NativeDigest"/> falls back to it.
/// </summary>
internal sealed unsafe class IncrementalDigest : IDisposable
{
    /// <summary>
    /// How much of a SHA-256 message is kept while the managed budget lasts, to be hashed in one go
    /// when the digest is asked for (<see cref="NativeDigest.HashData(DigestKind, ReadOnlySpan{byte}, Span{byte})"/>
    /// then picks the implementation). A longer message (a NAR of a big tree) goes to libcrypto
    /// before anything is hashed: a digest never changes implementation halfway, and a long stream
    /// never runs on the slower managed code.
    /// </summary>
    internal const int MaxBuffered = 64 * 1024;

    private NativeDigest.Functions? _native;
    private byte[]? _context;
    private PlatformDigest? _platform;
    // While the message is short and the managed budget open: the message so far.
    private bool _buffering;
    private byte[]? _buffer;
    private int _buffered;

    public IncrementalDigest(DigestKind kind)
    {
        Kind = kind;
        if (kind == DigestKind.Sha256 && NativeDigest.ManagedSha256Open) _buffering = true;
        else StartNative();
    }

    private void StartNative()
    {
        _native = NativeDigest.NativeFunctions(Kind);
        if (_native != null)
        {
            _context = new byte[NativeDigest.ContextSize];
            fixed (byte* context = _context) _native.Init(context);
        }
        else
        {
            _platform = new PlatformDigest(Kind);
        }
    }

    public DigestKind Kind { get; }

    public int Size => NativeDigest.Size(Kind);

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_buffering)
        {
            if (_buffered + data.Length <= MaxBuffered)
            {
                if (_buffer is null || _buffered + data.Length > _buffer.Length)
                {
                    // Pooled: a path import hashes a digest per file, and garbage is resident
                    // memory in an evaluation that never collects.
                    var bigger = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(4096, Math.Max(_buffered + data.Length, 2 * (_buffer?.Length ?? 0))));
                    if (_buffer is not null)
                    {
                        Array.Copy(_buffer, bigger, _buffered);
                        System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
                    }
                    _buffer = bigger;
                }
                data.CopyTo(_buffer.AsSpan(_buffered));
                _buffered += data.Length;
                return;
            }
            // Too long for the managed code: the message so far goes to libcrypto, and the rest follows.
            _buffering = false;
            StartNative();
            if (_buffer is not null)
            {
                Append(_buffer.AsSpan(0, _buffered));
                ReturnBuffer();
            }
        }
        if (_native != null)
        {
            fixed (byte* context = _context) _native.Update(context, data);
        }
        else _platform!.Append(data);
    }

    /// <summary>The digest of everything appended since the last reset, into <paramref name="destination"/>; starts again.</summary>
    public void GetHashAndReset(Span<byte> destination)
    {
        if (destination.Length < Size) throw new ArgumentException($"a {Kind} digest needs {Size} bytes", nameof(destination));
        if (_buffering)
        {
            NativeDigest.HashData(Kind, _buffer.AsSpan(0, _buffered), destination);
            ReturnBuffer();
        }
        else if (_native != null)
        {
            fixed (byte* context = _context)
            {
                _native.Final(context, destination);
                _native.Init(context);
            }
        }
        else _platform!.GetHashAndReset(destination);
    }

    public byte[] GetHashAndReset()
    {
        var digest = new byte[Size];
        GetHashAndReset(digest);
        return digest;
    }

    /// <summary>The digest of everything appended so far, leaving the state as it is (a copy of the context is finished).</summary>
    public byte[] GetCurrentHash()
    {
        var digest = new byte[Size];
        if (_buffering) NativeDigest.HashData(Kind, _buffer.AsSpan(0, _buffered), digest);
        else if (_native != null)
        {
            byte* copy = stackalloc byte[NativeDigest.ContextSize];
            _context!.AsSpan().CopyTo(new Span<byte>(copy, NativeDigest.ContextSize));
            _native.Final(copy, digest);
        }
        else _platform!.GetCurrentHash(digest);
        return digest;
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null) System.Buffers.ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _buffered = 0;
    }

    public void Dispose()
    {
        ReturnBuffer();
        _platform?.Dispose();
    }
}
