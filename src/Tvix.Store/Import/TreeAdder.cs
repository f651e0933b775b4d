using System.Security.Cryptography;
using Tvix.CAStore;
using Tvix.CAStore.Import;
using Tvix.CAStore.Services;
using Tvix.NixCompat;
using Tvix.Store.Nar;

namespace Tvix.Store.Import;

/// <summary>
/// Stores a filesystem tree in the castore while producing its NAR, as <c>nix-store --add</c>
/// sees it: symlinks are not followed, only the owner's execute bit counts, entries are sorted
/// bytewise, and an optional filter leaves entries out; FIFOs, sockets and devices are refused.
/// </summary>
/// <remarks>
/// <para>One thread walks the tree (<see cref="Walk"/>) and reads each file once, straight into the
/// NAR's current chunk (<see cref="NarChunkPipe"/>); from there one of the pipe's threads hashes
/// the NAR (SHA-256) and the other hashes (BLAKE3) and writes the blobs: no copies in user space,
/// and creates the small blobs' files (most of their cost), so the walk itself only reads and the
/// scheduler spreads three busy threads over the cores there are.</para>
/// <para>Blobs are published in the background (a store that makes them durable in batches reports
/// each one stored some time after it was written), up to <see cref="MaxPublishing"/> at once.
/// Directories are built and put, leaves first, in one put session by a thread of their own while the
/// walk goes on (<see cref="BuildDirectories"/>), each once everything it names is stored: a
/// directory never reaches the store before what it names. While it waits for blobs, the session
/// writes what it holds, so little is left for <see cref="CompleteAsync"/> after the walk.</para>
/// </remarks>
internal sealed class TreeAdder : IAsyncDisposable
{
    // Blobs written but not yet reported stored: each holds only a closed temporary file (or a small buffer).
    private const int MaxPublishing = 1024;
    private readonly IBlobService _blobs;
    private readonly IDirectoryService _directories;
    private readonly NarChunkPipe _nar;
    private readonly PathFilter? _filter;
    private readonly NixHashAlgorithm? _flatAlgorithm;
    private readonly CancellationToken _cancellationToken;
    private readonly HashWarmup? _warmup;
    private readonly SemaphoreSlim _publishing = new(MaxPublishing);
    private readonly List<Task> _pending = [];
    // Directories the walk has finished, in post-order, for the builder; guarded by the queue itself.
    private readonly Queue<PendingDirectory> _finished = new();
    private bool _walked; // the walk has queued its last directory
    private volatile bool _stopping; // the add failed: the builder gives up
    private DirectoryPutter? _putter;
    private Task? _builder;
    // The slot the builder waits for (null: none, or it waits for the walk); whoever fills it wakes the builder.
    private Slot? _awaited;
    private Slot? _root;

