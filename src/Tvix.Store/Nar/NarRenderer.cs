using System.Text;
using Microsoft.Win32.SafeHandles;
using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.CAStore.Services.FileSystem;
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
        var walk = new Walk(this, directories, sink, cancellationToken);
        await walk.NodeAsync(root).ConfigureAwait(false);
    }

    /// <summary>One rendering: the tree's directories, the sink, and the names from the root down (for error messages).</summary>
    private sealed class Walk(NarRenderer renderer, Dictionary<B3Digest, CADirectory>? directories, INarSink sink, CancellationToken cancellationToken)
    {
        // Blob files of a local store go to a NAR writer as bare handles: no stream is made per file.
        private readonly FileBlobService? _localBlobs = renderer._blobs as FileBlobService;
        private readonly NarWriter? _writer = sink as NarWriter;
        private ReadOnlyMemory<byte>[] _path = new ReadOnlyMemory<byte>[16];
        private int _depth;

        public ValueTask NodeAsync(Node node) => node switch
        {
            FileNode file => FileAsync(file),
            SymlinkNode symlink => sink.SymlinkAsync(symlink.Target, cancellationToken),
            DirectoryNode directory => DirectoryAsync(directory),
            _ => throw new ArgumentException("unknown node type " + node.GetType().Name, nameof(node)),
        };

        // Not async when the blob is a local file and the writer takes it at once (a dump into a
        // pipe or file): no state machine per file.
        private ValueTask FileAsync(FileNode file)
        {
            if (_localBlobs is null || _writer is null) return StreamedFileAsync(file);
            var handle = _localBlobs.OpenFile(file.Digest) ?? throw Missing($"blob {file.Digest}");
            ValueTask written;
            try
            {
                written = _writer.RegularFileAsync(file.Executable, checked((long)file.Size), handle, cancellationToken);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
            if (written.IsCompleted)
            {
                handle.Dispose();
                return written;
            }
            return DisposeAfterAsync(written, handle);
        }

        private static async ValueTask DisposeAfterAsync(ValueTask written, SafeFileHandle handle)
        {
            using (handle) await written.ConfigureAwait(false);
        }

        private async ValueTask StreamedFileAsync(FileNode file)
        {
            var contents = await renderer._blobs.OpenReadAsync(file.Digest, cancellationToken).ConfigureAwait(false)
                ?? throw Missing($"blob {file.Digest}");
            await using (contents.ConfigureAwait(false))
                await sink.RegularFileAsync(file.Executable, checked((long)file.Size), contents, -1, cancellationToken).ConfigureAwait(false);
        }

        private async ValueTask DirectoryAsync(DirectoryNode node)
        {
            if (directories is null || !directories.TryGetValue(node.Digest, out var directory))
                throw Missing($"directory {node.Digest}");
            await sink.BeginDirectoryAsync(cancellationToken).ConfigureAwait(false);
            // CADirectory keeps all entries in one list sorted bytewise, which is NAR order.
            var entries = directory.Entries;
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                await sink.BeginEntryAsync(entry.Name, cancellationToken).ConfigureAwait(false);
                Push(entry.Name);
                await NodeAsync(entry.Node).ConfigureAwait(false);
                _depth--;
                await sink.EndEntryAsync(cancellationToken).ConfigureAwait(false);
            }
            await sink.EndDirectoryAsync(cancellationToken).ConfigureAwait(false);
        }

        private void Push(ReadOnlyMemory<byte> name)
        {
            if (_depth == _path.Length) Array.Resize(ref _path, 2 * _depth);
            _path[_depth++] = name;
        }

        private MissingContentException Missing(string what) => new($"{what} ({Show()}) is not in the castore");

        private string Show()
        {
            if (_depth == 0) return "the root";
            var text = new StringBuilder();
            for (var i = 0; i < _depth; i++)
            {
                if (text.Length > 0) text.Append('/');
                text.Append(Encoding.UTF8.GetString(_path[i].Span));
            }
            return text.ToString();
        }
    }
}
