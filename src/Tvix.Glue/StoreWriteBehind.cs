using System.Runtime.ExceptionServices;
using Tvix.NixCompat;
using Tvix.Store;

namespace Tvix.Glue;

/// <summary>
/// Hands what evaluation creates (<c>.drv</c> files, <c>toFile</c> texts, imported sources) to a
/// <see cref="TvixStore"/> in the background, so evaluation does not wait for each write to
/// reach the disk: writes queued while a group is being stored form the next group, and the
/// store flushes a group once (<see cref="Tvix.Store.Services.IPathInfoService"/> implementations
/// share concurrent flushes). Groups are stored in the order they were queued, so a path is
/// never stored before a group that came earlier (a <c>.drv</c>'s inputs are queued before it).
/// While a write is in flight, evaluation sees the path as present (its text and references
/// are at hand; a file inside a pending source waits for it). Use with
/// <see cref="TvixBuilder.UseTvixStore(StoreWriteBehind)"/>, and call <see cref="FlushAsync"/>
/// (or dispose) before relying on the store: that is where a failed write is reported.
/// Crash safety is the store's: a path info is stored only after its content is durable.
/// </summary>
public sealed class StoreWriteBehind : IAsyncDisposable, IDisposable
{
    // A group's writes run concurrently; a bound keeps a burst (thousands of .drv files) from
    // opening thousands of files at once.
    private const int MaxGroup = 64;

    // The queue, the pending writes and _drained are guarded by _gate: a Lock and a plain
    // dictionary rather than a monitor and a concurrent dictionary, which would load two more
    // framework assemblies into every evaluation that writes.
    private readonly Lock _gate = new();
    private readonly Queue<PendingWrite> _queue = new();
    private readonly Dictionary<StorePath, PendingWrite> _pending = [];
    private TaskCompletionSource? _drained;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Writes into <paramref name="store"/>.</summary>
    public StoreWriteBehind(TvixStore store)
    {
        Store = store ?? throw new ArgumentNullException(nameof(store));
    }

    /// <summary>The store written to.</summary>
    public TvixStore Store { get; }

    /// <summary>
    /// Waits until every write queued so far is stored, then throws the first write that failed
    /// (once failed, every later flush and queued write reports it too).
    /// </summary>
    public Task FlushAsync()
    {
        Task? drained;
        lock (_gate) drained = _drained?.Task;
        if (drained is null) return _failure is { } failure ? Task.FromException(failure.SourceException) : Task.CompletedTask;
        // Continuations, not async methods: their state machines would be JIT-compiled on every start.
        return drained.ContinueWith(static (_, self) => ((StoreWriteBehind)self!)._failure?.Throw(), this,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits for the queued writes (<see cref="FlushAsync"/>) on the calling thread.</summary>
    public void Flush() => FlushAsync().GetAwaiter().GetResult();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => new(FlushAsync());

    /// <inheritdoc />
    public void Dispose() => Flush();

    /// <summary>The write of <paramref name="path"/> still in flight, or null.</summary>
    internal PendingWrite? Find(StorePath path)
    {
        lock (_gate) return _pending.TryGetValue(path, out var pending) ? pending : null;
    }

    /// <summary>
    /// Queues a write; <paramref name="stored"/> runs once it is stored. Throws at once when an
    /// earlier write failed, so evaluation stops soon after a store error.
    /// </summary>
    internal void Enqueue(PendingWrite write, Action stored)
    {
        _failure?.Throw();
        write.Stored = stored;
        bool start;
        lock (_gate)
        {
            if (!_pending.TryAdd(write.Path, write)) return; // the same path is on its way already
            _queue.Enqueue(write);
            start = _drained is null;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        if (start) ThreadPool.UnsafeQueueUserWorkItem(static self => self.StartGroup(), this, preferLocal: false);
    }

    /// <summary>Starts the next group's writes (all at once); when they are done, the group after it.</summary>
    private void StartGroup()
    {
        var group = new List<PendingWrite>(MaxGroup);
        TaskCompletionSource? drained = null;
        lock (_gate)
        {
            while (group.Count < MaxGroup && _queue.TryDequeue(out var next)) group.Add(next);
            if (group.Count == 0)
            {
                drained = _drained;
                _drained = null;
            }
        }
        if (drained != null)
        {
            drained.SetResult();
            return;
        }
        var running = new Task[group.Count];
        for (var i = 0; i < running.Length; i++) running[i] = Start(group[i]);
        Task.WhenAll(running).ContinueWith(static (_, self) => ((StoreWriteBehind)self!).StartGroup(), this,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Starts one write; the task returned completes (never faults) once it is stored or has failed.</summary>
    private Task Start(PendingWrite write)
    {
        Task<PathInfo> stored;
        try
        {
            stored = write.Start();
        }
        catch (Exception e)
        {
            Finish(write, null, e);
            return Task.CompletedTask;
        }
        return stored.ContinueWith(static (task, state) =>
        {
            var (self, write) = ((StoreWriteBehind, PendingWrite))state!;
            var stored = (Task<PathInfo>)task;
            if (stored.IsCompletedSuccessfully) self.Finish(write, stored.Result, null);
            else self.Finish(write, null, stored.Exception?.InnerException ?? new OperationCanceledException());
        }, (this, write), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void Finish(PendingWrite write, PathInfo? info, Exception? error)
    {
        if (error is null && !info!.StorePath.Equals(write.Path))
            error = new InvalidOperationException($"the store added '{Store.StoreDirectory.Print(info.StorePath)}' where the evaluator computed '{Store.StoreDirectory.Print(write.Path)}'");
        if (error is null)
        {
            write.Stored?.Invoke();
            write.Completion.TrySetResult();
        }
        else
        {
            lock (_gate) _failure ??= ExceptionDispatchInfo.Capture(error);
            write.Completion.TrySetException(error);
        }
        lock (_gate) _pending.Remove(write.Path);
    }
}

/// <summary>A write <see cref="StoreWriteBehind"/> has queued or is storing.</summary>
internal sealed class PendingWrite(StorePath path, Func<Task<PathInfo>> start, ReadOnlyMemory<byte>? text, IReadOnlyCollection<StorePath> references)
{
    public StorePath Path { get; } = path;

    /// <summary>Starts the store call; the path info it returns is checked against <see cref="Path"/>.</summary>
    public Func<Task<PathInfo>> Start { get; } = start;

    /// <summary>The bytes of a text path (what a read of it sees meanwhile), or null for a tree.</summary>
    public ReadOnlyMemory<byte>? Text { get; } = text;

    public IReadOnlyCollection<StorePath> References { get; } = references;

    public Action? Stored { get; set; }

    /// <summary>Completes when the path is stored (faults when the write failed).</summary>
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
