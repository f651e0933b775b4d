using System.Buffers;
using System.Runtime.CompilerServices;

namespace Tvix.Eval.Support;

/// <summary>
/// An append-only byte buffer for output of unknown, possibly large size (<c>toJSON</c>,
/// <c>replaceStrings</c>, <c>toXML</c>) whose only product is one array of the exact size
/// (<see cref="ToArray"/>). The scratch space is a series of chunks rented from
/// <see cref="ArrayPool{T}.Shared"/>, growing to at most <see cref="MaxChunk"/>: nothing is copied
/// while writing, a document of n bytes costs n bytes of scratch on first use (reused from the
/// pool afterwards) plus its result, and no chunk is a large-object allocation.
/// </summary>
/// <remarks>A mutable struct: keep it in a local or a field, pass it by reference, and call
/// <see cref="Dispose"/> (in a <c>finally</c>) to return the chunks.</remarks>
internal struct ChunkedByteWriter : IDisposable
{
    private const int MaxChunk = 1 << 20;

    private byte[] _chunk;
    private int _used;
    // Earlier chunks with the number of bytes used in each (a chunk is left when a request for
    // contiguous space does not fit in it, so it may not be full).
    private List<(byte[] Chunk, int Used)>? _done;
    private long _doneLength;

    public ChunkedByteWriter(int initialCapacity)
    {
        _chunk = ArrayPool<byte>.Shared.Rent(Math.Clamp(initialCapacity, 16, MaxChunk));
        _used = 0;
    }

    /// <summary>Number of bytes written.</summary>
    public readonly long Length => _doneLength + _used;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(byte b)
    {
        if (_used == _chunk.Length) NextChunk(1);
        _chunk[_used++] = b;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        while (true)
        {
            var room = _chunk.Length - _used;
            if (bytes.Length <= room)
            {
                bytes.CopyTo(_chunk.AsSpan(_used));
                _used += bytes.Length;
                return;
            }
            bytes[..room].CopyTo(_chunk.AsSpan(_used));
            _used += room;
            bytes = bytes[room..];
            NextChunk(bytes.Length);
        }
    }

    /// <summary>Contiguous room for at least <paramref name="size"/> (small) bytes; commit them with <see cref="Advance"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int size)
    {
        if (size > _chunk.Length - _used) NextChunk(size);
        return _chunk.AsSpan(_used);
    }

    public void Advance(int count) => _used += count;

    /// <summary>The written bytes in a new array of exactly their length.</summary>
    public readonly byte[] ToArray()
    {
        var length = Length;
        if (length == 0) return [];
        if (length > Array.MaxLength) throw new OutOfMemoryException("string too long");
        var result = PooledByteWriter.NewArray((int)length);
        var at = 0;
        if (_done is { } done)
        {
            foreach (var (chunk, used) in done)
            {
                chunk.AsSpan(0, used).CopyTo(result.AsSpan(at));
                at += used;
            }
        }
        _chunk.AsSpan(0, _used).CopyTo(result.AsSpan(at));
        return result;
    }

    /// <summary>Returns the chunks to the pool; the writer must not be used afterwards.</summary>
    public void Dispose()
    {
        if (_done is { } done)
        {
            foreach (var (chunk, _) in done) ArrayPool<byte>.Shared.Return(chunk);
            _done = null;
        }
        byte[]? current = _chunk;
        _chunk = [];
        _used = 0;
        _doneLength = 0;
        if (current is { Length: > 0 }) ArrayPool<byte>.Shared.Return(current);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void NextChunk(int needed)
    {
        if (_doneLength + _used + needed > Array.MaxLength) throw new OutOfMemoryException("string too long");
        (_done ??= []).Add((_chunk, _used));
        _doneLength += _used;
        // Chunks grow with the output (so small outputs stay in one small chunk) up to MaxChunk.
        var size = (int)Math.Min(Math.Max(_doneLength, needed), MaxChunk);
        _chunk = ArrayPool<byte>.Shared.Rent(Math.Max(size, needed));
        _used = 0;
    }
}
