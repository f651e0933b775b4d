using System.Threading.Tasks.Sources;

namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// A closed temporary file waiting in <see cref="BatchPublisher"/>'s queue for its final name, and
/// what its writer awaits: the object completes once it is durable under that name, with its
/// digest. One allocation per object serves as queue entry and as the awaited operation (a
/// <see cref="TaskCompletionSource"/> per object, a <c>WaitAsync</c> around it and the async state
/// machines passing its result up were several more, and each suspending one a few more generic
/// methods compiled per run). Awaited once, as every <see cref="ValueTask"/> must be; a caller
/// that needs a <see cref="Task"/> asks for one once (<see cref="AsTask"/>).
/// </summary>
internal sealed class PendingObject : IValueTaskSource<B3Digest>, IValueTaskSource
{
    // Continuations run where the outcome is set: one thread-pool work item per batch (see BatchPublisher).
    private ManualResetValueTaskSourceCore<B3Digest> _completion;

    /// <param name="digest">The object's digest (its final name).</param>
    /// <param name="temporaryName">The temporary file's name in the store's temporary folder, NUL-terminated (Linux), or null.</param>
    /// <param name="temporaryPath">The temporary file's path, where there are no folder-relative calls; otherwise null.</param>
    /// <param name="finalPath">Where it goes, where there are no folder-relative calls; otherwise null (the digest names it).</param>
    public PendingObject(B3Digest digest, byte[]? temporaryName, string? temporaryPath, string? finalPath)
    {
        Digest = digest;
        TemporaryName = temporaryName;
        TemporaryPath = temporaryPath;
        FinalPath = finalPath;
    }

    /// <summary>The object's digest, which names its final file.</summary>
    public B3Digest Digest { get; }

    /// <summary>The temporary file's name relative to the temporary folder (NUL-terminated), on Linux.</summary>
    public byte[]? TemporaryName { get; }

    /// <summary>The temporary file's path, elsewhere.</summary>
    public string? TemporaryPath { get; }

    /// <summary>The final path, elsewhere.</summary>
    public string? FinalPath { get; }

    /// <summary>Completes once the object is durable under its name (or fails with why not).</summary>
    public ValueTask<B3Digest> Stored => new(this, _completion.Version);

    /// <summary><see cref="Stored"/> as a task (for callers that combine several or need to await with a timeout); instead of <see cref="Stored"/>, not as well.</summary>
    public Task<B3Digest> AsTask() => Stored.AsTask();

    /// <summary>Reports the object stored.</summary>
    public void Succeed() => _completion.SetResult(Digest);

    /// <summary>Reports that the object could not be stored.</summary>
    public void Fail(Exception error) => _completion.SetException(error);

    B3Digest IValueTaskSource<B3Digest>.GetResult(short token) => _completion.GetResult(token);

    void IValueTaskSource.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<B3Digest>.GetStatus(short token) => _completion.GetStatus(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<B3Digest>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
