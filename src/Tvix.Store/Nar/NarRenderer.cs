using System.Text;
using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.NixCompat;
using Tvix.NixCompat.Nar;

namespace Tvix.Store.Nar;

/// <summary>
/// Renders a castore tree as a NAR, byte for byte what <c>nix-store --dump</c> writes for the same
/// tree. Directories are fetched once up front (metadata only); file contents stream from the blob
/// service in bounded chunks, so memory does not grow with file sizes.
/// </summary>
public sealed class NarRenderer
{
    private readonly IBlobService _blobs;
    private readonly IDirectoryService _directories;

    /// <summary>Creates a renderer reading from these castore services.</summary>
    public NarRenderer(IBlobService blobs, IDirectoryService directories)
    {
        _blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        _directories = directories ?? throw new ArgumentNullException(nameof(directories));
    }

    /// <summary>Writes the NAR of <paramref name="root"/> to <paramref name="output"/> and returns its size and SHA-256.</summary>
    /// <exception cref="MissingContentException">A blob or directory below the root is not stored.</exception>
    public async Task<NarSummary> WriteNarAsync(Node root, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var hashing = new HashingStream(NixHashAlgorithm.Sha256, output);
        await using (hashing.ConfigureAwait(false))
        {
            var writer = new NarWriter(hashing);
            await using (writer.ConfigureAwait(false))
            {
                await WriteAsync(root, writer, cancellationToken).ConfigureAwait(false);
                await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
            return new NarSummary((ulong)hashing.BytesWritten, hashing.GetHash());
        }
    }

    /// <summary>
    /// Drives <paramref name="sink"/> with the tree below <paramref name="root"/> in NAR order (use a
    /// <see cref="NarWriter"/> for NAR bytes, or any other sink). The sink is not completed.
    /// </summary>
    /// <exception cref="MissingContentException">A blob or directory below the root is not stored.</exception>
    public async Task WriteAsync(Node root, INarSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(sink);
        Dictionary<B3Digest, CADirectory>? directories = null;
        if (root is DirectoryNode directoryRoot)
        {
            directories = [];
            await foreach (var directory in _directories.GetRecursiveAsync(directoryRoot.Digest, cancellationToken).ConfigureAwait(false))
                directories[directory.Digest] = directory;
            if (directories.Count == 0) throw new MissingContentException($"directory {directoryRoot.Digest} is not in the castore");
        }
        await WriteNodeAsync(root, directories, sink, [], cancellationToken).ConfigureAwait(false);
    }

    // `path` holds the entry names from the root down; it is only turned into text for an error message.
    private async Task WriteNodeAsync(Node node, Dictionary<B3Digest, CADirectory>? directories, INarSink sink, List<ReadOnlyMemory<byte>> path, CancellationToken cancellationToken)
    {
        switch (node)
        {
            case FileNode file:
            {
                var contents = await _blobs.OpenReadAsync(file.Digest, cancellationToken).ConfigureAwait(false)
                    ?? throw new MissingContentException($"blob {file.Digest} ({Show(path)}) is not in the castore");
                await using (contents.ConfigureAwait(false))
                    await sink.RegularFileAsync(file.Executable, checked((long)file.Size), contents, -1, cancellationToken).ConfigureAwait(false);
                break;
            }
            case SymlinkNode symlink:
                await sink.SymlinkAsync(symlink.Target, cancellationToken).ConfigureAwait(false);
                break;
            case DirectoryNode directoryNode:
            {
                if (directories is null || !directories.TryGetValue(directoryNode.Digest, out var directory))
                    throw new MissingContentException($"directory {directoryNode.Digest} ({Show(path)}) is not in the castore");
                await sink.BeginDirectoryAsync(cancellationToken).ConfigureAwait(false);
                // CADirectory keeps all entries in one list sorted bytewise, which is NAR order.
                foreach (var entry in directory.Entries)
                {
                    await sink.BeginEntryAsync(entry.Name, cancellationToken).ConfigureAwait(false);
                    path.Add(entry.Name);
                    await WriteNodeAsync(entry.Node, directories, sink, path, cancellationToken).ConfigureAwait(false);
                    path.RemoveAt(path.Count - 1);
                    await sink.EndEntryAsync(cancellationToken).ConfigureAwait(false);
                }
                await sink.EndDirectoryAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            default:
                throw new ArgumentException("unknown node type " + node.GetType().Name, nameof(node));
        }
    }

    private static string Show(List<ReadOnlyMemory<byte>> path)
    {
        if (path.Count == 0) return "the root";
        var text = new StringBuilder();
        foreach (var name in path)
        {
            if (text.Length > 0) text.Append('/');
            text.Append(Encoding.UTF8.GetString(name.Span));
        }
        return text.ToString();
    }
}
