using System.Buffers.Binary;
using System.Runtime.ExceptionServices;
using Tvix.CAStore.Services;

namespace Tvix.Store.Nar;

/// <summary>
/// Builds a NAR in large chunks that two threads of its own take in order: one writes them to a
/// stream (the NAR's hash), the other does the work riding along with them (hashing and writing
/// blobs), so hashing the NAR, hashing the blobs and reading the files run side by side. The
/// producer formats tokens here and reads file contents straight into <see cref="Free"/>: each
/// byte of a file is read once, into the chunk that the blob writer and the NAR hash then both
/// take it from.
/// </summary>
/// <remarks>
/// <para>Work rides along with a chunk: a slice of it for a blob writer (<see cref="AdvanceInto"/>)
/// and actions run after the slices before them (<see cref="AfterConsumed"/>), all on the work
/// thread, in order. Why three threads on what may be two cores: SHA-256 of the NAR is the one
/// piece of work that cannot be split, and the others (reading, BLAKE3, copying into the store's
/// buffers) weigh differently in different parts of a tree (large files: hashing; many small
/// ones: reading and creating files); as separate threads the scheduler keeps both cores busy
/// whatever the mix, where a fixed split leaves one core waiting for the other.</para>
/// A few chunks of 1 MiB circulate between the threads: a hand-over per MiB rather than per
/// file or per 64 KiB piece, with a plain monitor (no thread-pool hops, no async wake-ups); a chunk
/// is free again once both threads are done with it.
/// Single producer. <see cref="Complete"/> waits until everything has reached the stream and
/// rethrows the first failure (of either thread); a failure also surfaces at the producer's next
/// hand-over. After a failure (or when the pipe is disposed before completion) nothing more is
/// hashed or written, but every action still runs, told so, to release what it holds.
/// </remarks>
internal sealed class NarChunkPipe : IDisposable
{
    private const int ChunkSize = 1 << 20;
    // One being filled, the others queued or being taken; more than one per thread, so that the
    // slower one can fall behind by a few chunks without holding up the producer.
    private const int ChunkCount = 6;
    private static readonly byte[] Zeros = new byte[8];
    private readonly Stream _target;
    private readonly object _gate = new();
    private readonly Queue<Chunk> _toHash = new(); // chunks the hashing thread has still to write to the stream
    private readonly Queue<Chunk> _toWork = new(); // chunks with work the work thread has still to do
    private readonly Stack<Chunk> _empty = new();
    // Started at the first hand-over: a NAR that fits in one chunk (most paths an evaluation adds)
    // is hashed on the caller's thread, without threads or more chunks.
    private Thread? _hasher;
    private Thread? _worker;
    // Every chunk made, so that their pooled buffers go back once the consumers are done.
    private readonly List<Chunk> _chunks = new(ChunkCount);
    private Chunk? _chunk; // null only after a failed hand-over
    private int _length;
    private bool _completed;
    private bool _abandoned; // disposed before completion: consume nothing more
    private ExceptionDispatchInfo? _failure;

    public NarChunkPipe(Stream target)
    {
        _target = target;
        _chunk = NewChunk();
        Token("nix-archive-1"u8);
    }

    /// <summary>The free part of the current chunk (never empty): read contents into it, then call <see cref="Advance"/>.</summary>
    public Span<byte> Free
    {
        get
        {
            if (_length == ChunkSize) HandOver();
            return _chunk!.Bytes.AsSpan(_length, ChunkSize - _length);
        }
    }

    /// <summary>The caller put <paramref name="count"/> bytes at the start of <see cref="Free"/>.</summary>
    public void Advance(int count) => _length += count;

    /// <summary>
    /// Like <see cref="Advance"/>, and the consumer also writes these bytes to <paramref name="writer"/>
    /// (after the ones given before); the writer belongs to the consumer until an action of
    /// <see cref="AfterConsumed"/> takes it back.
    /// </summary>
    public void AdvanceInto(BlobWriter writer, int count)
    {
        _chunk!.Work.Add(new Work(writer, _length, count, null));
        Advance(count);
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the consumer's thread once everything before it is consumed;
    /// its argument tells whether that failed or was abandoned (then nothing was written for it).
    /// </summary>
    public void AfterConsumed(Action<bool> action)
    {
        // After a failed hand-over the consumer writes nothing more: the action can run now.
        if (_chunk is null) action(true);
        else _chunk.Work.Add(new Work(null, 0, 0, action));
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

    /// <summary>Hands over what is left and waits until the consumers have done everything; rethrows the first failure.</summary>
    public void Complete()
    {
        if (_hasher is null && _chunk is { } only)
        {
            // Everything fits in the first chunk: hash it and do its work here.
            only.Length = _length;
            lock (_gate) _completed = true;
            Hash(only, skip: false);
            DoWork(only, skip: _failure is not null);
            ReturnBuffers();
            _failure?.Throw();
            return;
        }
        if (_length > 0 || _chunk is { Work.Count: > 0 }) HandOver();
        Finish();
        _failure?.Throw();
    }

    /// <summary>Stops the consumers; before completion (a failure elsewhere), nothing more is consumed and the actions are told so.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_completed) return;
            _abandoned = true;
            // The current chunk's actions still have to run (told the work was abandoned).
            if (_chunk is { Work.Count: > 0 } chunk)
            {
                chunk.Holders = 1;
                _toWork.Enqueue(chunk);
            }
            _chunk = null;
        }
        Finish();
    }

