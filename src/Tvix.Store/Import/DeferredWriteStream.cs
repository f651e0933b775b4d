namespace Tvix.Store.Import;

/// <summary>
/// A write-only stream that makes the stream it writes to at the first write, on the writing
/// thread: a tree add's NAR hash is written by the pipe's hashing thread, so making the hash there
/// moves the one-time load of the hash library (OpenSSL, ~10 ms) off the thread that starts the walk.
/// </summary>
internal sealed class DeferredWriteStream(Func<Stream> create) : Stream
{
    private Stream? _target;

    /// <summary>The stream written to, made now if nothing was written yet.</summary>
    public Stream Target => _target ??= create();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Target.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => Target.Write(buffer);

    public override void Flush() => _target?.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
