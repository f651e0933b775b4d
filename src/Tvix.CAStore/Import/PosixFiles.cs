using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Tvix.CAStore.Import;

/// <summary>
/// Linux file operations on paths given as raw bytes. A Unix file name is any bytes but '/' and
/// NUL, while .NET turns names into UTF-16 strings and replaces bytes that are not UTF-8 with
/// U+FFFD, after which the file cannot be opened by that name. Nix stores such names as they are,
/// so the importer, exporter and NAR walker go through here on Linux. Paths are NUL-terminated.
/// </summary>
internal static unsafe partial class PosixFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 1, StatxMode = 2, StatxSize = 0x200;
    // The statx buffer has the same layout on every architecture: u16 stx_mode at 28, u64 stx_size at 40.
    private const int StatxModeOffset = 28, StatxSizeOffset = 40;
    private const int ORdOnly = 0, OWrOnly = 1, OCreat = 0x40, OExcl = 0x80, ONoFollow = 0x20000, OCloexec = 0x80000;
    // struct dirent on 64-bit Linux (glibc and musl): d_ino u64, d_off i64, d_reclen u16, d_type u8, d_name.
    private const int DirentNameOffset = 19;
    private const int ENoent = 2, EIntr = 4, EExist = 17, ENotdir = 20, EInval = 22, ENosys = 38;
    private const uint RenameNoReplaceFlag = 1;

    /// <summary>Whether this class may be used: 64-bit Linux.</summary>
    public static bool IsAvailable => OperatingSystem.IsLinux() && IntPtr.Size == 8;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int Statx(int dirfd, byte* path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "opendir", SetLastError = true)]
    private static partial nint OpenDir(byte* path);

    [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
    private static partial byte* ReadDir(nint dir);

    [LibraryImport("libc", EntryPoint = "dirfd")]
    private static partial int DirFd(nint dir);

    [LibraryImport("libc", EntryPoint = "closedir")]
    private static partial int CloseDir(nint dir);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte* path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "readlink", SetLastError = true)]
    private static partial nint ReadLink(byte* path, byte* buffer, nint size);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true)]
    private static partial int MkDir(byte* path, int mode);

    [LibraryImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static partial nint PRead(SafeFileHandle fd, byte* buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static partial nint PWrite(SafeFileHandle fd, byte* buffer, nint count, long offset);

    [LibraryImport("libc", EntryPoint = "pwritev", SetLastError = true)]
    private static partial nint PWriteV(SafeFileHandle fd, IoVec* vectors, int count, long offset);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static partial int RenameAt2(int fromDir, byte* from, int toDir, byte* to, uint flags);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static partial int RenameFile(byte* from, byte* to);

    [LibraryImport("libc", EntryPoint = "symlink", SetLastError = true)]
    private static partial int Symlink(byte* target, byte* path);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeFileHandle fd, int command, int argument);

    private const int FGetFl = 3, FSetFl = 4;

    /// <summary>The bytes of <paramref name="path"/> as the kernel sees them, NUL-terminated.</summary>
    public static byte[] Encode(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    /// <summary><paramref name="parent"/> (NUL-terminated) joined with <paramref name="name"/> by '/', NUL-terminated.</summary>
    public static byte[] Join(byte[] parent, ReadOnlySpan<byte> name)
    {
        var length = parent.Length - 1;
        var slash = length > 0 && parent[length - 1] == (byte)'/' ? 0 : 1;
        var joined = new byte[length + slash + name.Length + 1];
        parent.AsSpan(0, length).CopyTo(joined);
        if (slash == 1) joined[length] = (byte)'/';
        name.CopyTo(joined.AsSpan(length + slash));
        return joined;
    }

    /// <summary>A path for messages: the bytes decoded as UTF-8 (undecodable bytes become U+FFFD).</summary>
    public static string Show(byte[] path) => Encoding.UTF8.GetString(path, 0, path.Length - 1);

    /// <summary>The kind of the entry (not following a symlink), whether its owner may execute it, and its size in bytes.</summary>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    /// <exception cref="IOException">It cannot be inspected.</exception>
    public static (FileKind Kind, bool Executable, long Length) Stat(byte[] path)
    {
        fixed (byte* p = path)
        {
            if (!TryStatAt(AtFdCwd, p, out var kind, out var executable, out var length)) throw Error(path, "inspect");
            return (kind, executable, length);
        }
    }

    /// <summary><see cref="Stat"/> of <paramref name="name"/> (NUL-terminated) in the directory <paramref name="dirfd"/>; false (errno set) if it fails.</summary>
    private static bool TryStatAt(int dirfd, byte* name, out FileKind kind, out bool executable, out long length)
    {
        var buffer = stackalloc byte[256];
        // The size comes with the same call (a reader then needs no fstat of its own).
        if (Statx(dirfd, name, AtSymlinkNoFollow, StatxType | StatxMode | StatxSize, buffer) != 0)
        {
            kind = FileKind.Unknown;
            executable = false;
            length = 0;
            return false;
        }
        length = (long)*(ulong*)(buffer + StatxSizeOffset);
        var mode = *(ushort*)(buffer + StatxModeOffset);
        kind = (mode & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.Symlink,
            0x1000 => FileKind.Fifo,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        };
        executable = (mode & 0x40) != 0;
        return true;
    }

    /// <summary>
    /// The entries of a directory (without <c>.</c> and <c>..</c>) with what <see cref="Stat"/> says of
    /// each, in the order the filesystem gives them. Each is inspected relative to the open directory,
    /// so the kernel does not walk the whole path again per entry.
    /// </summary>
    public static List<ListedEntry> ListDirectoryStat(byte[] path)
    {
        nint dir;
        fixed (byte* p = path) dir = OpenDir(p);
        if (dir == 0) throw Error(path, "list");
        var entries = new List<ListedEntry>();
        try
        {
            var fd = DirFd(dir);
            while (true)
            {
                var entry = ReadDir(dir);
                if (entry == null)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != 0) throw new IOException($"cannot list '{Show(path)}': {Marshal.GetPInvokeErrorMessage(errno)}");
                    return entries;
                }
                var namePointer = entry + DirentNameOffset;
                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(namePointer);
                if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)) continue;
                var bytes = name.ToArray();
                if (!TryStatAt(fd, namePointer, out var kind, out var executable, out var length)) throw Error(Join(path, bytes), "inspect");
                entries.Add(new ListedEntry(bytes, kind, executable, length));
            }
        }
        finally
        {
            CloseDir(dir);
        }
    }

    /// <summary>
    /// One entry of <see cref="ListDirectoryStat"/>. A class, not a tuple: a list of a value type is
    /// generic code over it that ReadyToRun cannot precompile (the list is the framework's), so each
    /// of its methods is JIT-compiled at run time, twice when hot; a list of a class shares the
    /// framework's precompiled code.
    /// </summary>
    public sealed class ListedEntry(byte[] name, FileKind kind, bool executable, long length)
    {
        public byte[] Name { get; } = name;
        public FileKind Kind { get; } = kind;
        public bool Executable { get; } = executable;
        public long Length { get; } = length;
    }

    /// <summary>Opens a regular file for reading (not following a symlink in the last component).</summary>
    public static SafeFileHandle OpenRead(byte[] path)
    {
        int fd;
        fixed (byte* p = path) fd = Open(p, ORdOnly | ONoFollow | OCloexec, 0);
        if (fd < 0) throw Error(path, "open");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>: one <c>pread(2)</c>
    /// (retried if a signal interrupts it); 0 at the end of the file. <see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/>
    /// first asks the kernel whether a handle it has not seen can seek (an <c>lseek</c> per file).
    /// </summary>
    /// <returns>The bytes read, or -1 with the error number in <paramref name="errno"/>.</returns>
    public static int TryReadAt(SafeFileHandle handle, Span<byte> buffer, long offset, out int errno)
    {
        fixed (byte* b = buffer)
        {
            while (true)
            {
                var read = PRead(handle, b, buffer.Length, offset);
                if (read >= 0)
                {
                    errno = 0;
                    return (int)read;
                }
                errno = Marshal.GetLastPInvokeError();
                if (errno != EIntr) return -1;
            }
        }
    }

    /// <summary>
    /// Opens a file for reading, or returns null when nothing is there (a missing file or folder).
    /// A bare <c>open(2)</c>: .NET's own opens add an <c>fstat</c>, an <c>flock</c> pair and an
    /// <c>fadvise</c>, which cost more than the read when a NAR dump opens thousands of small blobs.
    /// </summary>
    public static SafeFileHandle? TryOpenRead(byte[] path)
    {
        int fd;
        fixed (byte* p = path) fd = Open(p, ORdOnly | OCloexec, 0);
        if (fd >= 0) return new SafeFileHandle(fd, ownsHandle: true);
        if (Marshal.GetLastPInvokeError() is ENoent or ENotdir) return null;
        throw Error(path, "open");
    }

    /// <summary>Creates a new file (it must not exist) with the given permission bits, open for writing.</summary>
    public static FileStream CreateNew(byte[] path, int mode, int bufferSize)
    {
        int fd;
        fixed (byte* p = path) fd = Open(p, OWrOnly | OCreat | OExcl | ONoFollow | OCloexec, mode);
        if (fd < 0) throw Error(path, "create");
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize);
    }

    /// <summary>Creates a new file (it must not exist) with the given permission bits, open for writing.</summary>
    public static SafeFileHandle CreateNewHandle(byte[] path, int mode)
    {
        int fd;
        fixed (byte* p = path) fd = Open(p, OWrOnly | OCreat | OExcl | ONoFollow | OCloexec, mode);
        if (fd < 0) throw Error(path, "create");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// <c>O_DIRECT</c> for this architecture (it differs between x64 and Arm64), or 0 where it is not
    /// known, and then <see cref="TrySetDirect"/> never turns it on.
    /// </summary>
    private static int ODirect => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 0x4000,
        Architecture.Arm64 => 0x10000,
        _ => 0,
    };

    /// <summary>
    /// Turns direct I/O (<c>O_DIRECT</c>: writes bypass the page cache) on or off for an open file;
    /// false where the filesystem or the architecture does not support it (the file is left as it was).
    /// </summary>
    public static bool TrySetDirect(SafeFileHandle handle, bool direct)
    {
        var flag = ODirect;
        if (flag == 0) return false;
        var flags = Fcntl(handle, FGetFl, 0);
        if (flags < 0) return false;
        var wanted = direct ? flags | flag : flags & ~flag;
        return wanted == flags || Fcntl(handle, FSetFl, wanted) == 0;
    }

    /// <summary>A symlink's target, as bytes.</summary>
    public static byte[] ReadSymlink(byte[] path)
    {
        for (var size = 256; ; size *= 4)
        {
            var buffer = new byte[size];
            nint length;
            fixed (byte* p = path)
            fixed (byte* b = buffer)
                length = ReadLink(p, b, size);
            if (length < 0) throw Error(path, "read the symlink");
            if (length < size) return buffer.AsSpan(0, (int)length).ToArray();
        }
    }

    /// <summary>
    /// Renames <paramref name="from"/> to <paramref name="to"/> unless something is there already
    /// (then returns false and leaves both alone): one <c>renameat2(2)</c> with <c>RENAME_NOREPLACE</c>,
    /// where <see cref="File.Exists(string)"/> and <see cref="File.Move(string, string, bool)"/> take
    /// four system calls. Filesystems without that flag get a check and a plain rename, which may
    /// replace an object a concurrent writer has just stored (with the same bytes, as names are digests).
    /// </summary>
    public static bool RenameNoReplace(string from, string to)
    {
        var source = Encode(from);
        var target = Encode(to);
        fixed (byte* f = source)
        fixed (byte* t = target)
        {
            if (RenameAt2(AtFdCwd, f, AtFdCwd, t, RenameNoReplaceFlag) == 0) return true;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EExist) return false;
            if (errno is EInval or ENosys)
            {
                if (Exists(target)) return false;
                if (RenameFile(f, t) == 0) return true;
                errno = Marshal.GetLastPInvokeError();
            }
            throw new IOException($"cannot rename '{from}' to '{to}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>
    /// Writes all of <paramref name="bytes"/> at <paramref name="offset"/>: <c>pwrite(2)</c> alone, where
    /// <see cref="RandomAccess.Write(SafeFileHandle, ReadOnlySpan{byte}, long)"/> first asks the kernel whether the file can seek.
    /// </summary>
    public static void WriteAt(SafeFileHandle handle, ReadOnlySpan<byte> bytes, long offset)
    {
        var errno = TryWriteAt(handle, bytes, offset);
        if (errno != 0) throw new IOException($"cannot write a file: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Like <see cref="WriteAt"/>, but returns the error number of a failed write (0: all written).</summary>
    public static int TryWriteAt(SafeFileHandle handle, ReadOnlySpan<byte> bytes, long offset)
    {
        fixed (byte* start = bytes)
        {
            var done = 0;
            while (done < bytes.Length)
            {
                var n = PWrite(handle, start + done, bytes.Length - done, offset + done);
                if (n < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EIntr) continue;
                    return errno;
                }
                done += (int)n;
            }
            return 0;
        }
    }

    /// <summary>
    /// Writes pinned buffers one after another into <paramref name="handle"/> from <paramref name="offset"/> with one <c>pwritev(2)</c>
    /// (what is left after a partial write, piece by piece); returns the error number of a failed
    /// write (0: all written). One call for several buffers makes one large request to the device,
    /// which a direct write needs to reach the disk's speed. The buffers must be pinned memory (their
    /// addresses go to the kernel as they are); at most 64.
    /// </summary>
    public static int TryWriteAtGathered(SafeFileHandle handle, ReadOnlySpan<Memory<byte>> buffers, long offset)
    {
        if (buffers.Length > 64) throw new ArgumentOutOfRangeException(nameof(buffers), "at most 64 buffers");
        var vectors = stackalloc IoVec[buffers.Length];
        long total = 0;
        for (var i = 0; i < buffers.Length; i++)
        {
            vectors[i] = new IoVec((byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffers[i].Span)), buffers[i].Length);
            total += buffers[i].Length;
        }
        nint written;
        do written = PWriteV(handle, vectors, buffers.Length, offset);
        while (written < 0 && Marshal.GetLastPInvokeError() == EIntr);
        if (written < 0) return Marshal.GetLastPInvokeError();
        if (written == total) return 0;
        // A partial write (rare): the rest one buffer at a time, from where it stopped.
        long position = 0;
        foreach (var buffer in buffers)
        {
            var skip = Math.Clamp(written - position, 0, buffer.Length);
            if (skip < buffer.Length)
            {
                var errno = TryWriteAt(handle, buffer.Span[(int)skip..], offset + position + skip);
                if (errno != 0) return errno;
            }
            position += buffer.Length;
        }
        return 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct IoVec(byte* start, nint length)
    {
        public readonly byte* Start = start;
        public readonly nint Length = length;
    }

    /// <summary>Whether <paramref name="errno"/> is EINVAL (what a direct write the filesystem cannot do fails with).</summary>
    public static bool IsInvalidArgument(int errno) => errno == EInval;

    /// <summary>The message for an error number.</summary>
    public static string Message(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>Whether anything is at <paramref name="path"/> (a symlink is not followed): one <c>statx</c>, no path normalisation.</summary>
    public static bool Exists(byte[] path)
    {
        var buffer = stackalloc byte[256];
        int result;
        fixed (byte* p = path) result = Statx(AtFdCwd, p, AtSymlinkNoFollow, 0, buffer);
        if (result == 0) return true;
        if (Marshal.GetLastPInvokeError() is ENoent or ENotdir) return false;
        throw Error(path, "inspect");
    }

    /// <summary>Creates a directory (it must not exist).</summary>
    public static void CreateDirectory(byte[] path)
    {
        fixed (byte* p = path)
        {
            if (MkDir(p, 0x1FF) != 0) throw Error(path, "create the directory");
        }
    }

    /// <summary>Creates a symlink at <paramref name="path"/> pointing at <paramref name="target"/> (bytes, not NUL-terminated).</summary>
    public static void CreateSymlink(ReadOnlySpan<byte> target, byte[] path)
    {
        var terminated = new byte[target.Length + 1];
        target.CopyTo(terminated);
        fixed (byte* t = terminated)
        fixed (byte* p = path)
        {
            if (Symlink(t, p) != 0) throw Error(path, "create the symlink");
        }
    }

    private static IOException Error(byte[] path, string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        var message = $"cannot {what} '{Show(path)}': {Marshal.GetPInvokeErrorMessage(errno)}";
        return errno is ENoent or ENotdir ? new FileNotFoundException(message, Show(path)) : new IOException(message);
    }
}
