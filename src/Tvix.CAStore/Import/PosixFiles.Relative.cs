using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tvix.CAStore.Import;

/// <summary>
/// File operations relative to an open directory (the <c>*at(2)</c> calls): the kernel resolves only
/// the name given, not the directory's whole path again, and the caller builds no absolute path
/// (the file store makes several such calls per object: check, create, rename). Names are
/// NUL-terminated bytes and may contain '/' (then they are resolved below the directory).
/// </summary>
internal static unsafe partial class PosixFiles
{
    private const int ODirectory = 0x10000;

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static partial int OpenAt(SafeFileHandle dir, byte* name, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int StatxAt(SafeFileHandle dir, byte* name, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static partial int RenameAt2(SafeFileHandle fromDir, byte* from, SafeFileHandle toDir, byte* to, uint flags);

    [LibraryImport("libc", EntryPoint = "renameat", SetLastError = true)]
    private static partial int RenameAt(SafeFileHandle fromDir, byte* from, SafeFileHandle toDir, byte* to);

    [LibraryImport("libc", EntryPoint = "unlinkat", SetLastError = true)]
    private static partial int UnlinkAt(SafeFileHandle dir, byte* name, int flags);

    [LibraryImport("libc", EntryPoint = "mkdirat", SetLastError = true)]
    private static partial int MkDirAt(SafeFileHandle dir, byte* name, int mode);

    /// <summary>Opens a directory (for the calls below and for <c>syncfs</c>), or returns null if it does not exist.</summary>
    /// <exception cref="IOException">It exists but cannot be opened (or is not a directory).</exception>
    public static SafeFileHandle? TryOpenDirectory(byte[] path)
    {
        int fd;
        fixed (byte* p = path) fd = Open(p, ORdOnly | ODirectory | OCloexec, 0);
        if (fd >= 0) return new SafeFileHandle(fd, ownsHandle: true);
        if (Marshal.GetLastPInvokeError() == ENoent) return null;
        throw Error(path, "open the directory");
    }

    /// <summary>
    /// Creates a new file <paramref name="name"/> in <paramref name="dir"/> (it must not exist; a symlink
    /// there is not followed) with the given permission bits, open for writing.
    /// </summary>
    /// <returns>The handle, or null with the error number in <paramref name="errno"/>.</returns>
    public static SafeFileHandle? TryCreateNewAt(SafeFileHandle dir, ReadOnlySpan<byte> name, int mode, out int errno)
    {
        CheckTerminated(name);
        int fd;
        fixed (byte* n = name) fd = OpenAt(dir, n, OWrOnly | OCreat | OExcl | ONoFollow | OCloexec, mode);
        if (fd >= 0)
        {
            errno = 0;
            return new SafeFileHandle(fd, ownsHandle: true);
        }
        errno = Marshal.GetLastPInvokeError();
        return null;
    }

    /// <summary>Opens <paramref name="name"/> in <paramref name="dir"/> for reading, or returns null when nothing is there.</summary>
    /// <returns>The handle, or null with the error number in <paramref name="errno"/> (0 when nothing is there).</returns>
    public static SafeFileHandle? TryOpenReadAt(SafeFileHandle dir, ReadOnlySpan<byte> name, out int errno)
    {
        CheckTerminated(name);
        int fd;
        fixed (byte* n = name) fd = OpenAt(dir, n, ORdOnly | OCloexec, 0);
        if (fd >= 0)
        {
            errno = 0;
            return new SafeFileHandle(fd, ownsHandle: true);
        }
        errno = Marshal.GetLastPInvokeError();
        if (errno is ENoent or ENotdir) errno = 0;
        return null;
    }

    /// <summary>
    /// Whether anything is at <paramref name="name"/> in <paramref name="dir"/> (a symlink is not followed):
    /// one <c>statx</c>. False when nothing is there (<paramref name="errno"/> 0) or when it cannot be
    /// inspected (<paramref name="errno"/> says why).
    /// </summary>
    public static bool ExistsAt(SafeFileHandle dir, ReadOnlySpan<byte> name, out int errno)
    {
        CheckTerminated(name);
        var buffer = stackalloc byte[256];
        int result;
        fixed (byte* n = name) result = StatxAt(dir, n, AtSymlinkNoFollow, 0, buffer);
        if (result == 0)
        {
            errno = 0;
            return true;
        }
        errno = Marshal.GetLastPInvokeError();
        if (errno is ENoent or ENotdir) errno = 0;
        return false;
    }

    /// <summary>
    /// Renames <paramref name="from"/> in <paramref name="fromDir"/> to <paramref name="to"/> in
    /// <paramref name="toDir"/> unless something is there already: one <c>renameat2(2)</c> with
    /// <c>RENAME_NOREPLACE</c>. Filesystems without that flag get a check and a plain rename, which may
    /// replace an object a concurrent writer has just stored (with the same bytes, as names are digests).
    /// </summary>
    /// <returns>0 when renamed, <c>EEXIST</c> (17) when something was there (both are left alone), else the error number.</returns>
    public static int RenameNoReplaceAt(SafeFileHandle fromDir, ReadOnlySpan<byte> from, SafeFileHandle toDir, ReadOnlySpan<byte> to)
    {
        CheckTerminated(from);
        CheckTerminated(to);
        fixed (byte* f = from)
        fixed (byte* t = to)
        {
            if (RenameAt2(fromDir, f, toDir, t, RenameNoReplaceFlag) == 0) return 0;
            var errno = Marshal.GetLastPInvokeError();
            if (errno is not (EInval or ENosys)) return errno;
            if (ExistsAt(toDir, to, out errno)) return EExist;
            if (errno != 0) return errno;
            return RenameAt(fromDir, f, toDir, t) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>Removes the file <paramref name="name"/> from <paramref name="dir"/>; returns 0 or the error number (<c>ENOENT</c> when it was not there).</summary>
    public static int TryUnlinkAt(SafeFileHandle dir, ReadOnlySpan<byte> name)
    {
        CheckTerminated(name);
        fixed (byte* n = name) return UnlinkAt(dir, n, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Creates the directory <paramref name="name"/> in <paramref name="dir"/>; returns 0, or the error number (<c>EEXIST</c> when something is there).</summary>
    public static int TryCreateDirectoryAt(SafeFileHandle dir, ReadOnlySpan<byte> name)
    {
        CheckTerminated(name);
        fixed (byte* n = name) return MkDirAt(dir, n, 0x1FF) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Whether <paramref name="errno"/> says something is there already.</summary>
    public static bool IsExists(int errno) => errno == EExist;

    /// <summary>Whether <paramref name="errno"/> says a path component is missing.</summary>
    public static bool IsMissing(int errno) => errno is ENoent or ENotdir;

    /// <summary>A name must end with its NUL inside the span: the kernel reads up to it.</summary>
    private static void CheckTerminated(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name[^1] != 0 || name[..^1].IndexOf((byte)0) >= 0)
            throw new ArgumentException("a name for the kernel must be NUL-terminated, with no NUL inside", nameof(name));
    }
}
