namespace Tvix.NixCompat.Nar;

/// <summary>A read-only view of one file's contents inside a NAR being read.</summary>
internal sealed class NarContentsStream(NarInput nar, long length) : Stream
{
    private readonly long _length = length;

    public long Remaining { get; private set; } = length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _length - Remaining;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Remaining == 0 || buffer.Length == 0) return 0;
        if (buffer.Length > Remaining) buffer = buffer[..(int)Remaining];
        var read = await nar.ReadContentsAsync(buffer, cancellationToken).ConfigureAwait(false);
        Remaining -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