    private void Finish()
    {
        lock (_gate)
        {
            if (_completed) return;
            _completed = true;
            Monitor.PulseAll(_gate);
        }
        if (_hasher is null)
        {
            // Disposed before any hand-over: the actions of the one chunk still run, told so.
            if (_toWork.Count > 0) DoWork(_toWork.Dequeue(), skip: true);
        }
        else
        {
            _hasher.Join();
            _worker!.Join();
        }
        ReturnBuffers();
    }

    private Chunk NewChunk()
    {
        var chunk = new Chunk();
        _chunks.Add(chunk);
        return chunk;
    }

    /// <summary>Gives the chunks' buffers back to the pool; only once nothing uses them (the consumers have exited).</summary>
    private void ReturnBuffers()
    {
        foreach (var chunk in _chunks) chunk.Release();
        _chunks.Clear();
    }

    /// <summary>Queues the current chunk for both consumers and takes an empty one, waiting while all are in use.</summary>
    private void HandOver()
    {
        var chunk = _chunk!;
        chunk.Length = _length;
        lock (_gate)
        {
            _failure?.Throw(); // the chunk stays ours: disposing hands its actions over
            _toHash.Enqueue(chunk);
            chunk.Holders = 1;
            if (chunk.Work.Count > 0)
            {
                _toWork.Enqueue(chunk);
                chunk.Holders = 2;
            }
            _chunk = null;
            _length = 0;
            if (_hasher is null)
            {
                _hasher = new Thread(() => Consume(hashing: true)) { IsBackground = true, Name = "NAR hash" };
                _worker = new Thread(() => Consume(hashing: false)) { IsBackground = true, Name = "NAR blobs" };
                _hasher.Start();
                _worker.Start();
            }
            Monitor.PulseAll(_gate);
            if (_empty.Count == 0 && _chunks.Count < ChunkCount) _empty.Push(NewChunk());
            while (_empty.Count == 0)
            {
                Monitor.Wait(_gate);
                _failure?.Throw();
            }
            _chunk = _empty.Pop();
        }
    }

    /// <summary>One consumer's loop: the hashing thread's (<paramref name="hashing"/>) or the work thread's.</summary>
    private void Consume(bool hashing)
    {
        var queue = hashing ? _toHash : _toWork;
        while (true)
        {
            Chunk chunk;
            bool skip;
            lock (_gate)
            {
                while (queue.Count == 0)
                {
                    if (_completed) return;
                    Monitor.Wait(_gate);
                }
                chunk = queue.Dequeue();
                skip = _failure is not null || _abandoned;
            }
            if (hashing) Hash(chunk, skip);
            else DoWork(chunk, skip);
            lock (_gate)
            {
                if (--chunk.Holders > 0) continue;
                _empty.Push(chunk);
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Writes one chunk to the stream (unless <paramref name="skip"/>).</summary>
    private void Hash(Chunk chunk, bool skip)
    {
        if (skip) return;
        try
        {
            _target.Write(chunk.Bytes, 0, chunk.Length);
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    /// <summary>Does the work riding along with a chunk (only acting on failures when <paramref name="skip"/>).</summary>
    private void DoWork(Chunk chunk, bool skip)
    {
        foreach (var work in chunk.Work)
        {
            try
            {
                if (work.Then is { } then) then(skip);
                else if (!skip) work.Writer!.Write(chunk.Bytes.AsSpan(work.Start, work.Length));
            }
            catch (Exception e)
            {
                Fail(e);
                skip = true;
            }
        }
        chunk.Work.Clear();
    }

    private void Fail(Exception e)
    {
        lock (_gate)
        {
            _failure ??= ExceptionDispatchInfo.Capture(e);
            Monitor.PulseAll(_gate); // a producer waiting for a chunk rethrows it
        }
    }

    /// <summary>A slice for a blob writer (<see cref="Then"/> null) or an action.</summary>
    // A class, not a value type: a list of a value type is framework generic code ReadyToRun cannot
    // precompile (JIT-compiled on every run, twice when hot); an allocation per file slice costs less.
    private sealed record Work(BlobWriter? Writer, int Start, int Length, Action<bool>? Then);

    private sealed class Chunk
    {
        // Pooled: a store add per path an evaluation copies would otherwise allocate a mebibyte.
        public byte[] Bytes { get; private set; } = System.Buffers.ArrayPool<byte>.Shared.Rent(ChunkSize);

        public void Release()
        {
            if (Bytes.Length == 0) return;
            System.Buffers.ArrayPool<byte>.Shared.Return(Bytes);
            Bytes = [];
        }

        public int Length { get; set; }
        public int Holders { get; set; } // consumers that still have it (under the gate)
        public List<Work> Work { get; } = [];
    }
}
