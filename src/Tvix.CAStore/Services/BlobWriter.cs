using Tvix.CAStore.Hashing;

namespace Tvix.CAStore.Services;

/// <summary>
/// A write-only stream that hashes what passes through it, so the store files a blob under the
/// digest of the bytes it actually received, never under a digest a caller claims.
/// </summary>
public abstract class BlobWriter : Stream
{
    private Blake3Hasher? _hasher; // made on first use: a writer that hashes its bytes at close needs none
    private long _length;
    private bool _closed;

    /// <summary>Bytes written so far.</summary>
    public long BytesWritten => _length;

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => !_closed;

    /// <inheritdoc/>
    public override long Length => _length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException("a blob writer cannot seek");
    }

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureOpen();
        Absorb(buffer);
        WriteCore(buffer);
        _length += buffer.Length;
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        cancellationToken.ThrowIfCancellationRequested();
        Absorb(buffer.Span);
        await WriteCoreAsync(buffer, cancellationToken).ConfigureAwait(false);
        _length += buffer.Length;
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Finishes the blob: stores it durably under the digest of what was written and returns that digest.</summary>
    public ValueTask<B3Digest> CloseAsync(CancellationToken cancellationToken = default)
    {
        B3Digest digest;
        try
        {
            EnsureOpen();
            digest = ComputeDigest();
            _closed = true;
            return CommitReturningDigestAsync(digest, _length, cancellationToken);
        }
        catch (Exception e)
        {
            // As an async method would: failures reach the caller through the returned task.
            return ValueTask.FromException<B3Digest>(e);
        }
    }

    /// <summary>The hasher that <see cref="Absorb"/> feeds by default.</summary>
    private protected Blake3Hasher Hasher => _hasher ??= new Blake3Hasher();

    /// <summary>
    /// Hashes bytes about to be given to <see cref="WriteCore"/>. A writer that keeps all its bytes
    /// in one buffer until it is closed may skip them here and hash them in one go in
    /// <see cref="ComputeDigest"/> (for small blobs that saves the incremental state, about 2 KiB per
    /// blob, and the copy of the bytes into it); it must then feed <see cref="Hasher"/> itself,
    /// held bytes first, once it stops holding them.
    /// </summary>
    private protected virtual void Absorb(ReadOnlySpan<byte> buffer) => Hasher.Update(buffer);

    /// <summary>The digest of everything written (called once, at close).</summary>
    private protected virtual B3Digest ComputeDigest()
    {
        var hasher = Hasher;
        Span<byte> hash = stackalloc byte[B3Digest.Length];
        hasher.Finalize(hash);
        hasher.Reset(); // returns its buffer: nothing more is hashed
        return new B3Digest(hash);
    }

    /// <summary>
    /// <see cref="CommitAsync"/>, completing with the digest. Not an async method, so that a store whose
    /// commit completes later (after a batched flush) can hand back its own awaitable with the digest
    /// instead of the state machine an <c>await</c> here would allocate per blob (FileBlobService).
    /// </summary>
    private protected virtual ValueTask<B3Digest> CommitReturningDigestAsync(B3Digest digest, long length, CancellationToken cancellationToken)
    {
        var commit = CommitAsync(digest, length, cancellationToken);
        if (!commit.IsCompletedSuccessfully) return AwaitCommitAsync(commit, digest);
        commit.GetAwaiter().GetResult();
        return new ValueTask<B3Digest>(digest);
    }

    private static async ValueTask<B3Digest> AwaitCommitAsync(ValueTask commit, B3Digest digest)
    {
        await commit.ConfigureAwait(false);
        return digest;
    }

    /// <summary>Stores <paramref name="buffer"/>'s bytes (already hashed by the base class).</summary>
    protected abstract void WriteCore(ReadOnlySpan<byte> buffer);

    /// <summary>Stores <paramref name="buffer"/>'s bytes asynchronously (already hashed by the base class).</summary>
    protected abstract ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Makes the written bytes durable and visible under <paramref name="digest"/>.</summary>
    protected abstract ValueTask CommitAsync(B3Digest digest, long length, CancellationToken cancellationToken);

    /// <summary>Discards what was written; called when the writer is disposed without being closed.</summary>
    protected abstract void Abort();

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("a blob writer cannot read");

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a blob writer cannot seek");

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException("a blob writer cannot change its length");

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            Abort();
        }
        base.Dispose(disposing);
    }

    private void EnsureOpen() => ObjectDisposedException.ThrowIf(_closed, this);
}
