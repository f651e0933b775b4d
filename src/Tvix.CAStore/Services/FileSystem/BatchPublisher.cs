using Tvix.CAStore.Import;

namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// Moves finished temporary files to their final, content-addressed names in batches (a group
/// commit), so that many objects share the cost of one flush to disk instead of paying an
/// <c>fsync</c> each.
/// </summary>
/// <remarks>
/// <para>The order inside one batch is what keeps the store valid after a crash, including a power
/// failure, at any instant:</para>
/// <list type="number">
/// <item>The writers have written and closed their temporary files (not flushed: that is the cost
/// being shared). A crash now leaves only temporary files, which are garbage.</item>
/// <item>The contents of every file in the batch are made durable: one <c>syncfs(2)</c> of the
/// store's filesystem (where there is no <c>syncfs</c>, each writer flushed its own file before
/// closing it, as <see cref="FileSystemSync.IsAvailable"/> tells them to). Only then is any of them renamed,
/// so no final name can ever point at contents that did not reach the disk (a rename made durable
/// before the data is how a crash leaves empty or garbage files under real names).</item>
/// <item>Each file is renamed to its final name, in the order it was queued (an existing final name
/// already holds the same bytes, so the temporary file is dropped instead). <c>rename(2)</c> is
/// atomic: a reader, or a crash, sees the whole object or nothing.</item>
/// <item>The renames are made durable (a second <c>syncfs</c>, which covers the folders' entries).</item>
/// <item>Only now are the writers told that their objects are stored.</item>
/// </list>
/// <para>So an object is reported stored only once it is durable under its name, and callers that
/// store what refers to objects (directories naming blobs, path infos naming trees) only after
/// those objects are reported stored keep "nothing names missing content" across crashes.
/// Objects queued in order are also published in order, even when they share a batch.</para>
/// </remarks>
internal sealed class BatchPublisher
{
    // Group commit: while objects keep arriving (one joined within the last millisecond, or others
    // are being written), a batch waits up to this long (or until it is this big) for more to join,
    // as databases delay a commit while siblings are active: a bulk import then flushes the disk a
    // few times a second instead of hundreds. A lone writer that waits for each object before
    // writing the next waits about a millisecond more per object, and so does a batch queued all at
    // once (a put session's directories, the last blobs of an add) with nothing else on the way:
    // waiting the whole delay for it, as when any two queued objects counted as arriving, only
    // lengthened the tail of every add (by the delay once for the blobs and once for the directories).
    private static readonly TimeSpan GatherDelay = TimeSpan.FromMilliseconds(20);
    private const int GatherLimit = 512;
    // The publishing thread waits this long for more work before it ends (starting one costs more than waiting).
    private const int LingerMilliseconds = 100;
    private readonly string _root;
    private readonly Func<bool> _othersWriting;
    private readonly object _gate = new();
    private List<Pending> _queue = [];
    private bool _running;
    // Folders this instance has created or seen: touched only by the one publishing thread.
    private readonly HashSet<string> _folders = new(StringComparer.Ordinal);

    /// <param name="root">A folder on the store's filesystem (the one <c>syncfs</c> flushes).</param>
    /// <param name="othersWriting">Whether objects are being written that will be published soon.</param>
    public BatchPublisher(string root, Func<bool> othersWriting)
    {
        _root = root;
        _othersWriting = othersWriting;
    }

    /// <summary>Publishes one closed temporary file as <paramref name="final"/>; completes once it is durable there.</summary>
    public Task PublishAsync(string temporary, string final)
    {
        var pending = new Pending(temporary, final);
        Enqueue([pending]);
        return pending.Completion.Task;
    }

    /// <summary>Publishes closed temporary files in this order (all in one batch); completes once all are durable.</summary>
    public Task PublishAllAsync(IReadOnlyList<(string Temporary, string Final)> files)
    {
        if (files.Count == 0) return Task.CompletedTask;
        var pending = new Pending[files.Count];
        for (var i = 0; i < pending.Length; i++) pending[i] = new Pending(files[i].Temporary, files[i].Final);
        Enqueue(pending);
        return Task.WhenAll(pending.Select(static p => p.Completion.Task));
    }

