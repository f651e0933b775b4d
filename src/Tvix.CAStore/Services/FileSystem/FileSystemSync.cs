using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// Flushes a whole filesystem with <c>syncfs(2)</c>: one call makes every write and rename on it
/// durable, which costs about as much as one <c>fsync</c> instead of one per file. .NET has no API
/// for it, and it exists only on Linux (see <see cref="IsAvailable"/>). Public for stores built
/// beside the castore (Tvix.Store's path info files), which need the same durability step.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class FileSystemSync
{
    private const int ORdOnly = 0, ODirectory = 0x10000, OCloexec = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>Whether <see cref="Sync"/> works here; elsewhere writers must flush each file themselves.</summary>
    public static bool IsAvailable => OperatingSystem.IsLinux();

    /// <summary>Makes everything written to the filesystem holding <paramref name="directory"/> durable (nothing where not <see cref="IsAvailable"/>).</summary>
    /// <exception cref="IOException">The flush failed (for example a write-back error): nothing written since the last flush is known to be on disk.</exception>
    public static void Sync(string directory)
    {
        if (!IsAvailable) return;
        var fd = Open(directory, ORdOnly | ODirectory | OCloexec);
        if (fd < 0) throw new IOException($"cannot open '{directory}' to flush its filesystem: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        try
        {
            if (SyncFs(fd) != 0)
                throw new IOException($"cannot flush the filesystem of '{directory}' to disk: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }
        finally
        {
            Close(fd);
        }
    }
}
