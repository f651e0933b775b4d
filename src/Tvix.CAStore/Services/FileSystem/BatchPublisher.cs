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
    private readonly Action<PendingObject> _rename;
    private readonly Action<PendingObject> _drop;
    private readonly object _gate = new();
    private List<PendingObject> _queue = [];
    private bool _running;

    /// <param name="root">A folder on the store's filesystem (the one <c>syncfs</c> flushes).</param>
    /// <param name="othersWriting">Whether objects are being written that will be published soon.</param>
    /// <param name="rename">
    /// Moves one object's temporary file to its final name (or drops it when that name exists: same
    /// name, same bytes); throws when it cannot. Called on the publishing thread only.
    /// </param>
    /// <param name="drop">Removes an object's temporary file after a failure, best effort (never throws).</param>
    public BatchPublisher(string root, Func<bool> othersWriting, Action<PendingObject> rename, Action<PendingObject> drop)
    {
        _root = root;
        _othersWriting = othersWriting;
        _rename = rename;
        _drop = drop;
    }

    /// <summary>Publishes one closed temporary file; <see cref="PendingObject.Stored"/> completes once it is durable under its name.</summary>
    public void Publish(PendingObject pending) => Enqueue(pending, null);

    /// <summary>Publishes closed temporary files in this order (all in one batch); each completes once it is durable.</summary>
    public void PublishAll(IReadOnlyList<PendingObject> pending)
    {
        if (pending.Count > 0) Enqueue(null, pending);
    }

    private void Enqueue(PendingObject? one, IReadOnlyList<PendingObject>? many)
    {
        bool start;
        lock (_gate)
        {
            if (one is not null) _queue.Add(one);
            else _queue.AddRange(many!);
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
            List<PendingObject> batch;
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

    private void Publish(List<PendingObject> batch)
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
                _drop(batch[i]);
                outcomes[i] = error;
            }
            Complete(batch, outcomes);
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            try
            {
                _rename(batch[i]);
            }
            catch (Exception e)
            {
                _drop(batch[i]);
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
    private static void Complete(List<PendingObject> batch, Exception?[] outcomes) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (items, errors) = state;
            for (var i = 0; i < items.Count; i++)
            {
                if (errors[i] is { } error) items[i].Fail(error);
                else items[i].Succeed();
            }
        }, (batch, outcomes), preferLocal: false);
}
