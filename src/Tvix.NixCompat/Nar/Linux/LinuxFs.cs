using System.Runtime.InteropServices;

namespace Tvix.NixCompat.Nar.Linux;

/// <summary>
/// The few libc calls the NAR dumper and restorer use on Linux. They take file names as raw
/// bytes (Nix treats names as bytes; .NET's file APIs decode them as UTF-8 and mangle the rest)
/// and work relative to open directory descriptors. Only used in 64-bit processes, where
/// <c>off_t</c> is 64 bits and <c>struct dirent</c> has the same layout in glibc and musl.
/// </summary>
internal static unsafe partial class LinuxFs
{
    private const string Libc = "libc";

    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtEmptyPath = 0x1000;

    public const int ORdOnly = 0;
    public const int OWrOnly = 1;
    public const int OCreat = 0x40;
    public const int OExcl = 0x80;
    public const int ONoCtty = 0x100;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;

    // These two differ between architectures (asm-generic vs. arm/powerpc).
    public static int ODirectory { get; } = UsesArmOpenFlags ? 0x4000 : 0x10000;
    public static int ONoFollow { get; } = UsesArmOpenFlags ? 0x8000 : 0x20000;

    private static bool UsesArmOpenFlags => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm or Architecture.Ppc64le;

    public const int EPerm = 1;
    public const int ENoEnt = 2;
    public const int EIntr = 4;
    public const int EBadF = 9;
    public const int EAgain = 11;
    public const int EAcces = 13;
    public const int EExist = 17;
    public const int EXDev = 18;
    public const int EInval = 22;
    public const int ENoSys = 38;
    public const int EOpNotSupp = 95;

    public const int FSetPipeSize = 1031;
    public const int FGetPipeSize = 1032;

    public const int SeekSet = 0;
    public const int SeekCur = 1;

    public const uint StatxType = 0x1;
    public const uint StatxMode = 0x2;
    public const uint StatxSize = 0x200;

    public const ushort ModeTypeMask = 0xF000;
    public const ushort ModeRegular = 0x8000;
    public const ushort ModeDirectory = 0x4000;
    public const ushort ModeSymlink = 0xA000;
    public const ushort ModeFifo = 0x1000;
    public const ushort ModeBlock = 0x6000;
    public const ushort ModeUserExecute = 0x40;

    public const byte DtUnknown = 0;
    public const byte DtDirectory = 4;
    public const byte DtRegular = 8;
    public const byte DtSymlink = 10;

    /// <summary>Size of <c>struct statx</c>.</summary>
    public const int StatxBufferSize = 256;

    /// <summary>Offsets in <c>struct dirent</c> (64-bit glibc and musl).</summary>
    public const int DirentRecordLengthOffset = 16;
    public const int DirentTypeOffset = 18;
    public const int DirentNameOffset = 19;

    // Static initialisers run in text order: this list must come before IsSupported.
    private static readonly string[] RequiredExports =
        ["openat", "close", "read", "write", "statx", "fdopendir", "readdir", "closedir", "dirfd", "readlinkat", "mkdirat", "symlinkat", "lseek", "poll"];

    /// <summary>True when this process can use these calls: Linux, 64-bit, and a libc that has them all.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && Environment.Is64BitProcess && HasExports();

    private static bool HasExports()
    {
        if (!NativeLibrary.TryLoad(Libc, typeof(LinuxFs).Assembly, null, out var handle)) return false;
        foreach (var name in RequiredExports)
        {
            if (!NativeLibrary.TryGetExport(handle, name, out _)) return false;
        }
        return true;
    }

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int dirFd, byte* path, int flags, uint mode);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "pread", SetLastError = true)]
    public static partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true)]
    public static partial int Statx(int dirFd, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport(Libc, EntryPoint = "fdopendir", SetLastError = true)]
    public static partial nint FdOpenDir(int fd);

    [LibraryImport(Libc, EntryPoint = "readdir", SetLastError = true)]
    public static partial byte* ReadDir(nint dir);

    [LibraryImport(Libc, EntryPoint = "closedir", SetLastError = true)]
    public static partial int CloseDir(nint dir);

    [LibraryImport(Libc, EntryPoint = "dirfd", SetLastError = true)]
    public static partial int DirFd(nint dir);

    [LibraryImport(Libc, EntryPoint = "readlinkat", SetLastError = true)]
    public static partial nint ReadLinkAt(int dirFd, byte* path, byte* buffer, nuint size);

    [LibraryImport(Libc, EntryPoint = "mkdirat", SetLastError = true)]
    public static partial int MkdirAt(int dirFd, byte* path, uint mode);

    [LibraryImport(Libc, EntryPoint = "symlinkat", SetLastError = true)]
    public static partial int SymlinkAt(byte* target, int dirFd, byte* path);

    [LibraryImport(Libc, EntryPoint = "lseek", SetLastError = true)]
    public static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport(Libc, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Libc, EntryPoint = "sendfile", SetLastError = true)]
    public static partial nint SendFile(int outFd, int inFd, long* offset, nuint count);

    [LibraryImport(Libc, EntryPoint = "copy_file_range", SetLastError = true)]
    public static partial nint CopyFileRange(int inFd, long* inOffset, int outFd, long* outOffset, nuint length, uint flags);

    /// <summary><c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    public const short PollOut = 0x4;

    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>Waits until <paramref name="fd"/> can take more bytes (a non-blocking pipe or terminal was full).</summary>
    public static void WaitWritable(int fd)
    {
        var poll = new PollFd { Fd = fd, Events = PollOut };
        while (Poll(&poll, 1, -1) < 0 && LastError == EIntr) { }
    }

    /// <summary>Type and mode bits from a <c>statx</c> buffer.</summary>
    public static ushort StatxModeOf(byte* buffer) => *(ushort*)(buffer + 28);

    /// <summary>Size from a <c>statx</c> buffer.</summary>
    public static long StatxSizeOf(byte* buffer) => *(long*)(buffer + 40);

    /// <summary>The exception for a failed call, in the words Nix uses: "<paramref name="what"/>: strerror".</summary>
    public static Exception Error(int errno, string what, string path)
    {
        var message = $"{what} '{path}': {Marshal.GetPInvokeErrorMessage(errno)}";
        return errno switch
        {
            ENoEnt => new FileNotFoundException(message, path),
            EAcces or EPerm => new UnauthorizedAccessException(message),
            _ => new IOException(message),
        };
    }
}
