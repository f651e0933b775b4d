using System.Buffers;
using System.Runtime.CompilerServices;

namespace Tvix.Eval.Support;

/// <summary>
/// A growable byte buffer for output whose size is not known in advance (<c>toJSON</c>,
/// <c>replaceStrings</c>, …). The scratch space is rented from <see cref="ArrayPool{T}.Shared"/>
/// and the result is copied once into an array of the exact size, so building a string of n
/// bytes allocates n bytes instead of the 2n–4n of doubling fresh arrays (which, for
/// multi-megabyte documents, are large-object or gen0-copied allocations).
/// </summary>
/// <remarks>A mutable struct: keep it in a local or a field, pass it by reference, and call
/// <see cref="Dispose"/> (in a <c>finally</c>) to return the scratch space.</remarks>
internal struct PooledByteWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public PooledByteWriter(int initialCapacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 16));
        _length = 0;
    }

    /// <summary>Number of bytes written.</summary>
    public readonly int Length => _length;

    /// <summary>The bytes written so far (valid until the next write).</summary>
    public readonly ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(byte b)
    {
        if (_length == _buffer.Length) Grow(1);
        _buffer[_length++] = b;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _length) Grow(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Room for at least <paramref name="size"/> bytes; commit them with <see cref="Advance"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int size)
    {
        if (size > _buffer.Length - _length) Grow(size);
        return _buffer.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    /// <summary>Forgets what was written, keeping the scratch space.</summary>
    public void Clear() => _length = 0;

    /// <summary>The written bytes in a new array of exactly their length.</summary>
    public readonly byte[] ToArray() => ToExactArray(WrittenSpan);

    /// <summary>Returns the scratch space to the pool; the writer must not be used afterwards.</summary>
    public void Dispose()
    {
        byte[]? buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer is { Length: > 0 }) ArrayPool<byte>.Shared.Return(buffer);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int needed)
    {
        var required = (long)_length + needed;
        if (required > Array.MaxLength) throw new OutOfMemoryException("string too long");
        var size = (int)Math.Min(Math.Max(required, (long)_buffer.Length * 2), Array.MaxLength);
        var next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(next);
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    /// <summary>
    /// A copy of <paramref name="bytes"/> in a new array. Large arrays are not zeroed first, since
    /// every byte is overwritten at once.
    /// </summary>
    public static byte[] ToExactArray(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return [];
        var result = NewArray(bytes.Length);
        bytes.CopyTo(result);
        return result;
    }

    /// <summary>A new array the caller overwrites completely (not zeroed when that saves time).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte[] NewArray(int length) =>
        length < 2048 ? new byte[length] : GC.AllocateUninitializedArray<byte>(length);
}