    /// <summary>An adder writing blobs and directories into these services and the NAR into <paramref name="nar"/> (on a thread of its own).</summary>
    /// <remarks>
    /// With a <paramref name="flatAlgorithm"/>, a root regular file's contents are also hashed with it (see <see cref="FlatHash"/>).
    /// With a <paramref name="warmup"/>, the first file large enough for the wide BLAKE3 kernels starts their compilation on the pool.
    /// </remarks>
    public TreeAdder(IBlobService blobs, IDirectoryService directories, Stream nar, PathFilter? filter, NixHashAlgorithm? flatAlgorithm, CancellationToken cancellationToken, HashWarmup? warmup = null)
    {
        _warmup = warmup;
        _blobs = blobs;
        _directories = directories;
        _nar = new NarChunkPipe(nar);
        _filter = filter;
        _flatAlgorithm = flatAlgorithm;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The flat hash of the root file's contents, when a flat algorithm was asked for.</summary>
    public NixHash? FlatHash { get; private set; }

    /// <summary>The filter's view of a kind: FIFOs, sockets and devices are all "unknown".</summary>
    public static PathEntryType TypeOf(FileKind kind) => kind switch
    {
        FileKind.Regular => PathEntryType.Regular,
        FileKind.Directory => PathEntryType.Directory,
        FileKind.Symlink => PathEntryType.Symlink,
        _ => PathEntryType.Unknown,
    };

    /// <summary>Walks the tree synchronously (on the caller's thread), writing its NAR and its blobs; returns once the whole NAR is written.</summary>
    public void Walk(LocalFileEntry root)
    {
        _root = Add(root, root: true);
        _nar.Complete();
        lock (_finished)
        {
            _walked = true;
            Monitor.Pulse(_finished); // a builder waiting for the walk
        }
    }

    private Slot Add(LocalFileEntry entry, bool root = false)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        switch (entry.Kind)
        {
            case FileKind.Regular:
                return AddFile(entry, root);
            case FileKind.Symlink:
            {
                var target = entry.ReadSymlinkTarget();
                var node = new SymlinkNode(target); // validates the target
                _nar.Token("("u8);
                _nar.Token("type"u8);
                _nar.Token("symlink"u8);
                _nar.Token("target"u8);
                _nar.Token(target);
                _nar.Token(")"u8);
                return new Slot { Node = node };
            }
            case FileKind.Directory:
            {
                // Copied to sort by a loop, not LINQ's ToArray, which would load System.Linq.
                var listed = entry.GetChildren();
                var children = new LocalFileEntry[listed.Count];
                for (var i = 0; i < children.Length; i++) children[i] = listed[i];
                Array.Sort(children, static (a, b) => a.Name.Span.SequenceCompareTo(b.Name.Span));
                _nar.Token("("u8);
                _nar.Token("type"u8);
                _nar.Token("directory"u8);
                var entries = new List<(byte[] Name, Slot Slot)>(children.Length);
                foreach (var child in children)
                {
                    if (_filter is not null && !_filter(child.Path, TypeOf(child.Kind))) continue;
                    var name = ExactArray(child.Name);
                    _nar.Token("entry"u8);
                    _nar.Token("("u8);
                    _nar.Token("name"u8);
                    _nar.Token(name);
                    _nar.Token("node"u8);
                    entries.Add((name, Add(child)));
                    _nar.Token(")"u8);
                }
                _nar.Token(")"u8);
                var self = new Slot();
                Queue(new PendingDirectory(entries, self)); // after every directory below it
                return self;
            }
            default:
                throw new UnsupportedFileTypeException(entry.Path, "special file (FIFO, socket or device)");
        }
    }

    private Slot AddFile(LocalFileEntry entry, bool root)
    {
        using var file = entry.OpenHandle();
        // The size the listing's statx saw (no fstat per file); a file that shrank since fails below.
        var size = entry.Length;
        // Hashed (by the pipe's thread, once its chunk is handed over) with kernels compiled at first use.
        if (size > HashWarmup.WideFrom) _warmup?.StartKernels();
        _nar.Token("("u8);
        _nar.Token("type"u8);
        _nar.Token("regular"u8);
        if (entry.Executable)
        {
            _nar.Token("executable"u8);
            _nar.Token([]);
        }
        _nar.Token("contents"u8);
        _nar.UInt64((ulong)size);
        using var flat = root && _flatAlgorithm is { } algorithm ? NixHashAlgorithms.CreateIncremental(algorithm) : null;
        // The pipe's work thread hashes and writes the blob; only a root file that also gets a flat
        // hash is done here (that hash sees the bytes in order, as the blob writer does).
        var offload = flat is null;
        var writer = _blobs.OpenWrite();
        var slot = new Slot();
        try
        {
            long done = 0;
            while (done < size)
            {
                // Straight into the NAR chunk; the blob writer and the flat hash read it from there.
                var free = _nar.Free;
                var piece = free[..(int)Math.Min(free.Length, size - done)];
                var read = entry.ReadAt(file, piece, done);
                if (read == 0) throw new IOException($"'{entry.Path}' became shorter while it was added ({done} of {size} bytes)");
                if (offload)
                {
                    _nar.AdvanceInto(writer, read);
                }
                else
                {
                    writer.Write(piece[..read]);
                    flat?.AppendData(piece[..read]);
                    _nar.Advance(read);
                }
                done += read;
            }
            if (flat is not null) FlatHash = new NixHash(_flatAlgorithm!.Value, flat.GetHashAndReset());
            _publishing.Wait(_cancellationToken);
        }
        catch
        {
            // An offloaded writer is the pipe's until it has consumed what came before.
            if (offload) _nar.AfterConsumed(_ => writer.Dispose());
            else writer.Dispose();
            throw;
        }
        var executable = entry.Executable;
        if (offload)
        {
            // On the pipe's work thread, once it has written the blob: a large one is in its temporary
            // file and only has to be committed; a small one is held in memory, and its file is
            // created right there (a few system calls; the thread pool would spin between them).
            _nar.AfterConsumed(failed =>
            {
                if (!failed)
                {
                    Track(PublishAsync(writer, slot, executable));
                    return;
                }
                writer.Dispose();
                _publishing.Release();
            });
        }
        else
        {
            Track(Task.Run(() => PublishAsync(writer, slot, executable)));
        }
        _nar.Padding(size);
        _nar.Token(")"u8);
        return slot;
    }

