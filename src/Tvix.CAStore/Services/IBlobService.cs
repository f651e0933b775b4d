namespace Tvix.CAStore.Services;

/// <summary>
/// Stores blobs (file contents) under the BLAKE3 digest of their bytes. Implementations are
/// thread-safe; every operation streams, so blobs of any size use bounded memory.
/// </summary>
public interface IBlobService
{
    /// <summary>Whether the blob is stored.</summary>
    ValueTask<bool> HasAsync(B3Digest digest, CancellationToken cancellationToken = default);

    /// <summary>Opens the blob for reading as a seekable stream, or returns null if it is not stored.</summary>
    ValueTask<Stream?> OpenReadAsync(B3Digest digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts writing a blob. Write the bytes, then call <see cref="BlobWriter.CloseAsync"/>: it
    /// returns the digest of exactly what was written, and the blob is stored under it. Disposing
    /// the writer without closing it discards the data.
    /// </summary>
    BlobWriter OpenWrite();
}
