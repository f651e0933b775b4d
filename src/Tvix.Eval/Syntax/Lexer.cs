using System.Runtime.CompilerServices;

namespace Tvix.Eval.Syntax;

/// <summary>
/// Turns Nix source bytes into tokens, following the rules of C++ Nix's flex lexer
/// (<c>src/libexpr/lexer.l</c>): the longest match wins, ties go to the earlier rule, and a
/// stack of start states tracks strings, indented strings, paths and the <c>${ … }</c> and
/// <c>{ … }</c> nesting inside them.
/// </summary>
/// <remarks>
/// The whole input is tokenised up front into a compact array (kind and byte range, no
/// strings), because the lexer's state never depends on the parser: the parser then gets free
/// look-ahead, which it needs to tell a formal parameter set from an attribute set.
/// Token values (names, numbers, string contents) are decoded later from the byte ranges.
/// </remarks>
internal ref struct Lexer
{
    internal enum State : byte { Default, String, IndentedString, InPath, InPathSlash }

    private readonly ReadOnlySpan<byte> _src;
    private readonly SourceText _source;
    private readonly List<Diagnostic> _diagnostics;
    private TokenRange[] _ranges;
    private TokenKind[] _kinds;
    private int _count;
    private State[] _states;
    private int _stateDepth;
    private int _pos;

    private Lexer(SourceText source, List<Diagnostic> diagnostics, ParserScratch scratch)
    {
        _source = source;
        _src = source.Bytes.Span;
        _diagnostics = diagnostics;
        // The scratch's arrays, grown as needed (and kept there for the next parse).
        _ranges = scratch.TokenRanges;
        _kinds = scratch.TokenKinds;
        // nixpkgs has a token per 7.7 to 8 bytes (all-packages.nix: 114,490 for 887,081 bytes), so
        // a seventh of the length rarely needs to grow; a quarter, as before, sized that file's
        // array at twice what it needs. The array is sized for this source, not doubled: it is
        // kept for the next parse, and the sources of an evaluation come in no order of size.
        var estimate = _src.Length / 7 + 16;
        // (The two arrays must be as long as each other: pooled arrays may not be.)
        if (_ranges.Length < estimate || _kinds.Length != _ranges.Length)
        {
            _ranges = new TokenRange[Math.Max(estimate, _ranges.Length)];
            _kinds = new TokenKind[_ranges.Length];
        }
        _states = scratch.LexerStates;
        _states[0] = State.Default;
        _stateDepth = 1;
    }

    /// <summary>
    /// Tokenises <paramref name="source"/>; the last token is always <see cref="TokenKind.EndOfFile"/>.
    /// The tokens are in <paramref name="scratch"/>'s token arrays (which this may replace by bigger ones).
    /// </summary>
    public static int Tokenize(SourceText source, List<Diagnostic> diagnostics, ParserScratch scratch)
    {
        var lexer = new Lexer(source, diagnostics, scratch);
        lexer.Run();
        scratch.TokenRanges = lexer._ranges;
        scratch.TokenKinds = lexer._kinds;
        scratch.LexerStates = lexer._states;
        return lexer._count;
    }

    private void Run()
    {
        while (true)
        {
            var done = _states[_stateDepth - 1] switch
            {
                State.String => LexString(),
                State.IndentedString => LexIndentedString(),
                State.InPath or State.InPathSlash => LexInPath(),
                _ => LexDefault(),
            };
            if (done) return;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(TokenKind kind, int start, int end)
    {
        if (_count == _ranges.Length) Grow();
        _ranges[_count] = new TokenRange(start, end);
        _kinds[_count++] = kind;
    }

    private void Push(State state)
    {
        if (_stateDepth == _states.Length)
        {
            var bigger = new State[_states.Length * 2];
            Array.Copy(_states, bigger, _states.Length);
            _states = bigger;
        }
        _states[_stateDepth++] = state;
    }

    // Array.Copy rather than Array.Resize<T>: a generic method over these would be JIT-compiled at start-up.
    private void Grow()
    {
        var ranges = new TokenRange[_ranges.Length * 2];
        var kinds = new TokenKind[ranges.Length];
        Array.Copy(_ranges, ranges, _count);
        Array.Copy(_kinds, kinds, _count);
        _ranges = ranges;
        _kinds = kinds;
    }

    // The bottom state is never popped (flex's INITIAL: a stray '}' at top level stays there).
    private void Pop()
    {
        if (_stateDepth > 1) _stateDepth--;
    }

    private void Error(string message, int start, int end)
    {
        if (_diagnostics.Count < Parser.MaxDiagnostics)
            _diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error, message, _source, TextSpan.FromBounds(start, end)));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int At(int i) => (uint)i < (uint)_src.Length ? _src[i] : -1;

    // ---- character classes (ASCII only, as in the flex rules) ----
    //
    // Each class is a 128-bit set of ASCII codes in two 64-bit masks: a test is a shift and an
    // AND, with no table to load. Like the other small helpers here it is marked for inlining:
    // ReadyToRun code (what runs until the JIT has recompiled a hot method) inlines across
    // methods only when told to, and a call per character made the lexer three times slower.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool InClass(int c, ulong low, ulong high) =>
        (uint)c < 64 ? ((low >> c) & 1) != 0 : (uint)c < 128 && ((high >> (c - 64)) & 1) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLetter(int c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(int c) => (uint)(c - '0') <= 9;

    /// <summary><c>[a-zA-Z_]</c></summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsIdStart(int c) => InClass(c, 0, 0x07fffffe87fffffe);

    /// <summary><c>[a-zA-Z0-9_'-]</c></summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsIdChar(int c) => InClass(c, 0x03ff208000000000, 0x07fffffe87fffffe);

    /// <summary><c>[a-zA-Z0-9._+-]</c></summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsPathChar(int c) => InClass(c, 0x03ff680000000000, 0x07fffffe87fffffe);

    /// <summary><c>[a-zA-Z0-9+.-]</c></summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsUriSchemeChar(int c) => InClass(c, 0x03ff680000000000, 0x07fffffe07fffffe);

    /// <summary><c>[a-zA-Z0-9%/?:@&amp;=+$,_.!~*'-]</c></summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsUriChar(int c) => InClass(c, 0xa7fffcf200000000, 0x47fffffe87ffffff);

    // ---- DEFAULT state ----

    private bool LexDefault()
    {
        SkipTrivia();
        var p = _pos;
        if (p >= _src.Length)
        {
            Add(TokenKind.EndOfFile, _src.Length, _src.Length);
            return true;
        }

        var c = _src[p];
        switch (c)
        {
            case (byte)'{': Push(State.Default); return Single(TokenKind.LeftBrace);
            case (byte)'}': Pop(); return Single(TokenKind.RightBrace);
            case (byte)'(': return Single(TokenKind.LeftParen);
            case (byte)')': return Single(TokenKind.RightParen);
            case (byte)'[': return Single(TokenKind.LeftBracket);
            case (byte)']': return Single(TokenKind.RightBracket);
            case (byte)';': return Single(TokenKind.Semicolon);
            case (byte)':': return Single(TokenKind.Colon);
            case (byte)'@': return Single(TokenKind.At);
            case (byte)',': return Single(TokenKind.Comma);
            case (byte)'?': return Single(TokenKind.Question);
            case (byte)'*': return Single(TokenKind.Star);
            case (byte)'"': Push(State.String); return Single(TokenKind.Quote);
            case (byte)'=': return At(p + 1) == '=' ? Emit(TokenKind.Equal, 2) : Single(TokenKind.Assign);
            case (byte)'!': return At(p + 1) == '=' ? Emit(TokenKind.NotEqual, 2) : Single(TokenKind.Bang);
            case (byte)'>': return At(p + 1) == '=' ? Emit(TokenKind.GreaterOrEqual, 2) : Single(TokenKind.Greater);
            case (byte)'&': return At(p + 1) == '&' ? Emit(TokenKind.And, 2) : Single(TokenKind.Invalid);
            case (byte)'|':
                if (At(p + 1) == '|') return Emit(TokenKind.Or, 2);
                if (At(p + 1) == '>') return Pipe(TokenKind.PipeInto);
                return Single(TokenKind.Invalid);
            case (byte)'$':
                if (At(p + 1) == '{') { Push(State.Default); return Emit(TokenKind.DollarCurly, 2); }
                return Single(TokenKind.Invalid);
            case (byte)'\'':
                if (At(p + 1) == '\'')
                {
                    // ''(\ *\n)? : a first line of only spaces is part of the opening token.
                    var i = p + 2;
                    while (At(i) == ' ') i++;
                    var end = At(i) == '\n' ? i + 1 : p + 2;
                    Push(State.IndentedString);
                    Add(TokenKind.IndentedOpen, p, end);
                    _pos = end;
                    return false;
                }
                return Single(TokenKind.Invalid);
            case (byte)'<':
            {
                var spath = MatchSearchPath(p);
                if (spath > 0) return Emit(TokenKind.SearchPath, spath);
                if (At(p + 1) == '=') return Emit(TokenKind.LessOrEqual, 2);
                if (At(p + 1) == '|') return Pipe(TokenKind.PipeFrom);
                return Single(TokenKind.Less);
            }
            case (byte)'~':
            {
                if (At(p + 1) == '/' && At(p + 2) == '$' && At(p + 3) == '{')
                    return StartPath(TokenKind.HomePath, 2);
                var h = MatchHomePath(p);
                return h > 0 ? StartPath(TokenKind.HomePath, h) : Single(TokenKind.Invalid);
            }
            case 0:
                // flex returns the NUL byte as token 0, which bison takes as the end of input.
                Add(TokenKind.EndOfFile, p, p + 1);
                return true;
        }

        // Everything else may be the start of a path (or a URI); pick the longest match. Both
        // begin with a run of path characters (a URI scheme is one too), and a path continues
        // it with '/', a URI with ':', so anything else after the run rules both out cheaply.
        var run = p;
        var idLen = 0;
        if (IsIdStart(c))
        {
            // One scan serves both runs for the usual identifier: every identifier character
            // but '\'' is a path character too, so the path run goes on from the identifier's end.
            idLen = 1;
            var quote = false;
            int ch;
            while (IsIdChar(ch = At(p + idLen)))
            {
                quote |= ch == '\'';
                idLen++;
            }
            if (!quote) run = p + idLen;
        }
        while (IsPathChar(At(run))) run++;
        var afterRun = At(run);
        var pathLen = afterRun == '/' ? MatchPath(p) : 0;
        var segLen = afterRun == '/' ? MatchPathSegmentBeforeInterpolation(p) : 0;
        TokenKind kind;
        int len;
        if (IsIdStart(c))
        {
            len = idLen;
            kind = Keyword(p, len);
            var uri = afterRun == ':' && IsLetter(c) ? MatchUri(p) : 0;
            if (uri > len && uri > pathLen && uri > segLen) return Emit(TokenKind.Uri, uri);
        }
        else if (IsDigit(c))
        {
            len = 1;
            while (IsDigit(At(p + len))) len++;
            kind = TokenKind.Integer;
            var f = MatchFloat(p);
            if (f > len) { len = f; kind = TokenKind.Float; }
        }
        else if (c == '.')
        {
            kind = TokenKind.Dot;
            len = 1;
            if (At(p + 1) == '.' && At(p + 2) == '.') { kind = TokenKind.Ellipsis; len = 3; }
            var f = MatchFloat(p);
            if (f > len) { len = f; kind = TokenKind.Float; }
        }
        else if (c == '-')
        {
            if (At(p + 1) == '>') { kind = TokenKind.Implies; len = 2; }
            else { kind = TokenKind.Minus; len = 1; }
        }
        else if (c == '+')
        {
            if (At(p + 1) == '+') { kind = TokenKind.Concat; len = 2; }
            else { kind = TokenKind.Plus; len = 1; }
        }
        else if (c == '/')
        {
            if (At(p + 1) == '/') { kind = TokenKind.Update; len = 2; }
            else { kind = TokenKind.Slash; len = 1; }
        }
        else
        {
            kind = TokenKind.Invalid;
            len = 1;
        }

        if (segLen > len && segLen > pathLen) return StartPath(TokenKind.Path, segLen - 2);
        if (pathLen > len) return StartPath(TokenKind.Path, pathLen);
        return Emit(kind, len);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Single(TokenKind kind) => Emit(kind, 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Emit(TokenKind kind, int length)
    {
        Add(kind, _pos, _pos + length);
        _pos += length;
        return false;
    }

    private bool Pipe(TokenKind kind)
    {
        Error("experimental Nix feature 'pipe-operators' is disabled; add '--extra-experimental-features pipe-operators' to enable it", _pos, _pos + 2);
        return Emit(kind, 2);
    }

    private bool StartPath(TokenKind kind, int length)
    {
        Add(kind, _pos, _pos + length);
        _pos += length;
        Push(_src[_pos - 1] == '/' ? State.InPathSlash : State.InPath);
        return false;
    }

    /// <summary>The keyword <c>_src[p..p+len]</c> is, or <see cref="TokenKind.Identifier"/> (byte comparisons: no spans to build).</summary>
    private TokenKind Keyword(int p, int len)
    {
        var s = _src;
        switch (len)
        {
            case 2:
                if (s[p] == 'i' && s[p + 1] == 'f') return TokenKind.If;
                if (s[p] == 'i' && s[p + 1] == 'n') return TokenKind.In;
                if (s[p] == 'o' && s[p + 1] == 'r') return TokenKind.OrKeyword;
                break;
            case 3:
                if (s[p] == 'l' && s[p + 1] == 'e' && s[p + 2] == 't') return TokenKind.Let;
                if (s[p] == 'r' && s[p + 1] == 'e' && s[p + 2] == 'c') return TokenKind.Rec;
                break;
            case 4:
                if (s[p] == 't' && s[p + 1] == 'h' && s[p + 2] == 'e' && s[p + 3] == 'n') return TokenKind.Then;
                if (s[p] == 'e' && s[p + 1] == 'l' && s[p + 2] == 's' && s[p + 3] == 'e') return TokenKind.Else;
                if (s[p] == 'w' && s[p + 1] == 'i' && s[p + 2] == 't' && s[p + 3] == 'h') return TokenKind.With;
                break;
            case 6:
                if (s[p] == 'a' && s[p + 1] == 's' && s[p + 2] == 's' && s[p + 3] == 'e' && s[p + 4] == 'r' && s[p + 5] == 't') return TokenKind.Assert;
                break;
            case 7:
                if (s[p] == 'i' && s[p + 1] == 'n' && s[p + 2] == 'h' && s[p + 3] == 'e' && s[p + 4] == 'r' && s[p + 5] == 'i' && s[p + 6] == 't') return TokenKind.Inherit;
                break;
        }
        return TokenKind.Identifier;
    }

    private void SkipTrivia()
    {
        var p = _pos;
        while (p < _src.Length)
        {
            var c = _src[p];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            {
                p++;
            }
            else if (c == '#')
            {
                while (p < _src.Length && _src[p] != '\n' && _src[p] != '\r') p++;
            }
            else if (c == '/' && At(p + 1) == '*')
            {
                // /\*([^*]|\*+[^*/])*\*+\/ ends at the first "*/" after the opening "/*";
                // an unterminated comment is no comment at all (it lexes as '/' '*' …).
                var close = _src[(p + 2)..].IndexOf("*/"u8);
                if (close < 0) break;
                p += 2 + close + 2;
            }
            else
            {
                break;
            }
        }
        _pos = p;
    }

    // ---- regular sub-languages of the flex rules; each returns the match length or 0 ----

    /// <summary><c>{PATH_CHAR}*(\/{PATH_CHAR}+)+\/?</c></summary>
    private int MatchPath(int p)
    {
        var i = p;
        while (IsPathChar(At(i))) i++;
        var segments = 0;
        while (At(i) == '/' && IsPathChar(At(i + 1)))
        {
            i += 2;
            while (IsPathChar(At(i))) i++;
            segments++;
        }
        if (segments == 0) return 0;
        if (At(i) == '/') i++;
        return i - p;
    }

    /// <summary><c>{PATH_CHAR}*\/\$\{</c> (the length includes the <c>${</c>).</summary>
    private int MatchPathSegmentBeforeInterpolation(int p)
    {
        var i = p;
        while (IsPathChar(At(i))) i++;
        return At(i) == '/' && At(i + 1) == '$' && At(i + 2) == '{' ? i + 3 - p : 0;
    }

    /// <summary><c>{PATH_CHAR}*\/</c></summary>
    private int MatchPathSegment(int p)
    {
        var i = p;
        while (IsPathChar(At(i))) i++;
        return At(i) == '/' ? i + 1 - p : 0;
    }

    /// <summary><c>\~(\/{PATH_CHAR}+)+\/?</c></summary>
    private int MatchHomePath(int p)
    {
        var i = p + 1;
        var segments = 0;
        while (At(i) == '/' && IsPathChar(At(i + 1)))
        {
            i += 2;
            while (IsPathChar(At(i))) i++;
            segments++;
        }
        if (segments == 0) return 0;
        if (At(i) == '/') i++;
        return i - p;
    }

    /// <summary><c>\&lt;{PATH_CHAR}+(\/{PATH_CHAR}+)*\&gt;</c></summary>
    private int MatchSearchPath(int p)
    {
        var i = p + 1;
        if (!IsPathChar(At(i))) return 0;
        while (IsPathChar(At(i))) i++;
        while (At(i) == '/' && IsPathChar(At(i + 1)))
        {
            i += 2;
            while (IsPathChar(At(i))) i++;
        }
        return At(i) == '>' ? i + 1 - p : 0;
    }

    /// <summary><c>[a-zA-Z][a-zA-Z0-9\+\-\.]*\:[URI chars]+</c></summary>
    private int MatchUri(int p)
    {
        var i = p + 1;
        while (IsUriSchemeChar(At(i))) i++;
        if (At(i) != ':' || !IsUriChar(At(i + 1))) return 0;
        i += 2;
        while (IsUriChar(At(i))) i++;
        return i - p;
    }

    /// <summary><c>(([1-9][0-9]*\.[0-9]*)|(0?\.[0-9]+))([Ee][+-]?[0-9]+)?</c></summary>
    private int MatchFloat(int p)
    {
        var best = 0;
        // [1-9][0-9]*\.[0-9]*
        if (At(p) is >= '1' and <= '9')
        {
            var i = p + 1;
            while (IsDigit(At(i))) i++;
            if (At(i) == '.')
            {
                i++;
                while (IsDigit(At(i))) i++;
                best = i - p;
            }
        }
        // 0?\.[0-9]+
        {
            var i = p;
            if (At(i) == '0') i++;
            if (At(i) == '.' && IsDigit(At(i + 1)))
            {
                i += 2;
                while (IsDigit(At(i))) i++;
                best = Math.Max(best, i - p);
            }
        }
        if (best == 0) return 0;
        var e = p + best;
        if (At(e) is 'e' or 'E')
        {
            var j = e + 1;
            if (At(j) is '+' or '-') j++;
            if (IsDigit(At(j)))
            {
                while (IsDigit(At(j))) j++;
                best = j - p;
            }
        }
        return best;
    }

    // ---- STRING state: "…" ----

    private bool LexString()
    {
        var p = _pos;
        if (p >= _src.Length)
        {
            Add(TokenKind.EndOfFile, _src.Length, _src.Length);
            return true;
        }
        var c = _src[p];
        if (c == '"') { Pop(); return Single(TokenKind.Quote); }
        if (c == '$' && At(p + 1) == '{') { Push(State.Default); return Emit(TokenKind.DollarCurly, 2); }

        // ([^\$\"\\]|\$[^\{\"\\]|\\{ANY}|\$\\{ANY})+ , or the same followed by a '$' right before '"'.
        var i = p;
        while (i < _src.Length)
        {
            c = _src[i];
            if (c == '"') break;
            if (c == '\\')
            {
                if (i + 1 >= _src.Length) break;
                i += 2;
            }
            else if (c == '$')
            {
                var next = At(i + 1);
                if (next == '{' || next < 0) break;
                if (next == '"') { i++; break; }
                if (next == '\\')
                {
                    if (i + 2 >= _src.Length) break;
                    i += 3;
                }
                else
                {
                    i += 2;
                }
            }
            else
            {
                i++;
            }
        }
        if (i == p)
        {
            // A '$', '\' or "$\" cut off by the end of input: Nix reports it as the end of file.
            Add(TokenKind.EndOfFile, _src.Length, _src.Length);
            return true;
        }
        Add(TokenKind.StringFragment, p, i);
        _pos = i;
        return false;
    }

    // ---- IND_STRING state: ''…'' ----

    private bool LexIndentedString()
    {
        var p = _pos;
        if (p >= _src.Length)
        {
            Add(TokenKind.EndOfFile, _src.Length, _src.Length);
            return true;
        }
        var c = _src[p];
        if (c == '\'' && At(p + 1) == '\'')
        {
            var third = At(p + 2);
            if (third == '$' || third == '\'') return Emit(TokenKind.IndentedEscape, 3);
            if (third == '\\' && p + 3 < _src.Length) return Emit(TokenKind.IndentedEscape, 4);
            Pop();
            return Emit(TokenKind.IndentedClose, 2);
        }
        if (c == '$')
        {
            var next = At(p + 1);
            if (next == '{') { Push(State.Default); return Emit(TokenKind.DollarCurly, 2); }
            if (next == '\'' || next < 0) return Single(TokenKind.IndentedEscape);
        }
        else if (c == '\'')
        {
            var next = At(p + 1);
            if (next == '$' || next < 0) return Single(TokenKind.IndentedEscape);
        }

        // ([^\$\']|\$[^\{\']|\'[^\'\$])+
        var i = p;
        while (i < _src.Length)
        {
            c = _src[i];
            if (c == '$')
            {
                var next = At(i + 1);
                if (next == '{' || next == '\'' || next < 0) break;
                i += 2;
            }
            else if (c == '\'')
            {
                var next = At(i + 1);
                if (next == '\'' || next == '$' || next < 0) break;
                i += 2;
            }
            else
            {
                i++;
            }
        }
        Add(TokenKind.IndentedFragment, p, i);
        _pos = i;
        return false;
    }

    // ---- INPATH / INPATH_SLASH states: the rest of a path literal ----

    private bool LexInPath()
    {
        var p = _pos;
        var afterSlash = _states[_stateDepth - 1] == State.InPathSlash;
        if (At(p) == '$' && At(p + 1) == '{')
        {
            Pop();
            Push(State.InPath);
            Push(State.Default);
            return Emit(TokenKind.DollarCurly, 2);
        }

        var len = MatchPath(p);
        len = Math.Max(len, MatchPathSegment(p));
        var chars = 0;
        while (IsPathChar(At(p + chars))) chars++;
        len = Math.Max(len, chars);
        if (len > 0)
        {
            Pop();
            Push(_src[p + len - 1] == '/' ? State.InPathSlash : State.InPath);
            return Emit(TokenKind.PathFragment, len);
        }

        // Nix reports the trailing slash at the character after it (or at the path's last segment at the end of input).
        if (afterSlash)
        {
            if (p < _src.Length) Error("path has a trailing slash", p, p + 1);
            else Error("path has a trailing slash", _ranges[_count - 1].Start, p);
        }
        Pop();
        // Nix gives PATH_END the location of the token before it (the lexer rewinds and restores it).
        var previous = _ranges[_count - 1];
        Add(TokenKind.PathEnd, previous.Start, previous.End);
        return false;
    }
}