    /// <summary>The bytes as an array: the one behind them when it holds exactly them (a listed name), else a copy.</summary>
    private static byte[] ExactArray(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToArray();

    /// <summary>Hands a finished directory to the builder, starting it with the first one.</summary>
    private void Queue(PendingDirectory directory)
    {
        lock (_finished)
        {
            _finished.Enqueue(directory);
            if (_builder is not null)
            {
                Monitor.Pulse(_finished); // a builder waiting for the walk
                return;
            }
            _putter = _directories.CreatePutter();
            // Continuations off the builder's thread (it completes this while holding the queue's lock).
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _builder = done.Task;
            new Thread(() => BuildDirectories(done)) { IsBackground = true, Name = "Directories" }.Start();
        }
    }

    /// <summary>Fills a slot; wakes the builder if it waits for this one.</summary>
    private void Fill(Slot slot, Node node)
    {
        slot.Node = node;
        // A full fence between writing the node and reading what the builder waits for (it does the
        // opposite under the lock), so that one of the two always sees the other's write.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _awaited) != slot) return;
        lock (_finished) Monitor.Pulse(_finished);
    }

    /// <summary>
    /// Puts the walk's directories in post-order, each once all its children are stored (their slots
    /// filled); while the next one waits for blobs, lets the session write what it holds. A thread of
    /// its own that sleeps until the slot it waits for is filled (or the walk queues a directory):
    /// a thread-pool task polling on a timer woke pool threads hundreds of times a second, and each
    /// spun before it slept again.
    /// </summary>
    private void BuildDirectories(TaskCompletionSource done)
    {
        try
        {
            var held = 0;
            while (true)
            {
                PendingDirectory? next;
                lock (_finished)
                {
                    while (true)
                    {
                        next = _finished.Count > 0 ? _finished.Peek() : null;
                        if (next is null && _walked)
                        {
                            done.TrySetResult(); // CompleteAsync closes the session
                            return;
                        }
                        if (_stopping) break;
                        // The last one missing: blobs are reported stored in the order the walk wrote them (a
                        // batch's completions one after another), so waiting for the first one woke this
                        // thread once per file while the rest of the batch was still being reported.
                        var missing = next is null ? null : LastMissing(next.Entries);
                        if (next is not null && missing is null) break; // ready
                        if (held >= FlushFrom) break; // write what is held while waiting
                        Volatile.Write(ref _awaited, missing);
                        Interlocked.MemoryBarrier();
                        // Filled meanwhile (see Fill): look again; otherwise sleep until woken (the timeout is a safety net).
                        if (missing is null || missing.Node is null) Monitor.Wait(_finished, 100);
                        Volatile.Write(ref _awaited, null);
                        _cancellationToken.ThrowIfCancellationRequested();
                    }
                }
                if (_stopping)
                {
                    done.TrySetResult();
                    return;
                }
                if (next is null || LastMissing(next.Entries) is not null)
                {
                    // Waiting with many directories held: the session writes them meanwhile.
                    _putter!.FlushAsync(_cancellationToken).AsTask().GetAwaiter().GetResult();
                    held = 0;
                    continue;
                }
                lock (_finished) _finished.Dequeue();
                var builder = new CADirectoryBuilder();
                foreach (var (name, slot) in next.Entries) builder.Add(name, slot.Node!);
                var built = builder.Build();
                _putter!.PutAsync(built, _cancellationToken).AsTask().GetAwaiter().GetResult();
                next.Self.Node = built.ToNode();
                held++;
            }
        }
        catch (Exception e)
        {
            done.TrySetException(e);
        }
    }

    /// <summary>
    /// The slot of the last entry not yet filled, or null when all are. A loop, not List.FindLast with
    /// a predicate: that is framework generic code over a value tuple, JIT-compiled in every process.
    /// </summary>
    private static Slot? LastMissing(List<(byte[] Name, Slot Slot)> entries)
    {
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            if (entries[i].Slot.Node is null) return entries[i].Slot;
        }
        return null;
    }

