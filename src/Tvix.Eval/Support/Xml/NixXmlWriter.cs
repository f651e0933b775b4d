using System.Globalization;
using System.Text;

namespace Tvix.Eval.Support.Xml;

/// <summary>
/// The XML text layout of C++ Nix's <c>builtins.toXML</c> and <c>nix-instantiate --xml</c>: an
/// XML declaration, elements indented by two spaces per level, one per line, attributes in
/// name order with <c>" &lt; &gt; &amp;</c> and newline escaped (nothing else: other control
/// bytes and non-ASCII bytes are copied as they are).
/// </summary>
/// <remarks>
/// The text goes into pooled chunks and is copied once into the result (<see cref="ChunkedByteWriter"/>):
/// a NixOS system's option documentation is a 10 MB document, which a doubling buffer built from
/// five large-object arrays of 1 to 16 MB, enough to set off a full collection.
/// </remarks>
internal sealed class NixXmlWriter : IDisposable
{
    private ChunkedByteWriter _out = new(256);
    private readonly Stack<string> _open = new();

    public NixXmlWriter() => WriteAscii("<?xml version='1.0' encoding='utf-8'?>\n");

    /// <summary>Returns the chunks to the pool.</summary>
    public void Dispose() => _out.Dispose();

    /// <summary>Opens <c>&lt;name attrs&gt;</c> on its own line.</summary>
    public void Open(string name, params ReadOnlySpan<XmlAttr> attrs)
    {
        Indent();
        WriteAscii("<");
        WriteAscii(name);
        WriteAttrs(attrs);
        WriteAscii(">\n");
        _open.Push(name);
    }

    /// <summary>Closes the innermost open element.</summary>
    public void Close()
    {
        var name = _open.Pop();
        Indent();
        WriteAscii("</");
        WriteAscii(name);
        WriteAscii(">\n");
    }

    /// <summary>Writes <c>&lt;name attrs /&gt;</c> on its own line.</summary>
    public void Empty(string name, params ReadOnlySpan<XmlAttr> attrs)
    {
        Indent();
        WriteAscii("<");
        WriteAscii(name);
        WriteAttrs(attrs);
        WriteAscii(" />\n");
    }

    /// <summary>Closes everything still open and returns the document.</summary>
    public byte[] Finish()
    {
        while (_open.Count > 0) Close();
        return _out.ToArray();
    }

    private void WriteAttrs(ReadOnlySpan<XmlAttr> attrs)
    {
        // Nix keeps attributes in a std::map, so they come out sorted by name.
        Span<int> order = attrs.Length <= 8 ? stackalloc int[attrs.Length] : new int[attrs.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        for (var i = 1; i < order.Length; i++)
        {
            for (var j = i; j > 0 && string.CompareOrdinal(attrs[order[j - 1]].Name, attrs[order[j]].Name) > 0; j--)
            {
                (order[j - 1], order[j]) = (order[j], order[j - 1]);
            }
        }
        foreach (var index in order)
        {
            var a = attrs[index];
            WriteAscii(" ");
            // Names are the printer's own ASCII words: nothing to escape or encode.
            WriteAscii(a.Name);
            WriteAscii("=\"");
            if (a.IsNumber)
            {
                var span = _out.GetSpan(20);
                System.Buffers.Text.Utf8Formatter.TryFormat(a.Number, span, out var written);
                _out.Advance(written);
            }
            else WriteEscaped(a.Value.Span);
            WriteAscii("\"");
        }
    }

    private void WriteEscaped(ReadOnlySpan<byte> s)
    {
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var entity = s[i] switch
            {
                (byte)'"' => "&quot;",
                (byte)'<' => "&lt;",
                (byte)'>' => "&gt;",
                (byte)'&' => "&amp;",
                (byte)'\n' => "&#xA;",
                _ => null,
            };
            if (entity == null) continue;
            _out.Write(s[start..i]);
            WriteAscii(entity);
            start = i + 1;
        }
        _out.Write(s[start..]);
    }

    private void Indent()
    {
        var n = _open.Count * 2;
        var span = _out.GetSpan(n);
        span[..n].Fill((byte)' ');
        _out.Advance(n);
    }

    private void WriteAscii(string s)
    {
        var span = _out.GetSpan(s.Length);
        for (var i = 0; i < s.Length; i++) span[i] = (byte)s[i];
        _out.Advance(s.Length);
    }

    /// <summary>
    /// A float as C++ iostreams print it by default (<c>%g</c> with 6 significant digits), which
    /// is what Nix puts in <c>&lt;float value="…" /&gt;</c>: <c>567.89</c>, <c>1e+20</c>, <c>1e-07</c>.
    /// </summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value)) return double.IsNegative(value) ? "-nan" : "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        // .NET's G6 follows %g's rules (fixed notation for exponents -5 < e < 6, trailing zeros
        // dropped, at least two exponent digits); only the exponent letter differs.
        return value.ToString("G6", CultureInfo.InvariantCulture).Replace('E', 'e');
    }
}

/// <summary>An XML attribute: an ASCII name and a byte-string value (escaped when written), or an integer written in decimal.</summary>
internal readonly record struct XmlAttr(string Name, ReadOnlyMemory<byte> Value)
{
    public XmlAttr(string name, string value)
        : this(name, Encoding.UTF8.GetBytes(value))
    {
    }

    /// <summary>An integer value (a position's line or column, an <c>int</c>'s value), formatted straight into the output.</summary>
    public XmlAttr(string name, long number)
        : this(name, ReadOnlyMemory<byte>.Empty)
    {
        Number = number;
        IsNumber = true;
    }

    public long Number { get; }

    public bool IsNumber { get; }
}

/// <summary>Room for the attributes of one element on the stack (a position's path, line and column, and a name).</summary>
[System.Runtime.CompilerServices.InlineArray(4)]
internal struct XmlAttrBuffer
{
    private XmlAttr _first;
}
