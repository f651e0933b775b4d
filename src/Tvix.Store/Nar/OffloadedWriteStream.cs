using System.Buffers;
using System.Threading.Channels;

namespace Tvix.Store.Nar;

/// <summary>
/// A write-only stream that hands what is written to another stream on a background task, in
/// order, through a small bounded queue of copies. Importing a NAR parses and SHA-256-hashes it on
/// one thread; a large file's blob is BLAKE3-hashed and written through this on another core, for
/// the price of one memory copy.
/// </summary>
/// <remarks>Call <see cref="CompleteAsync"/> before reading anything from the inner stream; a failure there surfaces on the next write or on completion.</remarks>
internal sealed class OffloadedWriteStream : Stream
{
    private const int QueueLength = 16; // pieces of at most 64 KiB (a NAR writer's flushes): 1 MiB in flight
    private readonly Channel<(byte[] Buffer, int Length)> _queue =
        Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(QueueLength) { SingleReader = true, SingleWriter = true });
    private readonly Stream _inner;
    private readonly Task _consumer;
    private long _written;

    public OffloadedWriteStream(Stream inner)
    {
        _inner = inner;
        _consumer = Task.Run(ConsumeAsync);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _written;

    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return;
        if (_consumer.IsFaulted) await _consumer.ConfigureAwait(false);
        var copy = ArrayPool<byte>.Shared.Rent(buffer.Length);
        buffer.CopyTo(copy);
        try
        {
            await _queue.Writer.WriteAsync((copy, buffer.Length), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ArrayPool<byte>.Shared.Return(copy);
            await _consumer.ConfigureAwait(false); // the consumer failed: its exception, not this one
            throw;
        }
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Waits until everything written has reached the inner stream.</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await _consumer.ConfigureAwait(false);
    }

    private async Task ConsumeAsync()
    {
        try
        {
            await foreach (var (buffer, length) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    _inner.Write(buffer, 0, length);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left)) ArrayPool<byte>.Shared.Return(left.Buffer);
            throw;
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Abandoned (an error elsewhere): stop the consumer and let it drain the queue.
            _queue.Writer.TryComplete();
            try
            {
                _consumer.GetAwaiter().GetResult();
            }
            catch (Exception)
            {
                // Already reported through a write or CompleteAsync, or of no interest after an error elsewhere.
            }
        }
        base.Dispose(disposing);
    }
}
