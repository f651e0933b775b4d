using System.Buffers;

namespace Tvix.NixCompat;

/// <summary>JSON string escaping as C++ Nix's JSON writer does it: bytes that are not ASCII are copied raw.</summary>
internal static class NixJson
{
    public static void WriteString(IBufferWriter<byte> w, ReadOnlySpan<byte> value)
    {
        var span = w.GetSpan(value.Length * 6 + 2);
        var i = 0;
        span[i++] = (byte)'"';
        foreach (var b in value)
        {
            switch (b)
            {
                case (byte)'"': span[i++] = (byte)'\\'; span[i++] = (byte)'"'; break;
                case (byte)'\\': span[i++] = (byte)'\\'; span[i++] = (byte)'\\'; break;
                case (byte)'\n': span[i++] = (byte)'\\'; span[i++] = (byte)'n'; break;
                case (byte)'\r': span[i++] = (byte)'\\'; span[i++] = (byte)'r'; break;
                case (byte)'\t': span[i++] = (byte)'\\'; span[i++] = (byte)'t'; break;
                case < 0x20:
                    const string hex = "0123456789abcdef";
                    span[i++] = (byte)'\\'; span[i++] = (byte)'u'; span[i++] = (byte)'0'; span[i++] = (byte)'0';
                    span[i++] = (byte)hex[b >> 4]; span[i++] = (byte)hex[b & 15];
                    break;
                default: span[i++] = b; break;
            }
        }
        span[i++] = (byte)'"';
        w.Advance(i);
    }

    public static void WriteRaw(IBufferWriter<byte> w, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(w.GetSpan(bytes.Length));
        w.Advance(bytes.Length);
    }

    public static void WriteNumber(IBufferWriter<byte> w, long value)
    {
        var span = w.GetSpan(24);
        value.TryFormat(span, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        w.Advance(written);
    }
}
