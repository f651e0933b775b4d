using System.Buffers;
using Tvix.CAStore.Services;

namespace Tvix.CAStore.Import;

/// <summary>
/// Ingests a filesystem tree (regular and executable files, symlinks, directories) into a blob
/// service and a directory service and returns its root <see cref="Node"/>. The tree is scanned
/// first, then files are hashed and stored in parallel with bounded buffers, then directories are
/// stored leaves first through a checked put session, so a store never names a missing child.
/// </summary>
public sealed class FileSystemImporter
{
    private readonly IBlobService _blobs;
    private readonly IDirectoryService _directories;
    private readonly ImportOptions _options;
    // Blobs written but not yet reported stored; each holds only a closed temporary file.
    private const int MaxPublishing = 1024;

    /// <summary>An importer writing into the given services.</summary>
    public FileSystemImporter(IBlobService blobs, IDirectoryService directories, ImportOptions? options = null)
    {
        _blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        _directories = directories ?? throw new ArgumentNullException(nameof(directories));
        _options = options ?? new ImportOptions();
        if (_options.MaxParallelism < 1) throw new ArgumentOutOfRangeException(nameof(options), "MaxParallelism must be at least 1");
        if (_options.BufferSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "BufferSize must be at least 1");
    }

    /// <summary>Imports the entry at <paramref name="path"/> (not following a symlink there) and returns its node.</summary>
    /// <exception cref="UnsupportedFileTypeException">The tree contains a socket, FIFO or device.</exception>
    /// <exception cref="CAStoreValidationException">A name or symlink target cannot be stored (e.g. a target over 4095 bytes).</exception>
    public async Task<Node> ImportAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var files = new List<Entry>();
        // Without a trailing slash, so that a symlink given as the root is imported, not followed.
        var root = Scan(LocalFileEntry.Get(path), name: [], files, cancellationToken);

        // Workers read and hash; publishing a blob (a batched flush to disk) goes on in the
        // background so the workers never wait for the disk, and many blobs share one flush.
        var publishing = new PendingTasks(MaxPublishing);
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelism, CancellationToken = cancellationToken },
            async (file, ct) => await StoreFileAsync(file, publishing, ct).ConfigureAwait(false)).ConfigureAwait(false);
        await publishing.WhenAllAsync().ConfigureAwait(false);

        if (root.Kind != FileKind.Directory) return root.Node!;
        var putter = _directories.CreatePutter();
        var node = await StoreDirectoryAsync(root, putter, cancellationToken).ConfigureAwait(false);
        var closed = await putter.CloseAsync(cancellationToken).ConfigureAwait(false);
        if (closed != node.Digest) throw new InvalidOperationException($"put session closed with {closed}, expected {node.Digest}");
        return node;
    }

    /// <summary>One entry of the scanned tree; files and directories get their node later.</summary>
    private sealed class Entry(LocalFileEntry local, byte[] name)
    {
        public LocalFileEntry Local { get; } = local;
        public byte[] Name { get; } = name;
        public FileKind Kind => Local.Kind;
        public bool Executable => Local.Executable;
        public List<Entry>? Children { get; init; }
        public Node? Node { get; set; }
    }

    private static Entry Scan(LocalFileEntry local, byte[] name, List<Entry> files, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        switch (local.Kind)
        {
            case FileKind.Regular:
                var file = new Entry(local, name);
                files.Add(file);
                return file;
            case FileKind.Symlink:
                var target = local.ReadSymlinkTarget();
                if (NodeNames.SymlinkTargetError(target) is { } error) throw new CAStoreValidationException($"'{local.Path}': {error}");
                return new Entry(local, name) { Node = new SymlinkNode(target) };
            case FileKind.Directory:
                var children = new List<Entry>();
                foreach (var child in local.GetChildren())
                {
                    var childName = child.Name.ToArray();
                    if (NodeNames.NameError(childName) is { } nameError) throw new CAStoreValidationException($"'{child.Path}': {nameError}");
                    children.Add(Scan(child, childName, files, cancellationToken));
                }
                return new Entry(local, name) { Children = children };
            default:
                throw new UnsupportedFileTypeException(local.Path, local.Kind switch
                {
                    FileKind.Fifo => "FIFO (named pipe)",
                    FileKind.Socket => "socket",
                    FileKind.CharacterDevice => "character device",
                    FileKind.BlockDevice => "block device",
                    _ => "file of unknown type",
                });
        }
    }

    /// <summary>Writes a file's blob and sets its node once the blob is stored (possibly after this returns).</summary>
    private async ValueTask StoreFileAsync(Entry file, PendingTasks publishing, CancellationToken cancellationToken)
    {
        var size = _options.BufferSize;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        BlobWriter? writer = null;
        try
        {
            // Synchronous reads: from the page cache they take microseconds, less than a hop
            // through the thread pool (which is all asynchronous file I/O is on Unix).
            // A blob the store has already is not written again: the local store holds a small blob
            // in memory until it is closed and checks its digest then (so it is hashed once, here).
            // The bare descriptor, read at offsets (pread): a stream around it would cost an fstat and lseeks per file.
            using var source = file.Local.OpenHandle();
            long offset = 0;
            var read = ReadAtLeast(file.Local, source, buffer.AsSpan(0, size), offset);
            writer = _blobs.OpenWrite();
            // Short of a full buffer, the first read reached the end: no read to find that out again.
            var atEnd = read < size;
            while (read > 0)
            {
                await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                if (atEnd) break;
                offset += read;
                read = file.Local.ReadAt(source, buffer.AsSpan(0, size), offset);
            }
        }
        catch
        {
            if (writer is not null) await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await publishing.AddAsync(() => PublishAsync(writer!, file, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends; returns the bytes read.</summary>
    /// <remarks>
    /// A read that comes back short exactly at the size the listing saw is the end of the file (a
    /// regular file's read is only short there), so the read that would return 0 to say so is not
    /// made: a system call less per small file. A file that grew since is read on to its end.
    /// </remarks>
    private static int ReadAtLeast(LocalFileEntry entry, Microsoft.Win32.SafeHandles.SafeFileHandle file, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = entry.ReadAt(file, buffer[total..], offset + total);
            if (n == 0) break;
            total += n;
            if (offset + total == entry.Length && total < buffer.Length) break;
        }
        return total;
    }

    private static async Task PublishAsync(BlobWriter writer, Entry file, CancellationToken cancellationToken)
    {
        await using (writer.ConfigureAwait(false))
        {
            var digest = await writer.CloseAsync(cancellationToken).ConfigureAwait(false);
            file.Node = new FileNode(digest, (ulong)writer.BytesWritten, file.Executable);
        }
    }

    /// <summary>Stores a directory after all directories below it (post-order), returning its node.</summary>
    private static async ValueTask<DirectoryNode> StoreDirectoryAsync(Entry directory, DirectoryPutter putter, CancellationToken cancellationToken)
    {
        var builder = new CADirectoryBuilder();
        foreach (var child in directory.Children!)
        {
            var node = child.Kind == FileKind.Directory
                ? await StoreDirectoryAsync(child, putter, cancellationToken).ConfigureAwait(false)
                : child.Node!;
            builder.Add(child.Name, node);
        }
        var built = builder.Build();
        await putter.PutAsync(built, cancellationToken).ConfigureAwait(false);
        return built.ToNode();
    }
}
