using System.Buffers;
using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.NixCompat.Nar;

namespace Tvix.Store.Nar;

/// <summary>
/// A NAR sink that stores the tree in the castore as it arrives (a NAR being imported): each
/// file's contents go straight into a blob writer (bounded chunks, never a whole file in memory).
/// </summary>
/// <remarks>
/// Reading never waits for the disk: a blob store that makes blobs durable in batches (one flush
/// for many) reports each blob stored some time after its bytes were written, so blobs are
/// published in the background, up to <see cref="MaxPublishing"/> at once. The tree's shape is
/// kept (names and nodes, not contents), and <see cref="CompleteAsync"/> first waits for every
/// blob to be stored and only then puts the directories, leaves first, in one put session: a
/// directory never reaches the store before the blobs and directories it names.
/// </remarks>
internal sealed class CastoreNarSink : INarSink, IAsyncDisposable
{
    private const int CopyBufferSize = 128 * 1024;
    // Files up to this size are read into memory, hashed there and written in the background, up to
    // MaxBuffered at once (so at most 4 MiB is held); blobs already stored are not written again.
    private const int SmallFileLimit = 256 * 1024;
    private const int MaxBuffered = 16;
    // Blobs written but not yet reported stored: each holds only a closed temporary file.
    private const int MaxPublishing = 1024;
    // Larger files whose contents are still queued for their blob writer (each queue holds at most 1 MiB).
    private const int MaxLargeFiles = 4;
    private readonly SemaphoreSlim _buffers = new(MaxBuffered);
    private readonly SemaphoreSlim _largeFiles = new(MaxLargeFiles);
    private readonly SemaphoreSlim _publishing = new(MaxPublishing);
    private readonly List<Task> _pending = [];
    private readonly IBlobService _blobs;
    private readonly IDirectoryService _directories;
    private readonly Stack<Frame> _frames = new();
    private readonly List<PendingDirectory> _postOrder = [];
    private Slot? _root;

    public CastoreNarSink(IBlobService blobs, IDirectoryService directories)
    {
        _blobs = blobs;
        _directories = directories;
    }

    public async ValueTask RegularFileAsync(bool executable, long size, Stream contents, long narOffset, CancellationToken cancellationToken)
    {
        if (size <= SmallFileLimit)
        {
            await SmallFileAsync(executable, (int)size, contents, cancellationToken).ConfigureAwait(false);
            return;
        }
        // The blob is hashed and written on another core, a bounded queue behind the walk.
        await _largeFiles.WaitAsync(cancellationToken).ConfigureAwait(false);
        var writer = _blobs.OpenWrite();
        var offloaded = new OffloadedWriteStream(writer);
        var handedOver = false;
        try
        {
            var copied = await CopyAsync(contents, offloaded, size, cancellationToken).ConfigureAwait(false);
            if (copied != size) throw new IOException($"a file announced as {size} bytes had {copied}");
            var slot = Place();
            await StartAsync(() => FinishLargeFileAsync(offloaded, writer, slot, executable), cancellationToken).ConfigureAwait(false);
            handedOver = true;
        }
        finally
        {
            if (!handedOver)
            {
                offloaded.Dispose();
                await writer.DisposeAsync().ConfigureAwait(false);
                _largeFiles.Release();
            }
        }
    }

