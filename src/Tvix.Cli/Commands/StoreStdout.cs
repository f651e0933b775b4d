namespace Tvix.Cli.Commands;

/// <summary>
/// Standard output for commands that stream a lot of bytes (a NAR): asynchronous writes are done
/// inline. The console stream completes them on the thread pool, a hop per 64 KiB that costs
/// more than the write(2) itself when dumping a large tree.
/// </summary>
internal sealed class StoreStdout(Stream stdout) : Stream
{
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => stdout.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => stdout.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        try
        {
            stdout.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => stdout.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        stdout.Flush();
        return Task.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) stdout.Dispose();
        base.Dispose(disposing);
    }
}
