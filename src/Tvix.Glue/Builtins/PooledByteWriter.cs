using System.Buffers;

namespace Tvix.Glue.Builtins;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}"/>, for the scratch space of one builtin call
/// (coerced values, structured-attribute JSON, the ATerm): unlike <see cref="ArrayBufferWriter{T}"/>
/// it leaves no garbage behind. Dispose returns the array. Not an <see cref="IBufferWriter{T}"/>:
/// that interface lives in System.Memory.dll, which <c>derivationStrict</c> would then load.
/// </summary>
internal sealed class PooledByteWriter(int capacity = 1024) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public int WrittenCount { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, WrittenCount);

    public void Reset() => WrittenCount = 0;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        WrittenCount += bytes.Length;
    }

    public void Advance(int count) => WrittenCount += count;

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(WrittenCount);
    }

    public byte[] ToArray() => WrittenSpan.ToArray();

    private void Ensure(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - WrittenCount >= needed) return;
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, WrittenCount + needed));
        WrittenSpan.CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        WrittenCount = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}
