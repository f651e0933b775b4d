namespace Tvix.Eval.Syntax;

// Indented strings as Nix's tree has them. Nix's parser keeps every lexer token of an
// indented string as a string constant of its own (an escape such as ''$ is a token, so
// ''a''$b'' is "a" + "$" + "b"), strips the indentation token by token and drops the tokens
// left empty. Our parser merges the pieces, so they are cut again from the source.
internal static partial class ExpressionShow
{
    private readonly record struct IndentedToken(byte[] Bytes, bool HasIndentation, Expr? Interpolation);

    /// <summary>The pieces of Nix's node for <paramref name="s"/>; null if the source does not match the tree.</summary>
    private static List<object>? IndentedPieces(StringExpr s, SourceText source)
    {
        var tokens = IndentedTokens(s, source.Bytes.Span);
        return tokens is null ? null : Strip(tokens);
    }

    /// <summary>The lexer's tokens between <c>''</c> and <c>''</c> (the rules of Nix's IND_STRING state).</summary>
    private static List<IndentedToken>? IndentedTokens(StringExpr s, ReadOnlySpan<byte> src)
    {
        var p = s.Span.Start;
        var end = Math.Min(s.Span.End, src.Length);
        if (p < 0 || p + 2 > end || src[p] != (byte)'\'' || src[p + 1] != (byte)'\'') return null;
        p += 2;
        // The opening token takes the spaces and newline that follow it.
        var q = p;
        while (q < end && src[q] == (byte)' ') q++;
        if (q < end && src[q] == (byte)'\n') p = q + 1;

        var tokens = new List<IndentedToken>();
        var nextPart = 0;
        while (p < end)
        {
            var c = src[p];
            var next = p + 1 < end ? src[p + 1] : -1;
            if (c == (byte)'\'' && next == '\'')
            {
                var third = p + 2 < end ? src[p + 2] : -1;
                if (third == '$') tokens.Add(new("$"u8.ToArray(), false, null));
                else if (third == '\'') tokens.Add(new("''"u8.ToArray(), false, null));
                else if (third == '\\' && p + 3 < end)
                {
                    tokens.Add(new(Unescape(src[p + 3]), false, null));
                    p += 4;
                    continue;
                }
                else return tokens; // the closing ''
                p += 3;
                continue;
            }
            if (c == (byte)'$' && next == '{')
            {
                // The interpolation's source is skipped: its tree is the string's next interpolation part.
                while (nextPart < s.Parts.Count && s.Parts[nextPart] is not InterpolationPart) nextPart++;
                if (nextPart == s.Parts.Count) return null;
                var part = (InterpolationPart)s.Parts[nextPart++];
                if (part.Span.Start != p || part.Span.End <= p) return null;
                tokens.Add(new([], false, part.Expression));
                p = part.Span.End;
                continue;
            }
            if ((c == (byte)'$' && (next == '\'' || next < 0)) || (c == (byte)'\'' && (next == '$' || next < 0)))
            {
                tokens.Add(new([c], false, null));
                p++;
                continue;
            }
            // ([^$']|$[^{']|'[^'$])+
            var i = p;
            while (i < end)
            {
                c = src[i];
                var n = i + 1 < end ? src[i + 1] : -1;
                if (c == (byte)'$' && (n == '{' || n == '\'' || n < 0)) break;
                if (c == (byte)'\'' && (n == '\'' || n == '$' || n < 0)) break;
                i += c is (byte)'$' or (byte)'\'' ? 2 : 1;
            }
            tokens.Add(new(src[p..i].ToArray(), true, null));
            p = i;
        }
        return null; // no closing ''
    }

    private static byte[] Unescape(byte c) => c switch
    {
        (byte)'n' => [(byte)'\n'],
        (byte)'r' => [(byte)'\r'],
        (byte)'t' => [(byte)'\t'],
        _ => [c],
    };

    /// <summary>Nix's <c>stripIndentation</c>, keeping the tokens apart.</summary>
    private static List<object> Strip(List<IndentedToken> tokens)
    {
        var pieces = new List<object>();
        if (tokens.Count == 0) return pieces;

        // The smallest indentation of the lines with content (interpolations and escapes are content).
        var atStartOfLine = true;
        var minIndent = int.MaxValue;
        var curIndent = 0;
        foreach (var token in tokens)
        {
            if (!token.HasIndentation)
            {
                if (atStartOfLine)
                {
                    atStartOfLine = false;
                    minIndent = Math.Min(minIndent, curIndent);
                }
                continue;
            }
            foreach (var c in token.Bytes)
            {
                if (atStartOfLine)
                {
                    if (c == (byte)' ') curIndent++;
                    else if (c == (byte)'\n') curIndent = 0;
                    else
                    {
                        atStartOfLine = false;
                        minIndent = Math.Min(minIndent, curIndent);
                    }
                }
                else if (c == (byte)'\n')
                {
                    atStartOfLine = true;
                    curIndent = 0;
                }
            }
        }

        atStartOfLine = true;
        var curDropped = 0;
        var buffer = new List<byte>();
        for (var t = 0; t < tokens.Count; t++)
        {
            var token = tokens[t];
            if (token.Interpolation is { } e)
            {
                atStartOfLine = false;
                curDropped = 0;
                pieces.Add(e);
                continue;
            }
            buffer.Clear();
            foreach (var c in token.Bytes)
            {
                if (atStartOfLine)
                {
                    if (c == (byte)' ')
                    {
                        if (curDropped++ >= minIndent) buffer.Add(c);
                    }
                    else if (c == (byte)'\n')
                    {
                        curDropped = 0;
                        buffer.Add(c);
                    }
                    else
                    {
                        atStartOfLine = false;
                        curDropped = 0;
                        buffer.Add(c);
                    }
                }
                else
                {
                    buffer.Add(c);
                    if (c == (byte)'\n') atStartOfLine = true;
                }
            }
            if (t == tokens.Count - 1)
            {
                // The last line goes if it is only spaces.
                var newline = buffer.LastIndexOf((byte)'\n');
                if (newline >= 0 && buffer.Skip(newline + 1).All(b => b == (byte)' '))
                    buffer.RemoveRange(newline + 1, buffer.Count - newline - 1);
            }
            if (buffer.Count > 0) pieces.Add(buffer.ToArray());
        }
        return pieces;
    }
}
