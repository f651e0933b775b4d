using Tvix.CAStore.Import;
using Tvix.NixCompat.Nar;

namespace Tvix.Store.Import;

/// <summary>
/// Drives a NAR sink from a filesystem tree, as <c>nix-store --dump</c> sees it: symlinks are not
/// followed, only the owner's execute bit counts, entries are sorted bytewise, and an optional
/// filter leaves entries out. FIFOs, sockets and devices are refused. Names and symlink targets
/// are taken as the bytes the filesystem holds (see <see cref="LocalFileEntry"/>), so names that
/// are not UTF-8 are stored exactly, as Nix stores them.
/// </summary>
internal static class FileSystemWalker
{
    public static Task WalkAsync(LocalFileEntry root, INarSink sink, PathFilter? filter, CancellationToken cancellationToken) =>
        WalkNodeAsync(root, sink, filter, cancellationToken);

    /// <summary>The filter's view of a kind: FIFOs, sockets and devices are all "unknown".</summary>
    public static PathEntryType TypeOf(FileKind kind) => kind switch
    {
        FileKind.Regular => PathEntryType.Regular,
        FileKind.Directory => PathEntryType.Directory,
        FileKind.Symlink => PathEntryType.Symlink,
        _ => PathEntryType.Unknown,
    };

    private static async Task WalkNodeAsync(LocalFileEntry entry, INarSink sink, PathFilter? filter, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        switch (entry.Kind)
        {
            case FileKind.Regular:
            {
                // Unbuffered: the sink reads a small file whole and a large one in 64 KiB pieces.
                var stream = entry.OpenRead();
                await using (stream.ConfigureAwait(false))
                    await sink.RegularFileAsync(entry.Executable, stream.Length, stream, -1, cancellationToken).ConfigureAwait(false);
                break;
            }
            case FileKind.Symlink:
                await sink.SymlinkAsync(entry.ReadSymlinkTarget(), cancellationToken).ConfigureAwait(false);
                break;
            case FileKind.Directory:
            {
                var entries = entry.GetChildren().ToArray();
                Array.Sort(entries, static (a, b) => a.Name.Span.SequenceCompareTo(b.Name.Span));
                await sink.BeginDirectoryAsync(cancellationToken).ConfigureAwait(false);
                foreach (var child in entries)
                {
                    if (filter is not null && !filter(child.Path, TypeOf(child.Kind))) continue;
                    await sink.BeginEntryAsync(child.Name, cancellationToken).ConfigureAwait(false);
                    await WalkNodeAsync(child, sink, filter, cancellationToken).ConfigureAwait(false);
                    await sink.EndEntryAsync(cancellationToken).ConfigureAwait(false);
                }
                await sink.EndDirectoryAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            default:
                throw new UnsupportedFileTypeException(entry.Path, "special file (FIFO, socket or device)");
        }
    }
}
