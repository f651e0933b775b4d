using System.Buffers.Binary;
using System.Runtime.ExceptionServices;

namespace Tvix.Store.Nar;

/// <summary>
/// Builds a NAR in large chunks that a thread of its own writes to a stream (the NAR's hash) in
/// order, so hashing the NAR runs on another core than reading and storing the files. The producer
/// formats tokens here and reads file contents straight into <see cref="Free"/>: each byte of a file
/// is read once, into the chunk that the blob writer and the NAR hash then both take it from.
/// </summary>
/// <remarks>
/// A few chunks of 1 MiB circulate between the two threads: a hand-over per MiB rather than per
/// file or per 64 KiB piece, with a plain monitor (no thread-pool hops, no async wake-ups).
/// Single producer. <see cref="Complete"/> waits until everything has reached the stream and
/// rethrows the consumer's failure; a failure also surfaces at the producer's next hand-over.
/// </remarks>
internal sealed class NarChunkPipe : IDisposable
{
    private const int ChunkSize = 1 << 20;
    private const int ChunkCount = 4; // one being filled, up to three queued or being hashed
    private static readonly byte[] Zeros = new byte[8];
    private readonly Stream _target;
    private readonly object _gate = new();
    private readonly Queue<(byte[] Chunk, int Length)> _full = new();
    private readonly Stack<byte[]> _empty = new();
    private readonly Thread _consumer;
    private byte[] _chunk;
    private int _length;
    private bool _completed;
    private ExceptionDispatchInfo? _failure;

    public NarChunkPipe(Stream target)
    {
        _target = target;
        for (var i = 1; i < ChunkCount; i++) _empty.Push(new byte[ChunkSize]);
        _chunk = new byte[ChunkSize];
        _consumer = new Thread(Consume) { IsBackground = true, Name = "NAR hash" };
        _consumer.Start();
        Token("nix-archive-1"u8);
    }

    /// <summary>NAR bytes produced so far.</summary>
    public long Length { get; private set; }

    /// <summary>The free part of the current chunk (never empty): read contents into it, then call <see cref="Advance"/>.</summary>
    public Span<byte> Free
    {
        get
        {
            if (_length == ChunkSize) HandOver();
            return _chunk.AsSpan(_length);
        }
    }

    /// <summary>The caller put <paramref name="count"/> bytes at the start of <see cref="Free"/>.</summary>
    public void Advance(int count)
    {
        _length += count;
        Length += count;
    }

    /// <summary>Appends bytes (copied).</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var free = Free;
            var n = Math.Min(free.Length, bytes.Length);
            bytes[..n].CopyTo(free);
            Advance(n);
            bytes = bytes[n..];
        }
    }

    /// <summary>A little-endian 64-bit number, as NAR lengths are written.</summary>
    public void UInt64(ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        Write(bytes);
    }

    /// <summary>The zero bytes that pad <paramref name="length"/> bytes to a multiple of 8.</summary>
    public void Padding(long length)
    {
        var pad = (int)(-length & 7);
        if (pad != 0) Write(Zeros.AsSpan(0, pad));
    }

    /// <summary>A NAR string: its length, its bytes, padding.</summary>
    public void Token(ReadOnlySpan<byte> value)
    {
        UInt64((ulong)value.Length);
        Write(value);
        Padding(value.Length);
    }

    /// <summary>Hands over what is left and waits until the consumer has written everything; rethrows its failure.</summary>
    public void Complete()
    {
        if (_length > 0) HandOver();
        Finish();
        _failure?.Throw();
    }

    /// <summary>Stops the consumer (after a failure elsewhere, what is queued is still consumed and then dropped).</summary>
    public void Dispose() => Finish();

    private void Finish()
    {
        lock (_gate)
        {
            if (_completed) return;
            _completed = true;
            Monitor.PulseAll(_gate);
        }
        _consumer.Join();
    }

    /// <summary>Queues the current chunk and takes an empty one, waiting while all are in use.</summary>
    private void HandOver()
    {
        lock (_gate)
        {
            _failure?.Throw();
            _full.Enqueue((_chunk, _length));
            Monitor.PulseAll(_gate);
            while (_empty.Count == 0)
            {
                Monitor.Wait(_gate);
                _failure?.Throw();
            }
            _chunk = _empty.Pop();
        }
        _length = 0;
    }

    private void Consume()
    {
        while (true)
        {
            (byte[] Chunk, int Length) item;
            lock (_gate)
            {
                while (_full.Count == 0)
                {
                    if (_completed || _failure is not null) return;
                    Monitor.Wait(_gate);
                }
                item = _full.Dequeue();
            }
            try
            {
                if (_failure is null) _target.Write(item.Chunk, 0, item.Length);
            }
            catch (Exception e)
            {
                lock (_gate) _failure = ExceptionDispatchInfo.Capture(e);
            }
            lock (_gate)
            {
                _empty.Push(item.Chunk);
                Monitor.PulseAll(_gate);
            }
        }
    }
}
