using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Tvix.Eval.Support.Json;

/// <summary>
/// Writes JSON text the way current C++ Nix's <c>builtins.toJSON</c> does (it serialises with
/// nlohmann/json): compact, strings escaped with <c>\" \\ \b \f \n \r \t</c> and <c>\u00xx</c> for
/// other control bytes, non-ASCII UTF-8 copied through and invalid UTF-8 rejected, floats in
/// the shortest form that reads back exactly (or, for older Nix, with 6 significant digits:
/// <see cref="JsonFloatStyle"/>). The caller walks the values and places separators; this type
/// only knows the token formats.
/// </summary>
internal sealed class NixJsonWriter : IDisposable
{
    // Scratch space from the array pool: a multi-megabyte document is copied out once, at its
    // final size (ToArray), instead of growing through a series of fresh arrays.
    private ChunkedByteWriter _out;
    private readonly JsonFloatStyle _floatStyle;

    public NixJsonWriter(int initialCapacity = 256, JsonFloatStyle floatStyle = JsonFloatStyle.ShortestRoundTrip)
    {
        _out = new ChunkedByteWriter(initialCapacity);
        _floatStyle = floatStyle;
    }

    /// <summary>The JSON written so far, in an array of its exact length.</summary>
    public byte[] ToArray() => _out.ToArray();

    /// <summary>Returns the scratch space to the pool.</summary>
    public void Dispose() => _out.Dispose();

    public void WriteNull() => WriteAscii("null"u8);

    public void WriteBoolean(bool value) => WriteAscii(value ? "true"u8 : "false"u8);

    public void WriteInteger(long value)
    {
        var span = _out.GetSpan(20);
        value.TryFormat(span, out var n, default, CultureInfo.InvariantCulture);
        _out.Advance(n);
    }

    /// <summary>A float in the writer's <see cref="JsonFloatStyle"/>.</summary>
    public void WriteFloat(double value)
    {
        var text = _floatStyle == JsonFloatStyle.SixSignificantDigits ? FormatFloatSixDigits(value) : FormatFloat(value);
        var span = _out.GetSpan(text.Length);
        for (var i = 0; i < text.Length; i++) span[i] = (byte)text[i];
        _out.Advance(text.Length);
    }

    public void StartObject() => WriteByte((byte)'{');

    public void EndObject() => WriteByte((byte)'}');

    public void StartArray() => WriteByte((byte)'[');

    public void EndArray() => WriteByte((byte)']');

    /// <summary>The ',' between two members or items.</summary>
    public void WriteSeparator() => WriteByte((byte)',');

    /// <summary>The ':' after a member name written with <see cref="WriteStringUnchecked"/>.</summary>
    public void WriteNameSeparator() => WriteByte((byte)':');

    /// <summary>A member name followed by ':'.</summary>
    public void WritePropertyName(ReadOnlySpan<byte> utf8Name)
    {
        WriteString(utf8Name);
        WriteByte((byte)':');
    }

