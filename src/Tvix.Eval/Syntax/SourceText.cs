using System.Text;

namespace Tvix.Eval.Syntax;

/// <summary>
/// The bytes of one Nix source (a file, an <c>-E</c> expression, stdin) with its display name.
/// Nix source is UTF-8, but string literals are byte strings, so the parser works on bytes and
/// every offset in a <see cref="TextSpan"/> is a byte offset into <see cref="Bytes"/>.
/// </summary>
public sealed class SourceText
{
    private int[]? _lineStarts;

    /// <summary>Creates a source from raw bytes.</summary>
    /// <param name="name">Shown in diagnostics: a file path, or a label such as <c>«string»</c>.</param>
    /// <param name="bytes">The source bytes.</param>
    /// <param name="path">The absolute path of the file, or null when the source is not a file.</param>
    public SourceText(string name, ReadOnlyMemory<byte> bytes, string? path = null)
    {
        Name = name;
        Bytes = bytes;
        Path = path;
    }

    /// <summary>Creates a source from text, encoded as UTF-8.</summary>
    public static SourceText From(string text, string name = "«string»", string? path = null) =>
        new(name, Encoding.UTF8.GetBytes(text), path);

    /// <summary>Name shown in diagnostics.</summary>
    public string Name { get; }

    /// <summary>Absolute file path, or null (for <c>-E</c>, stdin and host strings).</summary>
    public string? Path { get; }

    /// <summary>The source bytes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The text a span covers (for messages that quote the source).</summary>
    internal string TextOf(TextSpan span) => Encoding.UTF8.GetString(Bytes.Span.Slice(span.Start, span.Length));

    /// <summary>1-based line and column (in bytes, as Nix counts) of a byte offset.</summary>
    public (int Line, int Column) GetLineColumn(int offset)
    {
        var starts = _lineStarts ??= ComputeLineStarts(Bytes.Span);
        // The last line start at or before offset (a hand-written search: Array.BinarySearch<int>
        // would be JIT-compiled when the first error is printed).
        int lo = 0, hi = starts.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
        }
        return (lo + 1, offset - starts[lo] + 1);
    }

    /// <summary>The text of the 1-based line <paramref name="line"/>, without its newline.</summary>
    public string GetLineText(int line)
    {
        var starts = _lineStarts ??= ComputeLineStarts(Bytes.Span);
        if (line < 1 || line > starts.Length) return "";
        var start = starts[line - 1];
        var end = line < starts.Length ? starts[line] - 1 : Bytes.Length;
        if (end > start && Bytes.Span[end - 1] == (byte)'\r') end--;
        return Encoding.UTF8.GetString(Bytes.Span[start..Math.Max(start, end)]);
    }

    private static int[] ComputeLineStarts(ReadOnlySpan<byte> bytes)
    {
        var list = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
            if (bytes[i] == (byte)'\n') list.Add(i + 1);
        return list.ToArray();
    }
}

/// <summary>A range of bytes in a <see cref="SourceText"/>.</summary>
public readonly record struct TextSpan(int Start, int Length)
{
    /// <summary>One past the last byte.</summary>
    public int End => Start + Length;

    /// <summary>The span from the start of <paramref name="a"/> to the end of <paramref name="b"/>.</summary>
    public static TextSpan Cover(TextSpan a, TextSpan b) => FromBounds(Math.Min(a.Start, b.Start), Math.Max(a.End, b.End));

    /// <summary>A span from start and end offsets.</summary>
    public static TextSpan FromBounds(int start, int end) => new(start, end - start);
}