    /// <summary>Lets the queued contents reach the blob writer, then publishes the blob.</summary>
    private async Task FinishLargeFileAsync(OffloadedWriteStream offloaded, BlobWriter writer, Slot slot, bool executable)
    {
        try
        {
            await offloaded.CompleteAsync().ConfigureAwait(false);
        }
        catch
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            offloaded.Dispose();
            _largeFiles.Release();
        }
        await PublishAsync(writer, slot, executable).ConfigureAwait(false);
    }

    private async ValueTask SmallFileAsync(bool executable, int size, Stream contents, CancellationToken cancellationToken)
    {
        await _buffers.WaitAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        var handedOver = false;
        try
        {
            await contents.ReadExactlyAsync(buffer.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
            var slot = Place();
            await StartAsync(() => StoreSmallBlobAsync(buffer, size, slot, executable, cancellationToken), cancellationToken).ConfigureAwait(false);
            handedOver = true;
        }
        finally
        {
            if (!handedOver)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                _buffers.Release();
            }
        }
    }

    private async Task StoreSmallBlobAsync(byte[] buffer, int size, Slot slot, bool executable, CancellationToken cancellationToken)
    {
        BlobWriter? writer = null;
        try
        {
            await Task.Yield(); // let the walk go on while this blob is hashed and written
            // Hashed once, by the writer: the local store holds a small blob in memory until it is
            // closed and then skips it if it is stored already.
            writer = _blobs.OpenWrite();
            await writer.WriteAsync(new ReadOnlyMemory<byte>(buffer, 0, size), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            if (writer is not null) await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            // The writer has the bytes: the buffer is free for the next file while the blob is published.
            ArrayPool<byte>.Shared.Return(buffer);
            _buffers.Release();
        }
        await using (writer.ConfigureAwait(false))
        {
            var digest = await writer.CloseAsync(cancellationToken).ConfigureAwait(false);
            slot.Node = new FileNode(digest, (ulong)size, executable);
        }
    }

    private static async Task PublishAsync(BlobWriter writer, Slot slot, bool executable)
    {
        await using (writer.ConfigureAwait(false))
        {
            // Not cancellable: the bytes are written, and leaving the blob half-published helps no one.
            var digest = await writer.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            slot.Node = new FileNode(digest, (ulong)writer.BytesWritten, executable);
        }
    }

    /// <summary>Starts a background blob task once fewer than <see cref="MaxPublishing"/> are running; fails fast if one has failed.</summary>
    private async ValueTask StartAsync(Func<Task> start, CancellationToken cancellationToken)
    {
        await _publishing.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task task;
        try
        {
            task = start();
        }
        catch
        {
            _publishing.Release();
            throw;
        }
        _ = task.ContinueWith(static (_, slots) => ((SemaphoreSlim)slots!).Release(), _publishing, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _pending.Add(task);
        if (_pending.Count >= 2 * MaxPublishing)
        {
            // Forget what has finished (the list stays about MaxPublishing long); surface the first failure now.
            _pending.Find(static t => t.IsFaulted || t.IsCanceled)?.GetAwaiter().GetResult();
            _pending.RemoveAll(static t => t.IsCompletedSuccessfully);
        }
    }

    /// <summary>Waits for every background blob task; throws the first failure.</summary>
    private async ValueTask DrainAsync()
    {
        if (_pending.Count == 0) return;
        var pending = _pending.ToArray();
        _pending.Clear();
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    public ValueTask SymlinkAsync(ReadOnlyMemory<byte> target, CancellationToken cancellationToken)
    {
        Place().Node = new SymlinkNode(target.Span);
        return ValueTask.CompletedTask;
    }

    public ValueTask BeginDirectoryAsync(CancellationToken cancellationToken)
    {
        _frames.Push(new Frame());
        return ValueTask.CompletedTask;
    }

    public ValueTask BeginEntryAsync(ReadOnlyMemory<byte> name, CancellationToken cancellationToken)
    {
        _frames.Peek().PendingName = name.ToArray();
        return ValueTask.CompletedTask;
    }

    public ValueTask EndEntryAsync(CancellationToken cancellationToken)
    {
        _frames.Peek().PendingName = null;
        return ValueTask.CompletedTask;
    }

    public ValueTask EndDirectoryAsync(CancellationToken cancellationToken)
    {
        var frame = _frames.Pop();
        _postOrder.Add(new PendingDirectory(frame.Entries, Place()));
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Waits until every blob is stored, then puts the directories leaves first in one session
    /// (checking the tree is connected) and returns the root.
    /// </summary>
    public async ValueTask<Node> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_root is null || _frames.Count != 0) throw new InvalidOperationException("the tree is incomplete");
        await DrainAsync().ConfigureAwait(false);
        if (_postOrder.Count > 0)
        {
            var putter = _directories.CreatePutter();
            foreach (var pending in _postOrder)
            {
                // Post-order: every child's node is known (blobs are stored, subdirectories were built just before).
                var builder = new CADirectoryBuilder();
                foreach (var (name, slot) in pending.Entries) builder.Add(name, slot.Node!);
                var directory = builder.Build();
                await putter.PutAsync(directory, cancellationToken).ConfigureAwait(false);
                pending.Self.Node = directory.ToNode();
            }
            _postOrder.Clear();
            await putter.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        return _root.Node!;
    }

    /// <summary>Waits for background blob writes after a failure (their errors are dropped: the first error is already on its way).</summary>
    public async ValueTask DisposeAsync()
    {
        var pending = _pending.ToArray();
        _pending.Clear();
        try
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Observed here so it does not surface as an unobserved task exception.
        }
    }

    /// <summary>A new slot for the node that arrives now: the root, or the current directory's pending entry.</summary>
    private Slot Place()
    {
        var slot = new Slot();
        if (_frames.Count == 0)
        {
            if (_root is not null) throw new InvalidOperationException("a second root node");
            _root = slot;
            return slot;
        }
        var frame = _frames.Peek();
        var name = frame.PendingName ?? throw new InvalidOperationException("a node inside a directory without an entry name");
        frame.Entries.Add((name, slot));
        return slot;
    }

    private static async ValueTask<long> CopyAsync(Stream source, Stream destination, long size, CancellationToken cancellationToken)
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
                copied += read;
            }
            return copied;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Where a node goes once it is known (a file's once its blob is stored).</summary>
    private sealed class Slot
    {
        public Node? Node { get; set; }
    }

    private sealed record PendingDirectory(List<(byte[] Name, Slot Slot)> Entries, Slot Self);

    private sealed class Frame
    {
        public List<(byte[] Name, Slot Slot)> Entries { get; } = [];
        public byte[]? PendingName { get; set; }
    }
}
