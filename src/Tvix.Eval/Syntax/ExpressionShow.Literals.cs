using System.Globalization;
using System.Text;

namespace Tvix.Eval.Syntax;

// Literals as Nix shows them: numbers, identifiers, quoted strings, and the pieces Nix's lexer
// cuts strings and paths into.
internal static partial class ExpressionShow
{
    private static bool IsReservedKeyword(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("if"u8) || name.SequenceEqual("then"u8) || name.SequenceEqual("else"u8)
        || name.SequenceEqual("assert"u8) || name.SequenceEqual("with"u8) || name.SequenceEqual("let"u8)
        || name.SequenceEqual("in"u8) || name.SequenceEqual("rec"u8) || name.SequenceEqual("inherit"u8);

    /// <summary>The plain bytes of a node Nix's parser makes a string constant, or null.</summary>
    private static byte[]? PlainString(Expr e, SourceText source) => Strip(e) switch
    {
        StringExpr s => NixPieces(s, source) is { Count: <= 1 } pieces && (pieces.Count == 0 || pieces[0] is byte[])
            ? (pieces.Count == 0 ? [] : (byte[])pieces[0])
            : null,
        UriExpr u => Encoding.UTF8.GetBytes(u.Uri),
        _ => null,
    };

    /// <summary>
    /// The name of an attribute-path component when Nix's parser takes it as a name: an
    /// identifier, a quoted string without interpolation, or <c>${e}</c> where <c>e</c> is a
    /// string constant. Null for a dynamic name.
    /// </summary>
    private static byte[]? StaticKey(AttrName name, SourceText source) => name switch
    {
        IdentAttrName id => Encoding.UTF8.GetBytes(id.Name),
        StringAttrName s => s.Value.Parts switch
        {
            [] => [],
            [LiteralPart lit] => lit.Bytes,
            _ => null,
        },
        DynamicAttrName d => PlainString(d.Expression, source),
        _ => null,
    };

    /// <summary>The expression of a dynamic name: for <c>"a${b}"</c> the string itself.</summary>
    private static Expr DynamicNameExpr(AttrName name) => name switch
    {
        DynamicAttrName d => d.Expression,
        StringAttrName s => s.Value,
        // Only the two above can be dynamic; anything else shows as an error rather than throwing.
        _ => new ErrorExpr(name.Span),
    };

    /// <summary>
    /// The pieces of Nix's node for a string literal: byte arrays for the string constants
    /// and expressions for interpolations. No piece or one byte array: Nix has a string
    /// constant; otherwise a concatenation of the pieces.
    /// </summary>
    private static List<object> NixPieces(StringExpr s, SourceText source)
    {
        if (s.IsIndented && IndentedPieces(s, source) is { } pieces) return pieces;
        // A plain string's lexer token runs from one interpolation to the next: the parser's
        // literal parts are those tokens.
        var list = new List<object>(s.Parts.Count);
        foreach (var part in s.Parts)
            list.Add(part is LiteralPart l ? l.Bytes : ((InterpolationPart)part).Expression);
        return list;
    }

    partial class Writer
    {
        private byte[]? StaticKey(AttrName name) => ExpressionShow.StaticKey(name, source);

        /// <summary>Nix's <c>printIdentifier</c>: the name as is when it is a plain identifier, else quoted.</summary>
        private void Identifier(byte[] name)
        {
            if (name.Length == 0)
            {
                Raw("\"\"");
                return;
            }
            if (IsReservedKeyword(name))
            {
                Byte((byte)'"');
                Raw(name);
                Byte((byte)'"');
                return;
            }
            var c = name[0];
            var plain = c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or (byte)'_';
            for (var i = 1; plain && i < name.Length; i++)
            {
                c = name[i];
                plain = c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
                    or (byte)'_' or (byte)'\'' or (byte)'-';
            }
            if (plain) Raw(name);
            else LiteralString(name);
        }

        /// <summary>Nix's <c>printLiteralString</c>: double quotes; <c>"</c>, <c>\</c> and <c>${</c> escaped, and newline, CR, tab.</summary>
        private void LiteralString(ReadOnlySpan<byte> s)
        {
            Byte((byte)'"');
            for (var i = 0; i < s.Length; i++)
            {
                var c = s[i];
                switch (c)
                {
                    case (byte)'"' or (byte)'\\':
                        Byte((byte)'\\');
                        Byte(c);
                        break;
                    case (byte)'\n':
                        Raw("\\n");
                        break;
                    case (byte)'\r':
                        Raw("\\r");
                        break;
                    case (byte)'\t':
                        Raw("\\t");
                        break;
                    case (byte)'$' when i + 1 < s.Length && s[i + 1] == (byte)'{':
                        Raw("\\$");
                        break;
                    default:
                        Byte(c);
                        break;
                }
            }
            Byte((byte)'"');
        }

        private void String(StringExpr s, int depth) => Pieces(NixPieces(s, source), null, depth);

        /// <summary>A string constant, or Nix's concatenation node: <c>(a + "b" + c)</c>.</summary>
        private void Pieces(List<object> pieces, string? path, int depth)
        {
            if (path is null && pieces.Count == 0)
            {
                Raw("\"\"");
                return;
            }
            if (path is null && pieces is [byte[] only])
            {
                LiteralString(only);
                return;
            }
            Byte((byte)'(');
            var first = true;
            if (path is not null)
            {
                Text(path);
                first = false;
            }
            foreach (var piece in pieces)
            {
                if (!first) Raw(" + ");
                first = false;
                if (piece is byte[] bytes) LiteralString(bytes);
                else Expr((Expr)piece, depth);
            }
            Byte((byte)')');
        }

        /// <summary>
        /// A path literal: Nix's parser makes its first lexer token absolute (and canonical,
        /// except under <c>~</c>); after an interpolation it is a concatenation of that path
        /// with the interpolations and the further tokens as strings.
        /// </summary>
        private void Path(PathExpr p, int depth)
        {
            var pieces = new List<object>();
            string? start = null;
            foreach (var part in p.Parts)
            {
                if (part is InterpolationPart interpolation)
                {
                    pieces.Add(interpolation.Expression);
                    continue;
                }
                var bytes = ((LiteralPart)part).Bytes;
                var at = 0;
                if (start is null)
                {
                    at = PathToken(bytes, 0);
                    start = StartPath(p.Kind, Encoding.UTF8.GetString(bytes, 0, at));
                }
                while (at < bytes.Length)
                {
                    var end = PathToken(bytes, at);
                    pieces.Add(bytes[at..end]);
                    at = end;
                }
            }
            start ??= StartPath(p.Kind, "");
            if (pieces.Count == 0) Text(start);
            else Pieces(pieces, start, depth);
        }

        private string StartPath(PathKind kind, string literal)
        {
            if (kind == PathKind.Home) return home + (literal.Length > 0 ? literal[1..] : "");
            var joined = kind == PathKind.Absolute ? literal : baseDir + "/" + literal;
            var path = NixPath.Canonicalize(joined.StartsWith('/') ? joined : "/" + joined);
            // Nix puts back the trailing slash of a first segment followed by an interpolation.
            return literal.Length > 1 && literal[^1] == '/' ? path + "/" : path;
        }
    }

    /// <summary>
    /// The end of the path token at <paramref name="at"/>, as Nix's lexer takes the longest:
    /// path characters, then <c>/</c>-separated runs of them, then perhaps one more <c>/</c>
    /// (after <c>~</c> for a home path).
    /// </summary>
    private static int PathToken(byte[] s, int at)
    {
        var i = at;
        if (i < s.Length && s[i] == (byte)'~') i++;
        while (i < s.Length && IsPathChar(s[i])) i++;
        while (i + 1 < s.Length && s[i] == (byte)'/' && IsPathChar(s[i + 1]))
        {
            i++;
            while (i < s.Length && IsPathChar(s[i])) i++;
        }
        if (i < s.Length && s[i] == (byte)'/') i++;
        return i > at ? i : Math.Min(at + 1, s.Length);
    }

    private static bool IsPathChar(byte c) =>
        c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
            or (byte)'.' or (byte)'_' or (byte)'-' or (byte)'+';
}
