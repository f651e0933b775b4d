using System.ComponentModel;

namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// Removes temporary files that a crashed or killed writer left behind: the rule the file-backed
/// castore uses, public so that stores built beside it (Tvix.Store's path info files) use the same.
/// </summary>
/// <remarks>
/// The rule is age since the last write: a file in the temporary folder untouched for
/// <see cref="DefaultMaxAge"/> is garbage. It is safe because every live writer either keeps
/// writing to its file (each write refreshes its modification time) or hands it to publication,
/// which renames it away within one flush of the disk. A writer that stalls mid-blob for longer
/// than that loses its file and fails cleanly when publishing it (the rename finds nothing); it can
/// never publish wrong contents, since nothing but the writer's own handle ever wrote the file.
/// Process IDs are deliberately not used: a store can be shared across PID namespaces or machines,
/// where a live writer's PID would look dead.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class StaleTemporaryFiles
{
    /// <summary>How long a temporary file may go unwritten before it counts as a crash's leftover: one hour.</summary>
    public static TimeSpan DefaultMaxAge { get; } = TimeSpan.FromHours(1);

    /// <summary>Deletes the files in <paramref name="folder"/> last written more than <paramref name="maxAge"/> ago; returns how many.</summary>
    /// <remarks>Files that vanish meanwhile or cannot be deleted are skipped; a missing folder has none.</remarks>
    public static int Remove(string folder, TimeSpan maxAge)
    {
        var cutoff = DateTime.UtcNow - maxAge;
        var removed = 0;
        try
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles())
            {
                try
                {
                    if (file.LastWriteTimeUtc >= cutoff) continue;
                    file.Delete();
                    removed++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Gone already (another process cleaned it, or it was just published) or not ours to delete.
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
        }
        return removed;
    }
}
