using System.Runtime.CompilerServices;
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
/// MD5, SHA-1, SHA-256 and SHA-512 through GNU Nettle (<c>nettle_sha256_init</c>, <c>_update</c>,
/// <c>_digest</c> and their siblings) where it is installed, else through OpenSSL's low-level
/// functions (<c>SHA256_Init</c>, <c>_Update</c>, <c>_Final</c>: deprecated in OpenSSL 3 but
/// exported by every 3.x, and what C++ Nix hashes with), with SHA-256 on
/// <see cref="ManagedSha256"/> until a process has hashed <see cref="ManagedSha256Budget"/> bytes;
/// falling back to .NET's implementations when a library or a function is missing or gives a
/// wrong known answer.
/// </summary>
/// <remarks>
/// <para>Why Nettle first: distributions build it with the x86-64 SHA-NI code (as OpenSSL's), and
/// it is small: loading it costs 0.3 MB of resident memory where libcrypto costs 1.7 MB (its
/// relocated tables). It is on most Linux systems already, as a dependency of GnuTLS (apt's, for
/// one). Without it, hashing little on the managed code spares small evaluations libcrypto's
/// memory at a cost in time: firefox's 8.2 MB took about 45 ms more than on SHA-NI code.</para>
/// <para>Why not <see cref="SHA256"/> and <see cref="IncrementalHash"/>: on Linux they go through
/// OpenSSL's EVP layer behind System.Security.Cryptography, whose first use costs about 10 ms of
/// CPU and 7 MB of resident memory (the assembly, its native shim, OpenSSL's provider set-up), and
/// every one-shot hash allocates an EVP context, looks up the provider and clears the error queue,
/// which costs about as much as hashing a kilobyte. Instantiating a package hashes thousands of
/// short messages and imports a few source files, so those costs were a visible part of it. The
/// low-level functions hash on a caller-owned context with the same SHA-NI code.</para>
/// </remarks>
internal static unsafe partial class NativeDigest
{
    /// <summary>Bytes of context any of the four needs in either library: the largest, OpenSSL's <c>SHA512_CTX</c> and Nettle's <c>sha512_ctx</c>, are 216.</summary>
    public const int ContextSize = 256;

    /// <summary>Larger inputs are hashed in a call the collector may run beside (a call without that transition must stay short).</summary>
    private const int MaxSuppressedLength = 64 * 1024;

    // Nettle's functions, loaded on the first digest; libcrypto's on the first digest Nettle cannot
    // do (without Nettle, a process that hashes little, SHA-256 only within the managed budget,
    // never maps libcrypto). Plain fields: two threads that race load the same functions, and
    // either array will do.
    private static Functions?[]? s_nettle;
    private static Functions?[]? s_libcrypto;

    private static Functions?[] Nettle => s_nettle ??= Functions.LoadNettle();

    private static Functions?[] Libcrypto => s_libcrypto ??= Functions.LoadLibcrypto();

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

    /// <summary>Whether <paramref name="kind"/> is hashed by Nettle's or libcrypto's functions here (tests).</summary>
    public static bool UsesNative(DigestKind kind) => NativeFunctions(kind) != null;

    /// <summary>Whether <paramref name="kind"/> is hashed by Nettle here (tests).</summary>
    internal static bool UsesNettle(DigestKind kind) => Nettle[(int)kind] != null;

    /// <summary>Whether SHA-256 uses the managed code while its budget lasts: only without Nettle.</summary>
    internal static bool ManagedSha256Wanted => Nettle[(int)DigestKind.Sha256] == null;