    private void Enqueue(Pending[] items)
    {
        bool start;
        lock (_gate)
        {
            _queue.AddRange(items);
            start = !_running;
            _running = true;
            Monitor.Pulse(_gate); // a lingering publisher
        }
        // A thread of its own: a flush blocks for as long as the disk takes, which must not hold up
        // the thread pool that the writers filling the next batch run on.
        if (start) Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Run()
    {
        while (true)
        {
            List<Pending> batch;
            var deadline = DateTime.UtcNow + GatherDelay;
            var seen = 0; // queued at the last look
            while (DateTime.UtcNow < deadline)
            {
                int queued;
                lock (_gate) queued = _queue.Count;
                var arriving = queued > seen;
                seen = queued;
                if (queued >= GatherLimit || !arriving && !_othersWriting()) break;
                Thread.Sleep(1);
            }
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    Monitor.Wait(_gate, LingerMilliseconds);
                    if (_queue.Count == 0)
                    {
                        _running = false;
                        return;
                    }
                    continue; // more work: gather what follows it first
                }
                batch = _queue;
                _queue = [];
            }
            Publish(batch);
        }
    }

    private void Publish(List<Pending> batch)
    {
        var outcomes = new Exception?[batch.Count]; // null: published
        try
        {
            FileSystemSync.Sync(_root);
        }
        catch (Exception e)
        {
            var error = new IOException($"cannot make the new objects in '{_root}' durable: {e.Message}", e);
            for (var i = 0; i < batch.Count; i++)
            {
                TryDelete(batch[i].Temporary);
                outcomes[i] = error;
            }
            Complete(batch, outcomes);
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            try
            {
                var folder = Path.GetDirectoryName(item.Final)!;
                if (_folders.Add(folder)) Directory.CreateDirectory(folder);
                if (PosixFiles.IsAvailable)
                {
                    // Same name, same bytes: a stored object is left alone and the copy dropped.
                    if (!PosixFiles.RenameNoReplace(item.Temporary, item.Final)) File.Delete(item.Temporary);
                }
                else if (File.Exists(item.Final)) File.Delete(item.Temporary); // same name, same bytes: stored already
                else File.Move(item.Temporary, item.Final, overwrite: true); // a concurrent writer renames identical bytes
            }
            catch (Exception e)
            {
                TryDelete(item.Temporary);
                outcomes[i] = e;
            }
        }

        try
        {
            FileSystemSync.Sync(_root); // where syncfs is missing, .NET offers no way to flush a folder
        }
        catch (Exception e)
        {
            var error = new IOException($"cannot make the new objects' names in '{_root}' durable: {e.Message}", e);
            for (var i = 0; i < batch.Count; i++) outcomes[i] ??= error;
        }
        Complete(batch, outcomes);
    }

    /// <summary>
    /// Reports a batch's outcomes from one thread-pool work item, which runs the waiting writers'
    /// continuations one after another: one hop per batch instead of one per object (which woke
    /// pool threads thousands of times per import), and never on this thread, whose flushes must not wait for them.
    /// </summary>
    private static void Complete(List<Pending> batch, Exception?[] outcomes) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (items, errors) = state;
            for (var i = 0; i < items.Count; i++)
            {
                if (errors[i] is { } error) items[i].Completion.TrySetException(error);
                else items[i].Completion.TrySetResult();
            }
        }, (batch, outcomes), preferLocal: false);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is garbage (removed when stale), never a wrong object.
        }
    }

    private sealed class Pending(string temporary, string final)
    {
        public string Temporary { get; } = temporary;
        public string Final { get; } = final;
        // Continuations run where the batch is completed (see Complete), not queued one by one.
        public TaskCompletionSource Completion { get; } = new();
    }
}
