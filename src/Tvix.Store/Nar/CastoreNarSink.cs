using System.Buffers;
using System.Security.Cryptography;
using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.NixCompat;
using Tvix.NixCompat.Nar;

namespace Tvix.Store.Nar;

/// <summary>
/// A NAR sink that stores the tree in the castore as it arrives: each file's contents go straight
/// into a blob writer (bounded chunks, never a whole file in memory), and each directory is put
/// when it ends, so directories reach the store leaves first. Optionally it echoes every event to
/// a <see cref="NarWriter"/> (to hash the NAR of a tree that does not come as a NAR) and hashes
/// a root regular file's contents (for flat content addresses).
/// </summary>
internal sealed class CastoreNarSink : INarSink
{
    private const int CopyBufferSize = 128 * 1024;
    private readonly IBlobService _blobs;
    private readonly IDirectoryService _directories;
    private readonly INarSink? _echo;
    private readonly NixHashAlgorithm? _flatAlgorithm;
    private readonly Stack<Frame> _frames = new();
    private DirectoryPutter? _putter;

    public CastoreNarSink(IBlobService blobs, IDirectoryService directories, INarSink? echo = null, NixHashAlgorithm? flatAlgorithm = null)
    {
        _blobs = blobs;
        _directories = directories;
        _echo = echo;
        _flatAlgorithm = flatAlgorithm;
    }

    /// <summary>The root node, once the whole tree has arrived.</summary>
    public Node? Root { get; private set; }

    /// <summary>The flat hash of the root's contents, when the root is a regular file and a flat algorithm was asked for.</summary>
    public NixHash? FlatHash { get; private set; }

    public async ValueTask RegularFileAsync(bool executable, long size, Stream contents, long narOffset, CancellationToken cancellationToken)
    {
        using var hash = _flatAlgorithm is { } algorithm && _frames.Count == 0 ? NixHashAlgorithms.CreateIncremental(algorithm) : null;
        var writer = _blobs.OpenWrite();
        await using (writer.ConfigureAwait(false))
        {
            long copied;
            if (_echo is not null)
            {
                var tee = new TeeReadStream(contents, writer, hash);
                await _echo.RegularFileAsync(executable, size, tee, narOffset, cancellationToken).ConfigureAwait(false);
                copied = tee.BytesCopied;
            }
            else
            {
                copied = await CopyAsync(contents, writer, size, hash, cancellationToken).ConfigureAwait(false);
            }
            if (copied != size) throw new IOException($"a file announced as {size} bytes had {copied}");
            var digest = await writer.CloseAsync(cancellationToken).ConfigureAwait(false);
            if (hash is not null) FlatHash = new NixHash(_flatAlgorithm!.Value, hash.GetHashAndReset());
            Place(new FileNode(digest, (ulong)size, executable));
        }
    }

    public async ValueTask SymlinkAsync(ReadOnlyMemory<byte> target, CancellationToken cancellationToken)
    {
        var node = new SymlinkNode(target.Span);
        if (_echo is not null) await _echo.SymlinkAsync(target, cancellationToken).ConfigureAwait(false);
        Place(node);
    }

    public ValueTask BeginDirectoryAsync(CancellationToken cancellationToken)
    {
        _frames.Push(new Frame());
        return _echo?.BeginDirectoryAsync(cancellationToken) ?? ValueTask.CompletedTask;
    }

    public ValueTask BeginEntryAsync(ReadOnlyMemory<byte> name, CancellationToken cancellationToken)
    {
        _frames.Peek().PendingName = name.ToArray();
        return _echo?.BeginEntryAsync(name, cancellationToken) ?? ValueTask.CompletedTask;
    }

    public ValueTask EndEntryAsync(CancellationToken cancellationToken)
    {
        _frames.Peek().PendingName = null;
        return _echo?.EndEntryAsync(cancellationToken) ?? ValueTask.CompletedTask;
    }

    public async ValueTask EndDirectoryAsync(CancellationToken cancellationToken)
    {
        if (_echo is not null) await _echo.EndDirectoryAsync(cancellationToken).ConfigureAwait(false);
        var directory = _frames.Pop().Builder.Build();
        _putter ??= _directories.CreatePutter();
        await _putter.PutAsync(directory, cancellationToken).ConfigureAwait(false);
        Place(directory.ToNode());
    }

    /// <summary>Ends the directory session (checking the tree is connected) and returns the root.</summary>
    public async ValueTask<Node> CompleteAsync(CancellationToken cancellationToken)
    {
        if (Root is null || _frames.Count != 0) throw new InvalidOperationException("the tree is incomplete");
        if (_putter is not null) await _putter.CloseAsync(cancellationToken).ConfigureAwait(false);
        return Root;
    }

    private void Place(Node node)
    {
        if (_frames.Count == 0)
        {
            if (Root is not null) throw new InvalidOperationException("a second root node");
            Root = node;
            return;
        }
        var frame = _frames.Peek();
        var name = frame.PendingName ?? throw new InvalidOperationException("a node inside a directory without an entry name");
        frame.Builder.Add(name, node);
    }

    private static async ValueTask<long> CopyAsync(Stream source, BlobWriter destination, long size, IncrementalHash? hash, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(size, 1, CopyBufferSize));
        try
        {
            long copied = 0;
            while (copied < size)
            {
                var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - copied)), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                hash?.AppendData(buffer, 0, read);
                copied += read;
            }
            return copied;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed class Frame
    {
        public CADirectoryBuilder Builder { get; } = new();
        public byte[]? PendingName { get; set; }
    }
}
