using System.Runtime.ExceptionServices;

namespace Tvix.CAStore.Import;

/// <summary>
/// Background tasks (blobs being published) with a cap on how many run at once: the producer
/// waits for a slot instead of for each task, so a store that publishes in batches gets big ones.
/// </summary>
internal sealed class PendingTasks(int limit)
{
    private readonly SemaphoreSlim _slots = new(limit);
    private ExceptionDispatchInfo? _failure;

    /// <summary>Starts <paramref name="start"/> once a slot is free; first rethrows the failure of any task that has failed.</summary>
    public async ValueTask AddAsync(Func<Task> start, CancellationToken cancellationToken)
    {
        Volatile.Read(ref _failure)?.Throw(); // stop feeding work after the first failure
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task task;
        try
        {
            task = start();
        }
        catch
        {
            _slots.Release();
            throw;
        }
        _ = task.ContinueWith(static (t, state) =>
        {
            var self = (PendingTasks)state!;
            if (!t.IsCompletedSuccessfully)
            {
                Exception error = t.Exception is { } aggregate ? aggregate.InnerExceptions[0] : new TaskCanceledException(t);
                Interlocked.CompareExchange(ref self._failure, ExceptionDispatchInfo.Capture(error), null);
            }
            self._slots.Release();
        }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Waits for every task started so far; throws the first failure.</summary>
    public async Task WhenAllAsync()
    {
        // Holding every slot means no task is left running.
        for (var i = 0; i < limit; i++) await _slots.WaitAsync().ConfigureAwait(false);
        _slots.Release(limit);
        Volatile.Read(ref _failure)?.Throw();
    }
}
