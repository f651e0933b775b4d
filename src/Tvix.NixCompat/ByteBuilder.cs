using System.Buffers;
using System.Text;

namespace Tvix.NixCompat;

/// <summary>
/// A growable byte buffer on <see cref="ArrayPool{T}"/> for building ATerms and fingerprints
/// without intermediate strings. Dispose returns the array to the pool. Not an
/// <see cref="IBufferWriter{T}"/>: that interface lives in System.Memory.dll, which every process
/// that makes a store path would then load for it alone.
/// </summary>
internal sealed class ByteBuilder : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public ByteBuilder(int capacity = 1024) => _buffer = ArrayPool<byte>.Shared.Rent(capacity);

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Clear() => _length = 0;

    public void Append(byte b)
    {
        if (_length == _buffer.Length) Grow(1);
        _buffer[_length++] = b;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _length < bytes.Length) Grow(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    /// <summary>Appends a string as UTF-8.</summary>
    public void Append(string text) => Append(text.AsSpan());

    /// <summary>Appends characters as UTF-8.</summary>
    public void Append(ReadOnlySpan<char> text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_buffer.Length - _length < max) Grow(max);
        _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
    }

    public void AppendHexLower(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _length < bytes.Length * 2) Grow(bytes.Length * 2);
        const string digits = "0123456789abcdef";
        var dest = _buffer.AsSpan(_length, bytes.Length * 2);
        for (var i = 0; i < bytes.Length; i++)
        {
            dest[2 * i] = (byte)digits[bytes[i] >> 4];
            dest[2 * i + 1] = (byte)digits[bytes[i] & 15];
        }
        _length += bytes.Length * 2;
    }

    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Advance(int count) => _length += count;

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        if (_buffer.Length - _length < Math.Max(sizeHint, 1)) Grow(Math.Max(sizeHint, 1));
        return _buffer.AsSpan(_length);
    }

    private void Grow(int needed)
    {
        var size = Math.Max(_buffer.Length * 2, _length + needed);
        var next = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = next;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}
