using System.Collections.Concurrent;
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
    private const int MaxGroup = 256;

    private readonly object _gate = new();
    private readonly Queue<PendingWrite> _queue = new();
    private readonly ConcurrentDictionary<StorePath, PendingWrite> _pending = new();
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
    public async Task FlushAsync()
    {
        Task? drained;
        lock (_gate) drained = _drained?.Task;
        if (drained != null) await drained.ConfigureAwait(false);
        _failure?.Throw();
    }

    /// <summary>Waits for the queued writes (<see cref="FlushAsync"/>) on the calling thread.</summary>
    public void Flush() => FlushAsync().GetAwaiter().GetResult();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => new(FlushAsync());

    /// <inheritdoc />
    public void Dispose() => Flush();

    /// <summary>The write of <paramref name="path"/> still in flight, or null.</summary>
    internal PendingWrite? Find(StorePath path) => _pending.TryGetValue(path, out var pending) ? pending : null;

    /// <summary>
    /// Queues a write; <paramref name="stored"/> runs once it is stored. Throws at once when an
    /// earlier write failed, so evaluation stops soon after a store error.
    /// </summary>
    internal void Enqueue(PendingWrite write, Action stored)
    {
        _failure?.Throw();
        write.Stored = stored;
        if (!_pending.TryAdd(write.Path, write)) return; // the same path is on its way already
        bool start;
        lock (_gate)
        {
            _queue.Enqueue(write);
            start = _drained is null;
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        if (start) _ = Task.Run(DrainAsync);
    }

    private async Task DrainAsync()
    {
        var group = new List<PendingWrite>(MaxGroup);
        var running = new List<Task>(MaxGroup);
        while (true)
        {
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
            foreach (var write in group) running.Add(RunAsync(write));
            await Task.WhenAll(running).ConfigureAwait(false);
            running.Clear();
            group.Clear();
        }
    }

    private async Task RunAsync(PendingWrite write)
    {
        try
        {
            await write.Start().ConfigureAwait(false);
            write.Stored?.Invoke();
            write.Completion.TrySetResult();
        }
        catch (Exception e)
        {
            lock (_gate) _failure ??= ExceptionDispatchInfo.Capture(e);
            write.Completion.TrySetException(e);
        }
        finally
        {
            _pending.TryRemove(write.Path, out _);
        }
    }
}

/// <summary>A write <see cref="StoreWriteBehind"/> has queued or is storing.</summary>
internal sealed class PendingWrite(StorePath path, Func<Task> start, ReadOnlyMemory<byte>? text, IReadOnlyCollection<StorePath> references)
{
    public StorePath Path { get; } = path;

    /// <summary>Starts the store call.</summary>
    public Func<Task> Start { get; } = start;

    /// <summary>The bytes of a text path (what a read of it sees meanwhile), or null for a tree.</summary>
    public ReadOnlyMemory<byte>? Text { get; } = text;

    public IReadOnlyCollection<StorePath> References { get; } = references;

    public Action? Stored { get; set; }

    /// <summary>Completes when the path is stored (faults when the write failed).</summary>
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
