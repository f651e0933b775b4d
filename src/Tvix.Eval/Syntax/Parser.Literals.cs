using System.Globalization;
using System.Text;

namespace Tvix.Eval.Syntax;

// Literals: numbers, "…" strings, ''…'' strings (with Nix's indentation stripping) and paths.
internal sealed partial class Parser
{
    /// <summary>The literal buffer (the scratch space's, grown as needed).</summary>
    private byte[] _scratch;

    /// <summary>
    /// Pieces of the indented strings being parsed, as a stack in the scratch space's array:
    /// a string's pieces are the top of it, and a string nested in an interpolation pushes its
    /// own above them and pops them when done.
    /// </summary>
    private int _pieceCount;
    private int _scratchLength;

    private const double SmallestNormalDouble = 2.2250738585072014E-308;

    private string Ascii(int start, int end) => Encoding.ASCII.GetString(Src[start..end]);

    private Expr ParseInteger(Token t)
    {
        var digits = Src.Slice(t.Start, t.Length);
        long value = 0;
        foreach (var d in digits)
        {
            var digit = d - '0';
            if (value > (long.MaxValue - digit) / 10)
            {
                Error($"invalid integer '{Ascii(t.Start, t.End)}'", t.Span);
                return new ErrorExpr(t.Span);
            }
            value = value * 10 + digit;
        }
        return new IntLiteral(t.Span, value);
    }