    // The builder has the session write its directories once it holds this many and has to wait.
    private const int FlushFrom = 256;

    /// <summary>Closes the blob (which publishes it) and fills the slot once it is stored; frees its publishing place.</summary>
    private async Task PublishAsync(BlobWriter writer, Slot slot, bool executable)
    {
        try
        {
            // Not cancellable: the bytes are written, and leaving the blob half-published helps no one.
            var digest = await writer.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            Fill(slot, new FileNode(digest, (ulong)writer.BytesWritten, executable));
        }
        finally
        {
            // Closed (or failed): disposing has nothing left to wait for, so no asynchronous dispose.
            writer.Dispose();
            _publishing.Release();
        }
    }

    /// <summary>Remembers a publishing task (from the walk or the NAR pipe's thread).</summary>
    private void Track(Task task)
    {
        lock (_pending)
        {
            _pending.Add(task);
            if (_pending.Count < 2 * MaxPublishing) return;
            // Forget what has finished (the list stays about MaxPublishing long); surface the first failure now.
            _pending.Find(static t => t.IsFaulted || t.IsCanceled)?.GetAwaiter().GetResult();
            _pending.RemoveAll(static t => t.IsCompletedSuccessfully);
        }
    }

    /// <summary>
    /// After <see cref="Walk"/>: waits until every blob is stored, then puts the directories leaves
    /// first in one session (checking the tree is connected) and returns the root.
    /// </summary>
    public async Task<Node> CompleteAsync(CancellationToken cancellationToken)
    {
        if (_root is null) throw new InvalidOperationException("the tree has not been walked");
        var pending = _pending.ToArray();
        _pending.Clear();
        await Task.WhenAll(pending).ConfigureAwait(false);
        Task? builder;
        lock (_finished) builder = _builder;
        if (builder is not null)
        {
            // Every blob is stored, so the builder gets through the rest; the session checks the tree is connected.
            await builder.ConfigureAwait(false);
            await _putter!.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        return _root.Node!;
    }

    /// <summary>Waits for background blob writes after a failure (their errors are dropped: the first error is already on its way).</summary>
    public async ValueTask DisposeAsync()
    {
        _nar.Dispose(); // first: it hands back (and so disposes) the writers it still holds
        _stopping = true; // a builder waiting for blobs that will never be stored stops
        lock (_finished) Monitor.Pulse(_finished);
        Task? builder;
        lock (_finished) builder = _builder;
        var pending = _pending.ToArray();
        if (builder is not null) pending = [.. pending, builder];
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

    /// <summary>Where a node goes once it is known (a file's once its blob is stored).</summary>
    private sealed class Slot
    {
        private Node? _node;

        // Filled by publishing tasks and the builder, read by the builder on other threads.
        public Node? Node
        {
            get => Volatile.Read(ref _node);
            set => Volatile.Write(ref _node, value);
        }
    }

    private sealed record PendingDirectory(List<(byte[] Name, Slot Slot)> Entries, Slot Self);
}