    /// <summary>A string value; the bytes must be valid UTF-8.</summary>
    /// <exception cref="NixJsonException">The bytes are not valid UTF-8 (nlohmann's message).</exception>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        ValidateUtf8(utf8);
        WriteStringUnchecked(utf8);
    }

    /// <summary>
    /// Writes a string without checking its UTF-8 (for callers that check separately, to report
    /// the problem only after everything else succeeded, as Nix does when it dumps at the end).
    /// </summary>
    public void WriteStringUnchecked(ReadOnlySpan<byte> utf8)
    {
        var span = _out.GetSpan(utf8.Length + 2);
        var special = FirstToEscape(utf8);
        if (special < 0)
        {
            // The common case: nothing to escape, one copy.
            span[0] = (byte)'"';
            utf8.CopyTo(span[1..]);
            span[utf8.Length + 1] = (byte)'"';
            _out.Advance(utf8.Length + 2);
            return;
        }
        WriteByte((byte)'"');
        while (special >= 0)
        {
            WriteAscii(utf8[..special]);
            var b = utf8[special];
            switch (b)
            {
                case (byte)'"': WriteAscii("\\\""u8); break;
                case (byte)'\\': WriteAscii("\\\\"u8); break;
                case 0x08: WriteAscii("\\b"u8); break;
                case 0x0C: WriteAscii("\\f"u8); break;
                case (byte)'\n': WriteAscii("\\n"u8); break;
                case (byte)'\r': WriteAscii("\\r"u8); break;
                case (byte)'\t': WriteAscii("\\t"u8); break;
                default:
                    const string hex = "0123456789abcdef";
                    var u = _out.GetSpan(6);
                    "\\u00"u8.CopyTo(u);
                    u[4] = (byte)hex[b >> 4];
                    u[5] = (byte)hex[b & 0xF];
                    _out.Advance(6);
                    break;
            }
            utf8 = utf8[(special + 1)..];
            special = FirstToEscape(utf8);
        }
        WriteAscii(utf8);
        WriteByte((byte)'"');
    }

    /// <summary>
    /// The index of the first byte to escape (a control byte, '"' or '\\'), or -1: 16 bytes at a
    /// time, then byte by byte. This assembly's own code, so it is precompiled, where CoreLib's
    /// <c>IndexOfAny</c> with <c>SearchValues</c> was JIT-compiled (four methods) at the first
    /// long string of every process that writes JSON.
    /// </summary>
    private static int FirstToEscape(ReadOnlySpan<byte> utf8)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated && utf8.Length >= Vector128<byte>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(utf8);
            var space = Vector128.Create((byte)0x20);
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            for (; i <= utf8.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var v = Vector128.LoadUnsafe(ref start, (nuint)i);
                var hits = Vector128.LessThan(v, space) | Vector128.Equals(v, quote) | Vector128.Equals(v, backslash);
                if (hits != Vector128<byte>.Zero) return i + BitOperations.TrailingZeroCount(hits.ExtractMostSignificantBits());
            }
        }
        for (; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (b < 0x20 || b == (byte)'"' || b == (byte)'\\') return i;
        }
        return -1;
    }

    /// <summary>
    /// Checks UTF-8 as nlohmann/json's serialiser does and fails with its message: the index and
    /// value of the first byte that cannot continue a valid sequence, or the last byte when the
    /// string ends inside a sequence.
    /// </summary>
    public static void ValidateUtf8(ReadOnlySpan<byte> s)
    {
        // nlohmann's rules are exactly well-formed UTF-8 (RFC 3629): the vectorised check
        // answers for valid text, the loop below only finds where invalid text goes wrong.
        if (System.Text.Unicode.Utf8.IsValid(s)) return;
        var i = 0;
        while (i < s.Length)
        {
            var b = s[i];
            if (b < 0x80) { i++; continue; }
            int need;
            byte lo = 0x80, hi = 0xBF;
            if (b is >= 0xC2 and <= 0xDF) need = 1;
            else if (b == 0xE0) { need = 2; lo = 0xA0; }
            else if (b is >= 0xE1 and <= 0xEC or 0xEE or 0xEF) need = 2;
            else if (b == 0xED) { need = 2; hi = 0x9F; }
            else if (b == 0xF0) { need = 3; lo = 0x90; }
            else if (b is >= 0xF1 and <= 0xF3) need = 3;
            else if (b == 0xF4) { need = 3; hi = 0x8F; }
            else throw InvalidByte(i, b);
            i++;
            for (var k = 0; k < need; k++, i++)
            {
                if (i >= s.Length) throw new NixJsonException($"[json.exception.type_error.316] incomplete UTF-8 string; last byte: 0x{s[^1]:X2}");
                var c = s[i];
                if (c < lo || c > hi) throw InvalidByte(i, c);
                lo = 0x80;
                hi = 0xBF;
            }
        }
    }

    private static NixJsonException InvalidByte(int index, byte b) =>
        new($"[json.exception.type_error.316] invalid UTF-8 byte at index {index}: 0x{b:X2}");

    /// <summary>
    /// The float format of Nix before 2.12, a C++ stream's default (<c>%g</c>, 6 significant
    /// digits, no JSON special case for non-finite values): <c>1</c>, <c>100000</c>, <c>1e+06</c>,
    /// <c>0.333333</c>, <c>1.5e-07</c>, <c>inf</c>, <c>-nan</c>.
    /// </summary>
    public static string FormatFloatSixDigits(double value)
    {
        if (double.IsNaN(value)) return double.IsNegative(value) ? "-nan" : "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        // .NET's G6 follows %g's rules (fixed notation for exponents -5 < e < 6, trailing zeros
        // dropped, at least two exponent digits); only the exponent letter differs.
        return value.ToString("G6", CultureInfo.InvariantCulture).Replace('E', 'e');
    }

    /// <summary>
    /// nlohmann/json's float format: the shortest round-trip digits, written plainly with a
    /// trailing <c>.0</c> when the decimal point falls within 15 digits (<c>100000.0</c>,
    /// <c>1.44</c>, <c>0.0001</c>), otherwise as <c>d.ddde+XX</c> with at least two exponent digits
    /// (<c>1e+20</c>, <c>1e-05</c>).
    /// </summary>
    public static string FormatFloat(double value)
    {
        if (!double.IsFinite(value)) return "null";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";
        // "E16" is not shortest; "R" is. Parse .NET's shortest form into digits and exponent.
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        if (negative) r = r[1..];
        var exponent = 0;
        var e = r.IndexOf('E');
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var dot = r.IndexOf('.');
        string digits;
        if (dot >= 0)
        {
            digits = r[..dot] + r[(dot + 1)..];
            exponent -= r.Length - dot - 1;
        }
        else
        {
            digits = r;
        }
        // Strip leading zeros (0.001 → "0001") and trailing zeros (100 → "1", exponent 2).
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') lead++;
        digits = digits[lead..];
        var trail = digits.Length;
        while (trail > 1 && digits[trail - 1] == '0') trail--;
        exponent += digits.Length - trail;
        digits = digits[..trail];

        var k = digits.Length;
        var n = k + exponent; // position of the decimal point relative to the digits
        const int minExp = -4, maxExp = 15;
        var sb = new System.Text.StringBuilder(32);
        if (negative) sb.Append('-');
        if (k <= n && n <= maxExp)
        {
            sb.Append(digits).Append('0', n - k).Append(".0");
        }
        else if (0 < n && n <= maxExp)
        {
            sb.Append(digits, 0, n).Append('.').Append(digits, n, k - n);
        }
        else if (minExp < n && n <= 0)
        {
            sb.Append("0.").Append('0', -n).Append(digits);
        }
        else
        {
            sb.Append(digits[0]);
            if (k > 1) sb.Append('.').Append(digits, 1, k - 1);
            var exp = n - 1;
            sb.Append('e').Append(exp < 0 ? '-' : '+');
            var abs = Math.Abs(exp);
            if (abs < 10) sb.Append('0');
            sb.Append(abs.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    private void WriteByte(byte b) => _out.Write(b);

    private void WriteAscii(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        _out.Write(bytes);
    }
}
