namespace Tvix.CAStore.Services.Combined;

/// <summary>
/// A near store (fast, local: a cache) in front of a far one (the source of truth). Reads try
/// near first and copy what only far has into near; writes go to far.
/// URL <c>combined://?near=&lt;url&gt;&amp;far=&lt;url&gt;</c>.
/// </summary>
public sealed class CombinedBlobService : IBlobService
{
    private readonly IBlobService _near;
    private readonly IBlobService _far;

    /// <summary>Combines <paramref name="near"/> (cache) and <paramref name="far"/> (source of truth).</summary>
    public CombinedBlobService(IBlobService near, IBlobService far)
    {
        _near = near ?? throw new ArgumentNullException(nameof(near));
        _far = far ?? throw new ArgumentNullException(nameof(far));
    }

    /// <inheritdoc/>
    public async ValueTask<bool> HasAsync(B3Digest digest, CancellationToken cancellationToken = default) =>
        await _near.HasAsync(digest, cancellationToken).ConfigureAwait(false) || await _far.HasAsync(digest, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async ValueTask<Stream?> OpenReadAsync(B3Digest digest, CancellationToken cancellationToken = default)
    {
        var near = await _near.OpenReadAsync(digest, cancellationToken).ConfigureAwait(false);
        if (near is not null) return near;
        B3Digest copied;
        await using (var far = await _far.OpenReadAsync(digest, cancellationToken).ConfigureAwait(false))
        {
            if (far is null) return null;
            copied = await _near.PutAsync(far, cancellationToken).ConfigureAwait(false);
        }
        if (copied != digest)
            throw new CAStoreValidationException($"far store returned blob {copied} when asked for {digest}");
        return await _near.OpenReadAsync(digest, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"blob {digest} vanished from the near store right after it was copied there");
    }

    /// <inheritdoc/>
    public BlobWriter OpenWrite() => _far.OpenWrite();
}
