namespace Tvix.NixCompat;

/// <summary>
/// Nix's own base-32 encoding. The alphabet leaves out <c>e o u t</c>; the byte string is read as a
/// little-endian number and written most significant digit first, so the first character may hold
/// only a few bits. This is not RFC 4648 base32.
/// </summary>
public static class NixBase32
{
    /// <summary>The 32 digits, in value order.</summary>
    public const string Alphabet = "0123456789abcdfghijklmnpqrsvwxyz";

    // Value of each ASCII byte as a digit, or 0xFF for characters outside the alphabet.
    private static ReadOnlySpan<byte> DigitValues =>
    [
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
        // ` a  b  c  d  e  f  g  h  i  j  k  l  m  n  o
        255, 10, 11, 12, 13, 255, 14, 15, 16, 17, 18, 19, 20, 21, 22, 255,
        // p q  r  s  t  u  v  w  x  y  z
        23, 24, 25, 26, 255, 255, 27, 28, 29, 30, 31, 255, 255, 255, 255, 255,
    ];

    /// <summary>Number of characters that encode <paramref name="byteLength"/> bytes: ceil(8n/5).</summary>
    public static int EncodedLength(int byteLength) => byteLength == 0 ? 0 : (byteLength * 8 - 1) / 5 + 1;

    /// <summary>Encodes bytes as nixbase32 text.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var length = EncodedLength(bytes.Length);
        if (length == 0) return "";
        Span<char> chars = length <= 256 ? stackalloc char[length] : new char[length];
        Encode(bytes, chars);
        return new string(chars);
    }

    /// <summary>Encodes bytes into <paramref name="destination"/>, which must hold exactly <see cref="EncodedLength"/> characters.</summary>
    public static void Encode(ReadOnlySpan<byte> bytes, Span<char> destination)
    {
        var length = EncodedLength(bytes.Length);
        if (destination.Length != length) throw new ArgumentException("destination has the wrong length", nameof(destination));
        for (var n = length - 1; n >= 0; n--)
        {
            var bit = n * 5;
            var i = bit >> 3;
            var j = bit & 7;
            var c = bytes[i] >> j;
            if (i + 1 < bytes.Length) c |= bytes[i + 1] << (8 - j);
            destination[length - 1 - n] = Alphabet[c & 0x1f];
        }
    }

    /// <summary>Encodes bytes as nixbase32 into UTF-8 <paramref name="destination"/> of exactly <see cref="EncodedLength"/> bytes.</summary>
    public static void EncodeUtf8(ReadOnlySpan<byte> bytes, Span<byte> destination)
    {
        var length = EncodedLength(bytes.Length);
        if (destination.Length != length) throw new ArgumentException("destination has the wrong length", nameof(destination));
        for (var n = length - 1; n >= 0; n--)
        {
            var bit = n * 5;
            var i = bit >> 3;
            var j = bit & 7;
            var c = bytes[i] >> j;
            if (i + 1 < bytes.Length) c |= bytes[i + 1] << (8 - j);
            destination[length - 1 - n] = (byte)Alphabet[c & 0x1f];
        }
    }

    /// <summary>Decodes nixbase32 text into a new array of <paramref name="byteLength"/> bytes.</summary>
    /// <exception cref="NixFormatException">The text has the wrong length, a character outside the alphabet, or bits beyond the value's size.</exception>
    public static byte[] Decode(ReadOnlySpan<char> text, int byteLength)
    {
        var result = new byte[byteLength];
        if (!TryDecode(text, result))
            throw new NixFormatException($"invalid base-32 hash '{text}'");
        return result;
    }

    /// <summary>Decodes nixbase32 text whose length determines the byte length (the largest that fits).</summary>
    /// <exception cref="NixFormatException">The text is not valid nixbase32.</exception>
    public static byte[] Decode(ReadOnlySpan<char> text) => Decode(text, text.Length * 5 / 8);

    /// <summary>
    /// Decodes into <paramref name="destination"/>; false when the length does not match
    /// <see cref="EncodedLength"/> of the destination, a character is outside the alphabet, or the
    /// first character carries bits that do not fit (as Nix refuses).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        if (text.Length != EncodedLength(destination.Length)) return false;
        destination.Clear();
        for (var n = 0; n < text.Length; n++)
            if (!PlaceDigit(destination, n, text[text.Length - n - 1])) return false;
        return true;
    }

    /// <summary>Decodes UTF-8 nixbase32 text into <paramref name="destination"/>; see <see cref="TryDecode(ReadOnlySpan{char}, Span{byte})"/>.</summary>
    public static bool TryDecodeUtf8(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        if (text.Length != EncodedLength(destination.Length)) return false;
        destination.Clear();
        for (var n = 0; n < text.Length; n++)
            if (!PlaceDigit(destination, n, text[text.Length - n - 1])) return false;
        return true;
    }

    /// <summary>
    /// ORs the <paramref name="n"/>-th digit from the end (character <paramref name="ch"/>) into
    /// its 5 bits of <paramref name="destination"/>; false for a character outside the alphabet or
    /// bits that overflow the last byte. Shared by the char and UTF-8 decoders.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool PlaceDigit(Span<byte> destination, int n, int ch)
    {
        if (ch >= 128) return false;
        var digit = DigitValues[ch];
        if (digit == 255) return false;
        var bit = n * 5;
        var i = bit >> 3;
        var j = bit & 7;
        destination[i] |= (byte)(digit << j);
        var carry = digit >> (8 - j);
        if (i + 1 < destination.Length) destination[i + 1] |= (byte)carry;
        else if (carry != 0) return false;
        return true;
    }

    /// <summary>True when <paramref name="c"/> is one of the 32 digits.</summary>
    public static bool IsDigit(char c) => c < 128 && DigitValues[c] != 255;
}
