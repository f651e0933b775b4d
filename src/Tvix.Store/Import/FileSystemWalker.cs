using System.Text;
using Tvix.CAStore.Import;
using Tvix.NixCompat.Nar;

namespace Tvix.Store.Import;

/// <summary>
/// Drives a NAR sink from a filesystem tree, as <c>nix-store --dump</c> sees it: symlinks are not
/// followed, only the owner's execute bit counts, entries are sorted bytewise, and an optional
/// filter leaves entries out. FIFOs, sockets and devices are refused.
/// </summary>
internal static class FileSystemWalker
{
    private const int FileBufferSize = 128 * 1024;

    public static Task WalkAsync(string path, INarSink sink, PathFilter? filter, CancellationToken cancellationToken) =>
        WalkNodeAsync(path, FileTypeProbe.Get(path), sink, filter, cancellationToken);

    private static async Task WalkNodeAsync(string path, (PathEntryType Type, bool Executable) stat, INarSink sink, PathFilter? filter, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        switch (stat.Type)
        {
            case PathEntryType.Regular:
            {
                var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using (stream.ConfigureAwait(false))
                    await sink.RegularFileAsync(stat.Executable, stream.Length, stream, -1, cancellationToken).ConfigureAwait(false);
                break;
            }
            case PathEntryType.Symlink:
            {
                var target = new FileInfo(path).LinkTarget ?? throw new IOException($"cannot read the symlink '{path}'");
                await sink.SymlinkAsync(Encoding.UTF8.GetBytes(target), cancellationToken).ConfigureAwait(false);
                break;
            }
            case PathEntryType.Directory:
            {
                var entries = new List<(byte[] Name, string Path)>();
                foreach (var child in Directory.EnumerateFileSystemEntries(path))
                    entries.Add((Encoding.UTF8.GetBytes(Path.GetFileName(child)), child));
                entries.Sort(static (a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
                await sink.BeginDirectoryAsync(cancellationToken).ConfigureAwait(false);
                foreach (var (name, childPath) in entries)
                {
                    var childStat = FileTypeProbe.Get(childPath);
                    if (filter is not null && !filter(childPath, childStat.Type)) continue;
                    await sink.BeginEntryAsync(name, cancellationToken).ConfigureAwait(false);
                    await WalkNodeAsync(childPath, childStat, sink, filter, cancellationToken).ConfigureAwait(false);
                    await sink.EndEntryAsync(cancellationToken).ConfigureAwait(false);
                }
                await sink.EndDirectoryAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            default:
                throw new UnsupportedFileTypeException(path, "special file (FIFO, socket or device)");
        }
    }
}
