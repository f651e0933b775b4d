using System.Text;

namespace Tvix.NixCompat;

/// <summary>
/// An immutable string of bytes, compared and ordered byte by byte (as C++ <c>std::string</c>).
/// Nix strings are bytes, not text: derivation environment values may hold Latin-1 or any other
/// bytes, and they must survive parsing and printing unchanged.
/// </summary>
public readonly struct ByteString : IEquatable<ByteString>, IComparable<ByteString>
{
    // The bytes are _array[_offset.._offset + _length] (a whole array, or part of one shared
    // with other strings: a host that builds many short values may pack them into one buffer).
    private readonly byte[]? _array;
    private readonly int _offset;
    private readonly int _length;

    /// <summary>
    /// Wraps an array without copying it; the caller gives up the right to change it.
    /// </summary>
    public ByteString(byte[] bytes)
    {
        _array = bytes;
        _length = bytes.Length;
    }

    /// <summary>
    /// Wraps part of an array without copying it; the caller gives up the right to change that part.
    /// </summary>
    public ByteString(byte[] array, int offset, int length)
    {
        ArgumentNullException.ThrowIfNull(array);
        if ((uint)offset > (uint)array.Length || (uint)length > (uint)(array.Length - offset)) throw new ArgumentOutOfRangeException(nameof(length));
        _array = array;
        _offset = offset;
        _length = length;
    }

    /// <summary>The empty string.</summary>
    public static ByteString Empty => default;

    /// <summary>Copies bytes into a new byte string.</summary>
    public static ByteString CopyFrom(ReadOnlySpan<byte> bytes) => new(bytes.ToArray());

    /// <summary>The UTF-8 bytes of a .NET string.</summary>
    public static ByteString FromUtf8(string text) => new(Encoding.UTF8.GetBytes(text));

    /// <summary>The UTF-8 bytes of a .NET string.</summary>
    public static implicit operator ByteString(string text) => FromUtf8(text);

    /// <summary>The bytes.</summary>
    public ReadOnlySpan<byte> Span => _array is null ? default : new ReadOnlySpan<byte>(_array, _offset, _length);

    /// <summary>The bytes.</summary>
    public ReadOnlyMemory<byte> Memory => _array is null ? default : new ReadOnlyMemory<byte>(_array, _offset, _length);

    /// <summary>Number of bytes.</summary>
    public int Length => _length;

    /// <summary>True when the bytes are valid UTF-8.</summary>
    public bool IsValidUtf8 => System.Text.Unicode.Utf8.IsValid(Span);

    /// <summary>The bytes decoded as UTF-8 (invalid sequences become U+FFFD).</summary>
    public override string ToString() => Encoding.UTF8.GetString(Span);

    /// <inheritdoc />
    public bool Equals(ByteString other) => Span.SequenceEqual(other.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ByteString other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Span);
        return hash.ToHashCode();
    }

    /// <summary>Bytewise (unsigned) ordering.</summary>
    public int CompareTo(ByteString other) => Span.SequenceCompareTo(other.Span);

    /// <summary>Byte equality.</summary>
    public static bool operator ==(ByteString left, ByteString right) => left.Equals(right);

    /// <summary>Byte inequality.</summary>
    public static bool operator !=(ByteString left, ByteString right) => !left.Equals(right);
}