    /// <summary>The digest of <paramref name="data"/> into <paramref name="destination"/> (at least <see cref="Size"/> bytes).</summary>
    public static void HashData(DigestKind kind, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var size = Size(kind);
        if (destination.Length < size) throw new ArgumentException($"a {kind} digest needs {size} bytes", nameof(destination));
        var native = Nettle[(int)kind];
        if (native == null)
        {
            if (kind == DigestKind.Sha256 && TakeManagedSha256(data.Length))
            {
                ManagedSha256.HashData(data, destination);
                return;
            }
            native = Libcrypto[(int)kind];
        }
        if (native != null)
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

    // The C library's dlopen and dlsym rather than NativeLibrary: that type is named through
    // System.Runtime.InteropServices, an assembly a small evaluation does not load otherwise
    // (0.2 MB). Where the C library has no dlopen (not glibc), NativeLibrary does it.
    private const int RtldLazy = 1;

    [LibraryImport("libc", EntryPoint = "dlopen")]
    private static partial nint DlOpen(byte* file, int mode);

    [LibraryImport("libc", EntryPoint = "dlsym")]
    private static partial nint DlSym(nint handle, byte* symbol);

    private static bool s_noDl;

    /// <summary>A handle of the shared library <paramref name="name"/> (a file name the loader searches for), or 0.</summary>
    private static nint Open(string name)
    {
        if (!s_noDl)
        {
            try
            {
                Span<byte> file = stackalloc byte[name.Length + 1];
                Ascii(name, file);
                fixed (byte* p = file) return DlOpen(p, RtldLazy);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                s_noDl = true;
            }
        }
        return OpenWithNativeLibrary(name);
    }

    // Out of line, like ExportWithNativeLibrary: code that names NativeLibrary loads its assembly
    // when it is compiled or its ReadyToRun fixups are resolved, not when it runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint OpenWithNativeLibrary(string name) =>
        NativeLibrary.TryLoad(name, typeof(NativeDigest).Assembly, null, out var handle) ? handle : 0;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint ExportWithNativeLibrary(nint library, string symbol) =>
        NativeLibrary.TryGetExport(library, symbol, out var address) ? address : 0;

    /// <summary>The address of <paramref name="symbol"/> in <paramref name="library"/> (from <see cref="Open"/>), or 0.</summary>
    private static nint Export(nint library, string symbol)
    {
        if (!s_noDl)
        {
            Span<byte> name = stackalloc byte[symbol.Length + 1];
            Ascii(symbol, name);
            fixed (byte* p = name) return DlSym(library, p);
        }
        return ExportWithNativeLibrary(library, symbol);
    }

    // A NUL-terminated copy of an ASCII name.
    private static void Ascii(string text, Span<byte> destination)
    {
        for (var i = 0; i < text.Length; i++) destination[i] = (byte)text[i];
        destination[text.Length] = 0;
    }

    /// <summary>The native functions of one algorithm (Nettle's, else libcrypto's), or null when neither can be used.</summary>
    internal static Functions? NativeFunctions(DigestKind kind) => Nettle[(int)kind] ?? Libcrypto[(int)kind];

    /// <summary>
    /// One algorithm's init, update and final functions from Nettle or libcrypto, checked against a
    /// known answer. The two libraries order the arguments differently and only libcrypto's report
    /// failure, so each call branches on which one it is.
    /// </summary>
    internal sealed class Functions
    {
        // libcrypto: int XXX_Init(ctx), int XXX_Update(ctx, data, length), int XXX_Final(digest, ctx).
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int> _init;
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int> _shortUpdate;
        private readonly delegate* unmanaged[Cdecl]<byte*, byte*, nuint, int> _longUpdate;
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int> _final;
        // Nettle: void nettle_xxx_init(ctx), void _update(ctx, length, data), void _digest(ctx, length,
        // digest), which also starts the context again.
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, void> _nettleInit;
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, nuint, byte*, void> _nettleShortUpdate;
        private readonly delegate* unmanaged[Cdecl]<byte*, nuint, byte*, void> _nettleLongUpdate;
        private readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, nuint, byte*, void> _nettleDigest;
        private readonly bool _isNettle;
        private readonly int _size;

        private Functions(nint init, nint update, nint final, int size, bool isNettle)
        {
            _isNettle = isNettle;
            if (isNettle)
            {
                _nettleInit = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, void>)init;
                _nettleShortUpdate = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, nuint, byte*, void>)update;
                _nettleLongUpdate = (delegate* unmanaged[Cdecl]<byte*, nuint, byte*, void>)update;
                _nettleDigest = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, nuint, byte*, void>)final;
            }
            else
            {
                _init = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int>)init;
                _shortUpdate = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int>)update;
                _longUpdate = (delegate* unmanaged[Cdecl]<byte*, byte*, nuint, int>)update;
                _final = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int>)final;
            }
            _size = size;
        }

        public static Functions?[] LoadLibcrypto() =>
            LoadFrom(OperatingSystem.IsLinux() ? Open("libcrypto.so.3") : 0, isNettle: false);

        public static Functions?[] LoadNettle()
        {
            if (!OperatingSystem.IsLinux()) return new Functions?[4];
            // Nettle 3.6 and later are .so.8; the hash functions have kept their names and arguments since 3.0.
            // (Not a loop over a collection expression: its span helper is compiled at run time.)
            var library = Open("libnettle.so.8");
            if (library == 0) library = Open("libnettle.so.7");
            if (library == 0) library = Open("libnettle.so.6");
            return LoadFrom(library, isNettle: true);
        }

        // The four algorithms of one library (none when library is 0): libcrypto's SHA256_Init,
        // _Update, _Final, Nettle's nettle_sha256_init, _update, _digest, and so on.
        private static Functions?[] LoadFrom(nint library, bool isNettle)
        {
            var all = new Functions?[4];
            if (library == 0) return all;
            for (var kind = DigestKind.Md5; kind <= DigestKind.Sha512; kind++)
            {
                // The probes' digests are those of the probe message in TryLoad, computed with Python's hashlib.
                var (upper, lower, probe) = kind switch
                {
                    DigestKind.Md5 => ("MD5", "md5", "b3f2086f34bd42caeaee03f5f33f67b5"),
                    DigestKind.Sha1 => ("SHA1", "sha1", "ef0689a61d28dbc8aa32d6e72f77adb884a4ba7b"),
                    DigestKind.Sha256 => ("SHA256", "sha256", "9b63ba30fd81f642cbdc33bd74a087c924dfaa78684e9d772a61382583090ea0"),
                    _ => ("SHA512", "sha512", "5c1973349407fdcf1a89c23c733f012d518d72bc16bdf6edea890d0d04efc62f8da04dc9ced012133c964d04bf98344e881b9bcd76e6d2d7e79b87c22bf72d6c"),
                };
                all[(int)kind] = isNettle
                    ? TryLoad(library, "nettle_" + lower + "_init", "nettle_" + lower + "_update", "nettle_" + lower + "_digest", kind, probe, isNettle: true)
                    : TryLoad(library, upper + "_Init", upper + "_Update", upper + "_Final", kind, probe, isNettle: false);
            }
            return all;
        }

        private static Functions? TryLoad(nint library, string initName, string updateName, string finalName, DigestKind kind, string probeDigest, bool isNettle)
        {
            var init = Export(library, initName);
            var update = Export(library, updateName);
            var final = Export(library, finalName);
            if (init == 0 || update == 0 || final == 0) return null;
            var functions = new Functions(init, update, final, Size(kind), isNettle);
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
            if (_isNettle) _nettleInit(context);
            else if (_init(context) != 1) throw Failed();
        }

        public void Update(byte* context, ReadOnlySpan<byte> data)
        {
            fixed (byte* input = data)
            {
                var length = (nuint)data.Length;
                var isShort = data.Length <= MaxSuppressedLength;
                if (_isNettle)
                {
                    if (isShort) _nettleShortUpdate(context, length, input);
                    else _nettleLongUpdate(context, length, input);
                    return;
                }
                var ok = isShort ? _shortUpdate(context, input, length) : _longUpdate(context, input, length);
                if (ok != 1) throw Failed();
            }
        }

        /// <summary>Writes the digest (<see cref="Size"/> bytes) into <paramref name="destination"/>; the context must be started again.</summary>
        public void Final(byte* context, Span<byte> destination)
        {
            if (destination.Length < _size) throw new ArgumentException($"a digest needs {_size} bytes", nameof(destination));
            fixed (byte* output = destination)
            {
                if (_isNettle) _nettleDigest(context, (nuint)_size, output);
                else if (_final(output, context) != 1) throw Failed();
            }
        }

        private static CryptographicException Failed() => new("libcrypto's digest function failed");
    }
}

/// <summary>
/// A digest computed piece by piece: a short SHA-256 message kept whole while the managed budget
/// lasts (see <see cref="MaxBuffered"/>), Nettle's or libcrypto's context in a managed array (the contexts are plain
/// data, so the array may move between calls), or .NET's implementation (<see cref="PlatformDigest"/>) where
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
        if (kind == DigestKind.Sha256 && NativeDigest.ManagedSha256Wanted && NativeDigest.ManagedSha256Open) _buffering = true;
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
