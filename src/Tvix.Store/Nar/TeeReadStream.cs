using System.Security.Cryptography;

namespace Tvix.Store.Nar;

/// <summary>
/// A read-only view of a file's contents that copies every byte read into another stream (a blob
/// writer, or a queue in front of one) and optionally a hash, so one pass over a file both renders
/// its NAR and stores its blob.
/// </summary>
internal sealed class TeeReadStream(Stream inner, Stream copy, IncrementalHash? hash) : Stream
{
    public long BytesCopied { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            await copy.WriteAsync(buffer[..read], cancellationToken).ConfigureAwait(false);
            hash?.AppendData(buffer.Span[..read]);
            BytesCopied += read;
        }
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        if (read > 0)
        {
            copy.Write(buffer[..read]);
            hash?.AppendData(buffer[..read]);
            BytesCopied += read;
        }
        return read;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesCopied; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
