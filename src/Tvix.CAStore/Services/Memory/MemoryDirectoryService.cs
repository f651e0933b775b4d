namespace Tvix.CAStore.Services.Memory;

/// <summary>Directories in a dictionary in this process (URL <c>memory://</c>).</summary>
public sealed class MemoryDirectoryService : IDirectoryService
{
    // A plain dictionary under a lock, held only for a lookup (see MemoryBlobService).
    private readonly Dictionary<B3Digest, CADirectory> _directories = [];
    private readonly Lock _lock = new();

    /// <inheritdoc/>
    public ValueTask<CADirectory?> GetAsync(B3Digest digest, CancellationToken cancellationToken = default)
    {
        lock (_lock) return ValueTask.FromResult(_directories.TryGetValue(digest, out var d) ? d : null);
    }

    /// <inheritdoc/>
    public ValueTask<B3Digest> PutAsync(CADirectory directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        lock (_lock) _directories.TryAdd(directory.Digest, directory);
        return ValueTask.FromResult(directory.Digest);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<CADirectory> GetRecursiveAsync(B3Digest root, CancellationToken cancellationToken = default) =>
        DirectoryTraversal.GetRecursiveAsync(this, root, cancellationToken);

    /// <inheritdoc/>
    public DirectoryPutter CreatePutter() => new(this);
}