    private Expr ParseFloat(Token t)
    {
        var text = Src.Slice(t.Start, t.Length);
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
            || double.IsInfinity(value) || (value == 0 ? HasNonZeroMantissa(text) : Math.Abs(value) < SmallestNormalDouble))
        {
            // strtod's ERANGE (overflow or underflow) is an error in Nix.
            Error($"invalid float '{Ascii(t.Start, t.End)}'", t.Span);
            return new ErrorExpr(t.Span);
        }
        return new FloatLiteral(t.Span, value);
    }

    private static bool HasNonZeroMantissa(ReadOnlySpan<byte> text)
    {
        foreach (var c in text)
        {
            if (c is (byte)'e' or (byte)'E') return false;
            if (c is >= (byte)'1' and <= (byte)'9') return true;
        }
        return false;
    }

    // ---- scratch buffer for decoded literal bytes ----

    private void ScratchAppend(byte b)
    {
        if (_scratchLength == _scratch.Length) Array.Resize(ref _scratch, _scratch.Length * 2);
        _scratch[_scratchLength++] = b;
    }

    private void ScratchAppend(ReadOnlySpan<byte> bytes)
    {
        if (_scratchLength + bytes.Length > _scratch.Length)
            Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, _scratchLength + bytes.Length));
        bytes.CopyTo(_scratch.AsSpan(_scratchLength));
        _scratchLength += bytes.Length;
    }

    /// <summary>Ends the pending literal (if any) and adds it to <paramref name="parts"/>.</summary>
    private void FlushLiteral(List<StringPart> parts, ref int literalStart, int literalEnd)
    {
        if (literalStart < 0) return;
        if (_scratchLength > 0)
            parts.Add(new LiteralPart(TextSpan.FromBounds(literalStart, literalEnd), _scratch.AsSpan(0, _scratchLength).ToArray()));
        _scratchLength = 0;
        literalStart = -1;
    }

    /// <summary>Nix's <c>unescapeStr</c>: <c>\n \r \t</c>, any other <c>\x</c> is x, and raw CR or CR LF become LF.</summary>
    private void Unescape(ReadOnlySpan<byte> s)
    {
        for (var i = 0; i < s.Length;)
        {
            var c = s[i++];
            if (c == '\\')
            {
                if (i >= s.Length) break;
                c = s[i++];
                ScratchAppend(c switch { (byte)'n' => (byte)'\n', (byte)'r' => (byte)'\r', (byte)'t' => (byte)'\t', _ => c });
            }
            else if (c == '\r')
            {
                ScratchAppend((byte)'\n');
                if (i < s.Length && s[i] == '\n') i++;
            }
            else
            {
                ScratchAppend(c);
            }
        }
    }

    /// <summary>Nix rejects string literals that contain a NUL byte.</summary>
    private void CheckNoNulByte(ReadOnlySpan<byte> decoded, TextSpan span)
    {
        if (decoded.IndexOf((byte)0) < 0) return;
        var text = Encoding.UTF8.GetString(decoded).Replace("\0", "␀", StringComparison.Ordinal);
        Error($"input string '{text}' cannot be represented as Nix string because it contains null bytes", span);
    }

    /// <summary><c>"…"</c>, starting at the opening quote.</summary>
    private StringExpr ParseString()
    {
        var start = Advance().Start; // '"'
        if (TryPlainString(start) is { } plain) return plain;
        var parts = _scratchSpace.PartLists.Rent();
        var literalStart = -1;
        var literalEnd = -1;
        _scratchLength = 0;
        while (true)
        {
            var t = Cur;
            if (t.Kind == TokenKind.StringFragment)
            {
                Advance();
                if (literalStart < 0) literalStart = t.Start;
                var before = _scratchLength;
                Unescape(Src.Slice(t.Start, t.Length));
                CheckNoNulByte(_scratch.AsSpan(before, _scratchLength - before), t.Span);
                literalEnd = t.End;
            }
            else if (t.Kind == TokenKind.DollarCurly)
            {
                FlushLiteral(parts, ref literalStart, literalEnd);
                parts.Add(ParseInterpolation());
            }
            else
            {
                FlushLiteral(parts, ref literalStart, literalEnd);
                if (t.Kind == TokenKind.Quote)
                {
                    Advance();
                    _panic = false;
                }
                else
                {
                    Unexpected("'\"'");
                }
                break;
            }
        }
        return new StringExpr(SpanFrom(start), _scratchSpace.PartLists.ToArrayAndReturn(parts), false);
    }

    /// <summary>
    /// A string that is one fragment with nothing to unescape, <c>"abc"</c> (most strings), as a
    /// node that reads its bytes from the source (see <see cref="PlainLiteral"/>); null for any other.
    /// </summary>
    private StringExpr? TryPlainString(int start)
    {
        var t = Cur;
        if (t.Kind != TokenKind.StringFragment || _pos + 1 >= _count || _kinds[_pos + 1] != TokenKind.Quote
            || t.Length == 0 || t.Start != start + 1 || _ranges[_pos + 1].Start != t.End
            || Src.Slice(t.Start, t.Length).IndexOfAny((byte)'\\', (byte)'\r', (byte)0) >= 0)
            return null;
        Advance();
        Advance();
        _panic = false;
        return new StringExpr(SpanFrom(start), new PlainLiteral(_bytes, _bytesStart));
    }

    /// <summary><c>${ e }</c> inside a string or path. The scratch buffer is saved around the nested parse.</summary>
    private InterpolationPart ParseInterpolation()
    {
        var start = Advance().Start; // '${'
        var saved = _scratchLength > 0 ? _scratch.AsSpan(0, _scratchLength).ToArray() : null;
        _scratchLength = 0;
        var e = ParseExpr();
        ExpectClosing(TokenKind.RightBrace, "'}'", stopAtSeparators: false);
        _scratchLength = 0;
        if (saved != null) ScratchAppend(saved);
        return new InterpolationPart(SpanFrom(start), e);
    }

    /// <summary>One piece of an indented string before stripping: source text, an escape, or an interpolation.</summary>
    internal readonly struct IndentedPiece(int start, int end, bool hasIndentation, InterpolationPart? interpolation)
    {
        public readonly int Start = start;
        public readonly int End = end;
        /// <summary>Raw text takes part in computing the indentation; escapes do not (as in Nix).</summary>
        public readonly bool HasIndentation = hasIndentation;
        public readonly InterpolationPart? Interpolation = interpolation;
    }

    /// <summary>The bytes an <see cref="TokenKind.IndentedEscape"/> stands for.</summary>
    private ReadOnlySpan<byte> DecodeIndentedEscape(int start, int end)
    {
        var s = Src[start..end];
        if (s.Length == 1) return s; // a lone '$' or '\''
        if (s[2] == '$') return "$"u8;
        if (s[2] == '\'') return "''"u8;
        // ''\x: unescapeStr of "\x".
        return s[3] switch
        {
            (byte)'n' => "\n"u8,
            (byte)'r' => "\r"u8,
            (byte)'t' => "\t"u8,
            _ => s[3..4],
        };
    }

    private ReadOnlySpan<byte> PieceBytes(in IndentedPiece piece) =>
        piece.HasIndentation ? Src[piece.Start..piece.End] : DecodeIndentedEscape(piece.Start, piece.End);

    /// <summary><c>''…''</c>, starting at the opening token.</summary>
    private StringExpr ParseIndentedString()
    {
        var start = Advance().Start; // "''"
        var first = _pieceCount;
        while (true)
        {
            var t = Cur;
            if (t.Kind == TokenKind.IndentedFragment)
            {
                Advance();
                CheckNoNulByte(Src.Slice(t.Start, t.Length), t.Span);
                AddPiece(new IndentedPiece(t.Start, t.End, true, null));
            }
            else if (t.Kind == TokenKind.IndentedEscape)
            {
                Advance();
                var piece = new IndentedPiece(t.Start, t.End, false, null);
                CheckNoNulByte(PieceBytes(piece), t.Span);
                AddPiece(piece);
            }
            else if (t.Kind == TokenKind.DollarCurly)
            {
                var part = ParseInterpolation();
                AddPiece(new IndentedPiece(part.Span.Start, part.Span.End, false, part));
            }
            else
            {
                if (t.Kind == TokenKind.IndentedClose)
                {
                    Advance();
                    _panic = false;
                }
                else
                {
                    Unexpected("end of an indented string");
                }
                break;
            }
        }
        var parts = StripIndentation(first, _pieceCount);
        _pieceCount = first;
        return new StringExpr(SpanFrom(start), parts, true);
    }

    private void AddPiece(IndentedPiece piece)
    {
        var pieces = _scratchSpace.Pieces;
        if (_pieceCount == pieces.Length)
        {
            var bigger = new IndentedPiece[pieces.Length * 2];
            Array.Copy(pieces, bigger, pieces.Length);
            _scratchSpace.Pieces = pieces = bigger;
        }
        pieces[_pieceCount++] = piece;
    }

    /// <summary>
    /// Nix's <c>stripIndentation</c>: the smallest indentation (in spaces) of the lines that
    /// hold something other than spaces is removed from every line; whitespace-only lines do
    /// not count, interpolations and escapes count as content, tabs are content too; a last
    /// line of only spaces is dropped.
    /// </summary>
    private StringPart[] StripIndentation(int first, int end)
    {
        if (first == end) return [];
        var pieces = _scratchSpace.Pieces;

        var atStartOfLine = true;
        var minIndent = int.MaxValue;
        var curIndent = 0;
        for (var p = first; p < end; p++)
        {
            var piece = pieces[p];
            if (!piece.HasIndentation)
            {
                if (atStartOfLine)
                {
                    atStartOfLine = false;
                    minIndent = Math.Min(minIndent, curIndent);
                }
                continue;
            }
            foreach (var c in Src[piece.Start..piece.End])
            {
                if (atStartOfLine)
                {
                    if (c == ' ')
                    {
                        curIndent++;
                    }
                    else if (c == '\n')
                    {
                        curIndent = 0;
                    }
                    else
                    {
                        atStartOfLine = false;
                        minIndent = Math.Min(minIndent, curIndent);
                    }
                }
                else if (c == '\n')
                {
                    atStartOfLine = true;
                    curIndent = 0;
                }
            }
        }

        var parts = _scratchSpace.PartLists.Rent();
        atStartOfLine = true;
        var curDropped = 0;
        var literalStart = -1;
        var literalEnd = -1;
        _scratchLength = 0;
        for (var i = first; i < end; i++)
        {
            var piece = pieces[i];
            if (piece.Interpolation != null)
            {
                atStartOfLine = false;
                curDropped = 0;
                FlushLiteral(parts, ref literalStart, literalEnd);
                parts.Add(piece.Interpolation);
                continue;
            }
            var pieceStart = _scratchLength;
            foreach (var c in PieceBytes(piece))
            {
                if (atStartOfLine)
                {
                    if (c == ' ')
                    {
                        if (curDropped++ >= minIndent) ScratchAppend(c);
                    }
                    else if (c == '\n')
                    {
                        curDropped = 0;
                        ScratchAppend(c);
                    }
                    else
                    {
                        atStartOfLine = false;
                        curDropped = 0;
                        ScratchAppend(c);
                    }
                }
                else
                {
                    ScratchAppend(c);
                    if (c == '\n') atStartOfLine = true;
                }
            }
            if (i == end - 1)
            {
                // Remove the last line if it consists only of spaces.
                var s = _scratch.AsSpan(pieceStart, _scratchLength - pieceStart);
                var newline = s.LastIndexOf((byte)'\n');
                if (newline >= 0 && s[(newline + 1)..].IndexOfAnyExcept((byte)' ') < 0)
                    _scratchLength = pieceStart + newline + 1;
            }
            if (_scratchLength > 0)
            {
                if (literalStart < 0) literalStart = piece.Start;
                literalEnd = piece.End;
            }
        }
        FlushLiteral(parts, ref literalStart, literalEnd);
        return _scratchSpace.PartLists.ToArrayAndReturn(parts);
    }

    /// <summary>A path literal: its first segment, then literal fragments and interpolations up to the end-of-path token.</summary>
    private Expr ParsePath()
    {
        var first = Advance();
        var kind = first.Kind == TokenKind.HomePath ? PathKind.Home
            : Src[first.Start] == '/' ? PathKind.Absolute
            : PathKind.Relative;
        if (Kind == TokenKind.PathEnd)
        {
            // No interpolation (most paths): the path is its token as written (see PlainLiteral).
            Advance();
            return new PathExpr(SpanFrom(first.Start), kind, new PlainLiteral(_bytes, _bytesStart));
        }
        var parts = _scratchSpace.PartLists.Rent();
        _scratchLength = 0;
        ScratchAppend(Src.Slice(first.Start, first.Length));
        var literalStart = first.Start;
        var literalEnd = first.End;
        var interpolated = false;
        while (true)
        {
            var t = Cur;
            if (t.Kind == TokenKind.PathFragment)
            {
                Advance();
                if (literalStart < 0) literalStart = t.Start;
                ScratchAppend(Src.Slice(t.Start, t.Length));
                literalEnd = t.End;
                // Nix's grammar (string_parts_interpolated) wants an interpolation after the first
                // literal continuation: `./a//b` is a syntax error, `./a//${b}` is not.
                if (!interpolated && Kind != TokenKind.DollarCurly)
                {
                    Unexpected("'${'");
                    FlushLiteral(parts, ref literalStart, literalEnd);
                    if (Kind == TokenKind.PathEnd) Advance();
                    _scratchSpace.PartLists.Return(parts);
                    return new ErrorExpr(SpanFrom(first.Start));
                }
            }
            else if (t.Kind == TokenKind.DollarCurly)
            {
                FlushLiteral(parts, ref literalStart, literalEnd);
                parts.Add(ParseInterpolation());
                interpolated = true;
            }
            else
            {
                FlushLiteral(parts, ref literalStart, literalEnd);
                if (t.Kind == TokenKind.PathEnd) Advance();
                break;
            }
        }
        return new PathExpr(SpanFrom(first.Start), kind, _scratchSpace.PartLists.ToArrayAndReturn(parts));
    }
}
