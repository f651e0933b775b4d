using System.Text;

namespace Tvix.NixCompat.Nar;

/// <summary>
/// The portable dumper for where <see cref="Linux.LinuxFs"/> is not available: .NET's file system
/// API, which sees names as UTF-8 strings, so names that are not valid UTF-8 cannot be dumped
/// faithfully here.
/// </summary>
internal static class ManagedNarDumper
{
    /// <summary>Feeds the tree at <paramref name="path"/> into <paramref name="sink"/>.</summary>
    public static async Task DumpAsync(string path, INarSink sink, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path) && info.LinkTarget == null)
            throw new FileNotFoundException($"path '{path}' does not exist", path);
        await DumpNodeAsync(path, sink, cancellationToken).ConfigureAwait(false);
    }

    private static async Task DumpNodeAsync(string path, INarSink sink, CancellationToken ct)
    {
        FileSystemInfo info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            await sink.SymlinkAsync(Encoding.UTF8.GetBytes(target), ct).ConfigureAwait(false);
            return;
        }
        if ((info.Attributes & FileAttributes.Directory) != 0)
        {
            await sink.BeginDirectoryAsync(ct).ConfigureAwait(false);
            var entries = new List<(byte[] Name, string Path)>();
            foreach (var child in new DirectoryInfo(path).EnumerateFileSystemInfos())
                entries.Add((Encoding.UTF8.GetBytes(child.Name), child.FullName));
            entries.Sort(static (a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
            foreach (var (name, childPath) in entries)
            {
                await sink.BeginEntryAsync(name, ct).ConfigureAwait(false);
                await DumpNodeAsync(childPath, sink, ct).ConfigureAwait(false);
                await sink.EndEntryAsync(ct).ConfigureAwait(false);
            }
            await sink.EndDirectoryAsync(ct).ConfigureAwait(false);
            return;
        }
        if (FileTypeProbe.IsRegularFile(path) == false)
            throw new IOException($"file '{path}' has an unsupported type (not a regular file, directory or symlink)");
        var file = (FileInfo)info;
        var executable = !OperatingSystem.IsWindows() && (file.UnixFileMode & UnixFileMode.UserExecute) != 0;
        await using var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
            BufferSize = 0,
        });
        if (!stream.CanSeek) throw new IOException($"file '{path}' has an unsupported type (not a regular file, directory or symlink)");
        await sink.RegularFileAsync(executable, stream.Length, stream, -1, ct).ConfigureAwait(false);
    }
}
