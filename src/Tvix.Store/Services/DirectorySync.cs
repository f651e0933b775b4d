using System.Runtime.InteropServices;

namespace Tvix.Store.Services;

/// <summary>
/// Flushes a folder's entries (a rename into it) to disk with <c>fsync(2)</c> on the folder itself,
/// which .NET has no API for. Elsewhere than Linux it does nothing.
/// </summary>
internal static partial class DirectorySync
{
    private const int ORdOnly = 0, ODirectory = 0x10000, OCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <exception cref="IOException">The folder cannot be opened or flushed.</exception>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(directory, ORdOnly | ODirectory | OCloexec);
        if (fd < 0) throw new IOException($"cannot open '{directory}' to flush it: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"cannot flush '{directory}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        finally
        {
            Close(fd);
        }
    }
}
