namespace Tvix.CAStore.Services;

/// <summary>Conveniences over <see cref="IBlobService"/>.</summary>
public static class BlobServiceExtensions
{
    /// <summary>Stores <paramref name="data"/> and returns its digest.</summary>
    public static async ValueTask<B3Digest> PutAsync(this IBlobService service, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        await using var writer = service.OpenWrite();
        await writer.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        return await writer.CloseAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores the rest of <paramref name="source"/> and returns its digest.</summary>
    public static async ValueTask<B3Digest> PutAsync(this IBlobService service, Stream source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(source);
        await using var writer = service.OpenWrite();
        await source.CopyToAsync(writer, 81920, cancellationToken).ConfigureAwait(false);
        return await writer.CloseAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a whole blob into memory (for small blobs), or returns null if it is not stored.</summary>
    public static async ValueTask<byte[]?> ReadAllBytesAsync(this IBlobService service, B3Digest digest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        await using var stream = await service.OpenReadAsync(digest, cancellationToken).ConfigureAwait(false);
        if (stream is null) return null;
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
