using System.Runtime.InteropServices;

namespace Tvix.NixCompat.Nar;

/// <summary>
/// Tells whether a path (not following symlinks) is a regular file, via Linux <c>statx</c>,
/// whose layout is the same on every architecture. .NET reports FIFOs, sockets and devices as
/// ordinary files, and opening a FIFO would block, so the dumper asks first. Where
/// <c>statx</c> is unavailable (not Linux) the answer is "unknown".
/// </summary>
internal static unsafe partial class FileTypeProbe
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int ModeTypeMask = 0xF000;
    private const int ModeRegular = 0x8000;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>True for a regular file, false for another type, null when the platform cannot tell.</summary>
    public static bool? IsRegularFile(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var buffer = stackalloc byte[256];
        try
        {
            if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        var mode = *(ushort*)(buffer + 28);
        return (mode & ModeTypeMask) == ModeRegular;
    }
}
