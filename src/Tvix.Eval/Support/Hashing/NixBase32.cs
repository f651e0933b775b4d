namespace Tvix.Eval.Support.Hashing;

/// <summary>
/// Nix's base-32 ("nix32"): alphabet without e, o, u, t; the digest is read as a little-endian
/// number 5 bits at a time and the digits are written most significant first. (Tvix.Eval does
/// not reference Tvix.NixCompat, so it has its own copy of this small codec.)
/// </summary>
internal static class NixBase32
{
    private const string Alphabet = "0123456789abcdfghijklmnpqrsvwxyz";

    /// <summary>Length of the encoding of <paramref name="byteCount"/> bytes.</summary>
    public static int EncodedLength(int byteCount) => byteCount == 0 ? 0 : (byteCount * 8 - 1) / 5 + 1;

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var length = EncodedLength(bytes.Length);
        var chars = new char[length];
        for (var n = length - 1; n >= 0; n--)
        {
            var bit = n * 5;
            int i = bit / 8, j = bit % 8;
            var c = bytes[i] >> j;
            if (i + 1 < bytes.Length) c |= bytes[i + 1] << (8 - j);
            chars[length - 1 - n] = Alphabet[c & 0x1F];
        }
        return new string(chars);
    }

    /// <summary>Decodes into exactly <paramref name="byteCount"/> bytes; false on a bad digit or overflow.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, int byteCount, out byte[] bytes)
    {
        bytes = new byte[byteCount];
        for (var n = 0; n < text.Length; n++)
        {
            var digit = Alphabet.IndexOf(text[text.Length - n - 1]);
            if (digit < 0) return false;
            var bit = n * 5;
            int i = bit / 8, j = bit % 8;
            if (i >= byteCount) return false;
            bytes[i] |= (byte)(digit << j);
            var carry = digit >> (8 - j);
            if (i + 1 < byteCount) bytes[i + 1] |= (byte)carry;
            else if (carry != 0) return false;
        }
        return true;
    }
}
