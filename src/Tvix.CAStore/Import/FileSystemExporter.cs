using System.Buffers;
using Tvix.CAStore.Hashing;
using Tvix.CAStore.Services;

namespace Tvix.CAStore.Import;

/// <summary>
/// Materialises a <see cref="Node"/> as a filesystem tree: directories, files (mode 0755 when
/// executable, else 0644) and symlinks. Sizes and blob presence are checked as it goes; files are
/// written in parallel with bounded buffers, and their contents are re-hashed as they are written.
/// </summary>
public sealed class FileSystemExporter
{
    private readonly IBlobService _blobs;
    private readonly IDirectoryService _directories;
    private readonly ImportOptions _options;

    /// <summary>An exporter reading from the given services.</summary>
    public FileSystemExporter(IBlobService blobs, IDirectoryService directories, ImportOptions? options = null)
    {
        _blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        _directories = directories ?? throw new ArgumentNullException(nameof(directories));
        _options = options ?? new ImportOptions();
    }

    /// <summary>Creates <paramref name="destination"/> (which must not exist yet) from <paramref name="node"/>.</summary>
    /// <exception cref="IOException">The destination exists.</exception>
    /// <exception cref="CAStoreValidationException">A directory or blob is missing, or a size disagrees.</exception>
    public async Task ExportAsync(Node node, string destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        cancellationToken.ThrowIfCancellationRequested();
        destination = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        if (Path.Exists(destination) || new FileInfo(destination).LinkTarget is not null)
            throw new IOException($"'{destination}' already exists");

        var files = new List<(FileNode Node, LocalTarget Path)>();
        var target = LocalTarget.Of(destination);
        switch (node)
        {
            case DirectoryNode d:
                var all = new Dictionary<B3Digest, CADirectory>();
                await foreach (var dir in _directories.GetRecursiveAsync(d.Digest, cancellationToken).ConfigureAwait(false))
                    all[dir.Digest] = dir;
                if (!all.TryGetValue(d.Digest, out var root)) throw new CAStoreValidationException($"directory {d.Digest} is not in the store");
                if (root.Size != d.Size) throw new CAStoreValidationException($"directory {d.Digest} has size {root.Size}, not {d.Size}");
                CreateTree(root, target, all, files);
                break;
            case FileNode f:
                files.Add((f, target));
                break;
            case SymlinkNode s:
                target.CreateSymlink(s.Target.Span);
                break;
        }

        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxParallelism, CancellationToken = cancellationToken },
            async (file, ct) => await WriteFileAsync(file.Node, file.Path, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private static void CreateTree(CADirectory directory, LocalTarget path, Dictionary<B3Digest, CADirectory> all, List<(FileNode, LocalTarget)> files)
    {
        path.CreateDirectory();
        foreach (var entry in directory.Entries)
        {
            var childPath = path.Child(entry.Name.Span);
            switch (entry.Node)
            {
                case DirectoryNode d:
                    CreateTree(all[d.Digest], childPath, all, files);
                    break;
                case FileNode f:
                    files.Add((f, childPath));
                    break;
                case SymlinkNode s:
                    childPath.CreateSymlink(s.Target.Span);
                    break;
            }
        }
    }

    private async ValueTask WriteFileAsync(FileNode node, LocalTarget path, CancellationToken cancellationToken)
    {
        await using var source = await _blobs.OpenReadAsync(node.Digest, cancellationToken).ConfigureAwait(false)
            ?? throw new CAStoreValidationException($"blob {node.Digest} for '{path}' is not in the store");
        var buffer = ArrayPool<byte>.Shared.Rent(_options.BufferSize);
        var hasher = new Blake3Hasher(); // a store's files could have rotted: check what is written out
        long written = 0;
        try
        {
            using var target = path.CreateFile(node.Executable, (long)node.Size);
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, _options.BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.Update(buffer.AsSpan(0, read));
                target.Write(buffer, 0, read); // to the page cache: faster inline than through the thread pool
                written += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if ((ulong)written != node.Size)
            throw new CAStoreValidationException($"blob {node.Digest} has {written} bytes, but '{path}' should have {node.Size}");
        var actual = new B3Digest(hasher.FinalizeToArray());
        if (actual != node.Digest)
            throw new CAStoreValidationException($"blob {node.Digest} in the store is corrupt (its contents hash to {actual}); '{path}' is wrong");
    }
}
