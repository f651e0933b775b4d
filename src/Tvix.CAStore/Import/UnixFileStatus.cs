using System.Runtime.InteropServices;

namespace Tvix.CAStore.Import;

/// <summary>The kind of a filesystem entry, as <c>lstat</c> sees it (symlinks are not followed).</summary>
internal enum FileKind
{
    Regular,
    Directory,
    Symlink,
    Fifo,
    CharacterDevice,
    BlockDevice,
    Socket,
    Unknown,
}

/// <summary>
/// <c>lstat</c>-like file type and mode. .NET does not tell sockets, FIFOs and devices apart from
/// regular files, so on Linux this asks the kernel through <c>statx(2)</c>, whose buffer layout
/// is the same on every architecture.
/// </summary>
internal static unsafe partial class UnixFileStatus
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 1, StatxMode = 2;
    private const int ModeOffset = 28; // u16 stx_mode

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The kind of the entry at <paramref name="path"/> and whether its owner may execute it.</summary>
    /// <exception cref="IOException">The entry cannot be inspected.</exception>
    public static (FileKind Kind, bool Executable) Get(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            var buffer = stackalloc byte[256];
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxMode, buffer) == 0)
            {
                var mode = *(ushort*)(buffer + ModeOffset);
                var kind = (mode & 0xF000) switch
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
                return (kind, (mode & 0x40) != 0);
            }
            var errno = Marshal.GetLastPInvokeError();
            if (errno == 2 || errno == 20) throw new FileNotFoundException($"'{path}' does not exist", path);
            throw new IOException($"cannot inspect '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return Portable(path);
    }

    /// <summary>Elsewhere: what .NET can tell (special files look like regular ones here).</summary>
    private static (FileKind Kind, bool Executable) Portable(string path)
    {
        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists && Directory.Exists(path)) info = new DirectoryInfo(path);
        if (!info.Exists && info.LinkTarget is null) throw new FileNotFoundException($"'{path}' does not exist", path);
        if (info.LinkTarget is not null) return (FileKind.Symlink, false);
        if (info is DirectoryInfo) return (FileKind.Directory, false);
        var executable = !OperatingSystem.IsWindows() && (info.UnixFileMode & UnixFileMode.UserExecute) != 0;
        return (FileKind.Regular, executable);
    }
}
