using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Google.Protobuf;
using Tvix.CAStore.Hashing;

namespace Tvix.CAStore;

/// <summary>
/// A 32-byte BLAKE3 digest: the address of a blob (its raw contents) or of a directory (its
/// canonical protobuf encoding). Printed the way Tvix prints digests: <c>b3:</c> followed by
/// standard, padded base64.
/// </summary>
public readonly struct B3Digest : IEquatable<B3Digest>, IComparable<B3Digest>
{
    /// <summary>Length of a digest in bytes.</summary>
    public const int Length = 32;

    /// <summary>The prefix of the text form.</summary>
    public const string Prefix = "b3:";

    // Four big-endian words: equality and hashing are word compares, ordering is bytewise.
    private readonly ulong _a, _b, _c, _d;

    /// <summary>A digest from its 32 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public B3Digest(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"a BLAKE3 digest is {Length} bytes, not {bytes.Length}", nameof(bytes));
        _a = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    /// <summary>The digest of the empty byte string: the empty blob, and the empty directory.</summary>
    public static B3Digest Empty { get; } = Compute([]);

    /// <summary>BLAKE3 of <paramref name="data"/>.</summary>
    public static B3Digest Compute(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[Length];
        Blake3.Hash(data, hash);
        return new B3Digest(hash);
    }

    /// <summary>A digest from a protobuf <c>bytes</c> field.</summary>
    /// <exception cref="ArgumentException">The field is not 32 bytes long.</exception>
    public static B3Digest FromByteString(ByteString bytes) => new(bytes.Span);

    /// <summary>Reads a digest if <paramref name="bytes"/> is exactly 32 bytes long.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out B3Digest digest)
    {
        digest = bytes.Length == Length ? new B3Digest(bytes) : default;
        return bytes.Length == Length;
    }

    /// <summary>Writes the 32 bytes to <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < Length) throw new ArgumentException("destination is shorter than 32 bytes", nameof(destination));
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    /// <summary>The 32 bytes as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>The 32 bytes as a protobuf <c>bytes</c> value.</summary>
    public ByteString ToByteString() => UnsafeByteOperations.UnsafeWrap(ToArray());

    /// <summary>Lower-case hexadecimal, 64 characters (used for file names in the local store).</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>The Tvix text form: <c>b3:</c> and standard padded base64 of the 32 bytes.</summary>
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        CopyTo(bytes);
        return Prefix + Convert.ToBase64String(bytes);
    }

    /// <summary>
    /// Parses <c>b3:</c>+base64 (what <see cref="ToString"/> prints), bare base64 (44 characters)
    /// or hexadecimal (64 characters).
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out B3Digest digest)
    {
        digest = default;
        if (text is null) return false;
        var s = text.AsSpan();
        if (s.StartsWith(Prefix, StringComparison.Ordinal)) s = s[Prefix.Length..];
        Span<byte> bytes = stackalloc byte[Length + 3];
        if (s.Length == 2 * Length)
        {
            if (Convert.FromHexString(s, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Length) return false;
        }
        else if (s.Length == 44)
        {
            if (!Convert.TryFromBase64Chars(s, bytes, out var written) || written != Length) return false;
        }
        else
        {
            return false;
        }
        digest = new B3Digest(bytes[..Length]);
        return true;
    }

    /// <summary>Like <see cref="TryParse"/>, throwing a <see cref="FormatException"/> that names the accepted forms.</summary>
    public static B3Digest Parse(string text) => TryParse(text, out var d)
        ? d
        : throw new FormatException($"'{text}' is not a BLAKE3 digest (expected b3:<base64>, 44 base64 characters or 64 hex digits)");

    /// <inheritdoc/>
    public bool Equals(B3Digest other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is B3Digest other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)_d ^ (int)(_d >> 32); // uniformly random bits already

    /// <summary>Orders digests by their bytes.</summary>
    public int CompareTo(B3Digest other)
    {
        var c = _a.CompareTo(other._a);
        if (c != 0) return c;
        c = _b.CompareTo(other._b);
        if (c != 0) return c;
        c = _c.CompareTo(other._c);
        return c != 0 ? c : _d.CompareTo(other._d);
    }

    /// <summary>Equality of the 32 bytes.</summary>
    public static bool operator ==(B3Digest left, B3Digest right) => left.Equals(right);

    /// <summary>Inequality of the 32 bytes.</summary>
    public static bool operator !=(B3Digest left, B3Digest right) => !left.Equals(right);
}
