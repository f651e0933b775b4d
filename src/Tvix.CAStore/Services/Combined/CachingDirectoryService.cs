namespace Tvix.CAStore.Services.Combined;

/// <summary>
/// A near directory store (a cache) in front of a far one. Reads try near first and copy what
/// only far has into near; writes go to far. URL <c>combined://?near=&lt;url&gt;&amp;far=&lt;url&gt;</c>.
/// </summary>
public sealed class CachingDirectoryService : IDirectoryService
{
    private readonly IDirectoryService _near;
    private readonly IDirectoryService _far;

    /// <summary>Combines <paramref name="near"/> (cache) and <paramref name="far"/> (source of truth).</summary>
    public CachingDirectoryService(IDirectoryService near, IDirectoryService far)
    {
        _near = near ?? throw new ArgumentNullException(nameof(near));
        _far = far ?? throw new ArgumentNullException(nameof(far));
    }

    /// <inheritdoc/>
    public async ValueTask<CADirectory?> GetAsync(B3Digest digest, CancellationToken cancellationToken = default)
    {
        var directory = await _near.GetAsync(digest, cancellationToken).ConfigureAwait(false);
        if (directory is not null) return directory;
        directory = await _far.GetAsync(digest, cancellationToken).ConfigureAwait(false);
        if (directory is null) return null;
        if (directory.Digest != digest)
            throw new CAStoreValidationException($"far store returned directory {directory.Digest} when asked for {digest}");
        await _near.PutAsync(directory, cancellationToken).ConfigureAwait(false);
        return directory;
    }

    /// <inheritdoc/>
    public ValueTask<B3Digest> PutAsync(CADirectory directory, CancellationToken cancellationToken = default) =>
        _far.PutAsync(directory, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Each directory comes from near if it is there, so a partly cached tree is completed from far.</remarks>
    public IAsyncEnumerable<CADirectory> GetRecursiveAsync(B3Digest root, CancellationToken cancellationToken = default) =>
        DirectoryTraversal.GetRecursiveAsync(this, root, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Writes go to far, so a session is far's own (which may store its directories in one batch).</remarks>
    public DirectoryPutter CreatePutter() => _far.CreatePutter();
}
