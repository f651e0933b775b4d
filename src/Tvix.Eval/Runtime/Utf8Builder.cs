using System.Globalization;
using System.Text;

namespace Tvix.Eval.Runtime;

/// <summary>
/// A growable UTF-8 byte buffer with the few appends the printer needs. Nix strings are bytes,
/// not text: printing goes through bytes so that a string holding invalid UTF-8 (half of a
/// multi-byte character from <c>substring</c>, a file's raw contents) prints byte for byte as
/// Nix prints it, instead of as U+FFFD.
/// </summary>
internal sealed class Utf8Builder
{
    private byte[] _buffer = new byte[256];
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public Utf8Builder Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Room(bytes.Length));
        _length += bytes.Length;
        return this;
    }

    public Utf8Builder Append(string text)
    {
        var room = Room(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, room);
        return this;
    }

    public Utf8Builder Append(char c)
    {
        if (c < 0x80)
        {
            Room(1)[0] = (byte)c;
            _length++;
            return this;
        }
        return Append(c.ToString());
    }

    public Utf8Builder Append(long value)
    {
        value.TryFormat(Room(20), out var written, default, CultureInfo.InvariantCulture);
        _length += written;
        return this;
    }

    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>The text, with invalid UTF-8 decoded as U+FFFD (for .NET callers and error messages).</summary>
    public override string ToString() => Encoding.UTF8.GetString(WrittenSpan);

    private Span<byte> Room(int size)
    {
        if (_buffer.Length - _length < size)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + size));
        return _buffer.AsSpan(_length);
    }
}
