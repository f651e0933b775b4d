namespace Tvix.Store.Services;

/// <summary>
/// Shares one flush to disk among callers that ask at the same time (a group commit): each
/// caller's wait ends with a flush that started after it asked, so everything it wrote before
/// asking is covered, but callers that arrive while a flush runs all share the next one instead
/// of paying one each. A lone caller runs its flush inline, as if it called it directly.
/// </summary>
internal sealed class SyncCoalescer(Action flush)
{
    private readonly object _gate = new();
    // The flush that callers asking now will get; null when nobody waits for one.
    private TaskCompletionSource? _next;
    private bool _flushing;

    /// <summary>Completes once a flush that started after this call has finished (faults with its error).</summary>
    public Task FlushAsync()
    {
        Task mine;
        lock (_gate)
        {
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            mine = _next.Task;
            if (_flushing) return mine; // the flushing caller runs ours after its own
            _flushing = true;
        }
        // This caller leads: it flushes for itself and for whoever joined meanwhile, until none waits.
        while (true)
        {
            TaskCompletionSource current;
            lock (_gate)
            {
                if (_next is null)
                {
                    _flushing = false;
                    break;
                }
                current = _next;
                _next = null;
            }
            try
            {
                flush();
                current.SetResult();
            }
            catch (Exception e)
            {
                current.SetException(e);
            }
        }
        return mine;
    }
}
