using System.Buffers;
using System.Text;

namespace Tvix.Eval.Syntax;

/// <summary>
/// The output of a printer of syntax (<see cref="NixPrinter"/>, <see cref="ExpressionShow"/>):
/// bytes, since Nix source and strings are bytes, with helpers for ASCII and UTF-8 text.
/// </summary>
internal abstract class SyntaxByteWriter(int capacity)
{
    public readonly ArrayBufferWriter<byte> Output = new(capacity);

    /// <summary>Text known to be ASCII (keywords, operators, numbers): copied byte per char, no encoder.</summary>
    protected void Raw(string ascii)
    {
        var span = Output.GetSpan(ascii.Length);
        for (var i = 0; i < ascii.Length; i++) span[i] = (byte)ascii[i];
        Output.Advance(ascii.Length);
    }

    protected void Raw(ReadOnlySpan<byte> bytes) => Output.Write(bytes);

    protected void Byte(byte b)
    {
        Output.GetSpan(1)[0] = b;
        Output.Advance(1);
    }

    protected void Text(string text) => Raw(Encoding.UTF8.GetBytes(text));
}
