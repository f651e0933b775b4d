namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// A read-only file stream whose asynchronous reads run inline. On Unix, .NET performs every
/// asynchronous file read as a synchronous read on a thread-pool thread; for a local store,
/// whose reads mostly come from the page cache in microseconds, that hop costs more than the read
/// and makes streaming a large tree (a NAR dump, an export) mostly scheduling overhead.
/// </summary>
internal sealed class InlineReadStream(FileStream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<int>(cancellationToken);
        try
        {
            return ValueTask.FromResult(inner.Read(buffer.Span));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("a read-only stream cannot change its length");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("a read-only stream cannot be written");

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        inner.Dispose();
        return base.DisposeAsync();
    }
}
