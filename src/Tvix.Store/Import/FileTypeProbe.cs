using System.Runtime.InteropServices;

namespace Tvix.Store.Import;

/// <summary>
/// <c>lstat</c>-like file type and owner-execute bit. .NET cannot tell FIFOs, sockets and devices
/// from regular files (and opening a FIFO would block), so on Linux this asks <c>statx(2)</c>,
/// whose buffer layout is the same on every architecture.
/// </summary>
internal static unsafe partial class FileTypeProbe
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 1, StatxMode = 2;
    private const int ModeOffset = 28; // u16 stx_mode

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <exception cref="FileNotFoundException">Nothing is at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">The entry cannot be inspected.</exception>
    public static (PathEntryType Type, bool Executable) Get(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            var buffer = stackalloc byte[256];
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxMode, buffer) == 0)
            {
                var mode = *(ushort*)(buffer + ModeOffset);
                var type = (mode & 0xF000) switch
                {
                    0x8000 => PathEntryType.Regular,
                    0x4000 => PathEntryType.Directory,
                    0xA000 => PathEntryType.Symlink,
                    _ => PathEntryType.Unknown,
                };
                return (type, (mode & 0x40) != 0);
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == 2 || errno == 20) throw new FileNotFoundException($"'{path}' does not exist", path);
            if (errno != 38) throw new IOException($"cannot inspect '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return Portable(path);
    }

    private static (PathEntryType, bool) Portable(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path) && info.LinkTarget is null) throw new FileNotFoundException($"'{path}' does not exist", path);
        if (info.LinkTarget is not null) return (PathEntryType.Symlink, false);
        if ((info.Attributes & FileAttributes.Directory) != 0) return (PathEntryType.Directory, false);
        var executable = !OperatingSystem.IsWindows() && (info.UnixFileMode & UnixFileMode.UserExecute) != 0;
        return (PathEntryType.Regular, executable);
    }
}
