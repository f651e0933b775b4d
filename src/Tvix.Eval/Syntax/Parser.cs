using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tvix.Eval.Syntax;

/// <summary>
/// One parse of one source: expressions and operators. Literals are in Parser.Literals.cs,
/// bindings, formals and the static checks in Parser.Bindings.cs. See <see cref="NixParser"/>
/// for the design.
/// </summary>
internal sealed partial class Parser
{
    /// <summary>Sources from this size on reserve room in the symbol table before they are parsed.</summary>
    private const int LargeSource = 1 << 16;

    /// <summary>Nesting budget: each level of source nesting costs about three.</summary>
    internal const int MaxDepth = 3000;

    /// <summary>Longest left-nested chain (<c>a + b + …</c>, <c>f a b …</c>) before the tree counts as too deep.</summary>
    internal const int MaxChain = 20000;

    private const int MaxSyntaxErrors = 50;

    /// <summary>Bounds the output for hostile input (a file of a million duplicate attributes).</summary>
    internal const int MaxDiagnostics = 200;

    private readonly SourceText _source;
    private readonly TokenRange[] _ranges;
    private readonly TokenKind[] _kinds;
    private readonly int _count;
    private readonly List<Diagnostic> _diagnostics;
    // The last legacy `f or` application made, while it may still be warned about (WarnIfCursedOr).
    private Expr? _cursedOr;
    private readonly ParserScratch _scratchSpace;
    private readonly Runtime.SymbolTable _names;
    private int _pos;
    private int _prevEnd;
    private int _depth;
    private int _syntaxErrors;

    /// <summary>How many diagnostics the lexer reported (they come first in the list).</summary>
    private readonly int _lexerDiagnostics;

    /// <summary>For each parser diagnostic, the position of the current token when it was found.</summary>
    private readonly List<int> _detectedAt;

    /// <summary>After a syntax error, further syntax errors are not reported until the parser has resynchronised.</summary>
    private bool _panic;

    /// <summary>Set when nesting was too deep: the rest of the input is abandoned.</summary>
    private bool _aborted;

    /// <summary>A parser of <paramref name="source"/> that uses <paramref name="scratch"/> (which must not be in use by another parse).</summary>
    public Parser(SourceText source, ParserScratch scratch)
    {
        _source = source;
        var memory = source.Bytes;
        if (MemoryMarshal.TryGetArray(memory, out var segment))
        {
            _bytes = segment.Array!;
            _bytesStart = segment.Offset;
        }
        else
        {
            _bytes = memory.ToArray();
            _bytesStart = 0;
        }
        _bytesLength = memory.Length;
        _scratchSpace = scratch;
        _names = scratch.Symbols;
        // Room for the names a large source may bring (all-packages.nix: one new name per 70
        // bytes; a file of names seen before needs none, so this errs on the low side).
        if (_bytesLength >= LargeSource) _names.Reserve(_names.Count + _bytesLength / 128);
        _scratch = scratch.LiteralBuffer;
        _detectedAt = scratch.DetectedAt;
        _detectedAt.Clear();
        _diagnostics = new List<Diagnostic>();
        _count = Lexer.Tokenize(source, _diagnostics, scratch);
        _ranges = scratch.TokenRanges;
        _kinds = scratch.TokenKinds;
        _lexerDiagnostics = _diagnostics.Count;
    }

    /// <summary>The source bytes (<see cref="ReadOnlyMemory{T}.Span"/> is not cheap enough to call per token).</summary>
    private ReadOnlySpan<byte> Src => new(_bytes, _bytesStart, _bytesLength);

    // The source as an array and a range of it, taken once per parse.
    private readonly byte[] _bytes;
    private readonly int _bytesStart;
    private readonly int _bytesLength;

    public ParseResult ParseRoot()
    {
        Expr root;
        try
        {
            root = ParseExpr();
            if (Kind != TokenKind.EndOfFile) Unexpected("end of file");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Defence in depth: the parser is written not to throw, but a host must never see an exception here.
            _diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error, "internal error in the Nix parser: " + e.Message, _source,
                new TextSpan(Math.Min(Cur.Start, _source.Bytes.Length), 0)));
            root = new ErrorExpr(new TextSpan(0, _source.Bytes.Length));
        }
        finally
        {
            // The literal buffer may have grown; keep the bigger one for the next parse.
            _scratchSpace.LiteralBuffer = _scratch;
        }
        if (_diagnostics.Count > 1) SortByDetection();
        return new ParseResult(_source, root, _diagnostics.ToArray());
    }

    /// <summary>
    /// Puts the diagnostics in the order C++ Nix would meet them, so that the first one is the
    /// one Nix reports. Nix lexes on demand, one token ahead of the parser, so a lexer error
    /// comes before a parser error at or after its position; the tokens here were all lexed
    /// up front, so each diagnostic carries the position at which it was detected.
    /// </summary>
    private void SortByDetection()
    {
        var n = _diagnostics.Count;
        var keys = new long[n];
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            keys[i] = (i < _lexerDiagnostics ? 2L * _diagnostics[i].Span.Start : 2L * _detectedAt[i - _lexerDiagnostics] + 1) * n + i;
            order[i] = i;
        }
        Array.Sort(keys, order);
        var sorted = new Diagnostic[n];
        for (var i = 0; i < n; i++) sorted[i] = _diagnostics[order[i]];
        _diagnostics.Clear();
        _diagnostics.AddRange(sorted);
    }

    // ---- tokens ----

    // The token helpers are marked for inlining: ReadyToRun code (what runs until the JIT has
    // recompiled a hot method) otherwise calls them, and they run for every token.

    private Token Cur
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => TokenAt(_pos);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Token TokenAt(int i)
    {
        var range = _ranges[i];
        return new Token(_kinds[i], range.Start, range.End);
    }

    private TokenKind Kind
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _kinds[_pos];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TokenKind PeekKind(int offset)
    {
        var i = _pos + offset;
        return i < _count ? _kinds[i] : TokenKind.EndOfFile;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Token Advance()
    {
        var t = TokenAt(_pos);
        if (_pos < _count - 1) _pos++;
        _prevEnd = t.End;
        return t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TextSpan SpanFrom(int start) => new(start, Math.Max(start, _prevEnd) - start);

    // ---- diagnostics ----

    private void Error(string message, TextSpan span)
    {
        if (_diagnostics.Count >= MaxDiagnostics) return;
        _diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error, message, _source, span));
        _detectedAt.Add(Cur.Start);
    }

    /// <summary>Reports bison's "syntax error, unexpected X[, expecting Y]" at the current token, unless already recovering.</summary>
    private void Unexpected(string? expecting)
    {
        if (_panic || _aborted) return;
        _panic = true;
        if (++_syntaxErrors > MaxSyntaxErrors) return;
        var t = Cur;
        var message = "syntax error, unexpected " + TokenNames.Describe(t.Kind);
        if (expecting != null) message += ", expecting " + expecting;
        // As in Nix, an unexpected end of file is reported where the input ends.
        var span = t.Kind == TokenKind.EndOfFile ? new TextSpan(t.End, 0) : t.Span;
        Error(message, span);
    }

    private bool Expect(TokenKind kind, string? expecting)
    {
        if (Kind == kind)
        {
            Advance();
            _panic = false;
            return true;
        }
        Unexpected(expecting);
        return false;
    }

    /// <summary>
    /// Expects a closing token. If it is not there, reports the error and skips ahead to it,
    /// unless a token that closes an enclosing construct comes first.
    /// </summary>
    private bool ExpectClosing(TokenKind kind, string? expecting, bool stopAtSeparators = true)
    {
        if (Kind == kind)
        {
            Advance();
            // 'then' and 'else' are weak anchors: after an error before them, what follows is
            // likely broken too, so stay quiet until a stronger one.
            if (kind is not (TokenKind.Then or TokenKind.Else)) _panic = false;
            return true;
        }
        Unexpected(expecting);
        var i = _pos;
        var depth = 0;
        while (i < _count)
        {
            var k = _kinds[i];
            if (depth == 0 && k == kind)
            {
                while (_pos < i) Advance();
                Advance();
                if (kind is not (TokenKind.Then or TokenKind.Else)) _panic = false;
                return true;
            }
            if (k == TokenKind.EndOfFile) return false;
            if (IsOpener(k))
            {
                depth++;
            }
            else if (IsCloser(k))
            {
                if (depth == 0) return false;
                depth--;
            }
            else if (depth == 0 && stopAtSeparators && (k == TokenKind.Semicolon || k == TokenKind.In))
            {
                return false;
            }
            i++;
        }
        return false;
    }

    private static bool IsOpener(TokenKind k) =>
        k is TokenKind.LeftParen or TokenKind.LeftBracket or TokenKind.LeftBrace or TokenKind.DollarCurly;

    private static bool IsCloser(TokenKind k) =>
        k is TokenKind.RightParen or TokenKind.RightBracket or TokenKind.RightBrace;

    private ErrorExpr ErrorAtCurrent() => new(new TextSpan(Cur.Start, 0));

    // ---- nesting guard ----

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Enter()
    {
        _depth++;
        if (_aborted) return false;
        // The stack probe is cheap but not free; a few levels between probes stay far inside its safety margin.
        if (_depth > MaxDepth || ((_depth & 15) == 0 && !RuntimeHelpers.TryEnsureSufficientExecutionStack()))
        {
            Abort();
            return false;
        }
        return true;
    }

    private void Abort()
    {
        if (_aborted) return;
        Error("expression nested too deeply", new TextSpan(Cur.Start, 0));
        _aborted = true;
        _pos = _count - 1;
    }

    // ---- names ----

    /// <summary>
    /// The identifier's symbol; <paramref name="name"/> is its string, one instance per name (so
    /// that names can be compared by reference). The symbol is kept in the tree for the compiler.
    /// </summary>
    private int Intern(Token t, out string name)
    {
        var sym = _names.Intern(_bytes, _bytesStart + t.Start, t.Length);
        name = _names.Text(sym);
        return sym;
    }

    /// <summary>The identifier's symbol, for nodes that make its string only when asked (<see cref="VarExpr.Name"/>).</summary>
    private int Intern(Token t) => _names.Intern(_bytes, _bytesStart + t.Start, t.Length);

    // ---- expressions ----

    private Expr ParseExpr() => ParseFunction();

    /// <summary><c>expr_function</c>: lambdas, <c>assert</c>, <c>with</c>, <c>let … in</c>, or an <c>expr_if</c>.</summary>
    private Expr ParseFunction()
    {
        if (!Enter())
        {
            _depth--;
            return ErrorAtCurrent();
        }
        var result = ParseFunctionCore();
        _depth--;
        return result;
    }

    private Expr ParseFunctionCore()
    {
        var start = Cur.Start;
        switch (Kind)
        {
            case TokenKind.Identifier:
                if (PeekKind(1) == TokenKind.Colon)
                {
                    var nameToken = Advance();
                    var paramSym = Intern(nameToken, out var paramName);
                    var param = new IdentParameter(nameToken.Span, paramName) { Sym = paramSym };
                    Advance(); // ':'
                    var body = ParseFunction();
                    return new LambdaExpr(SpanFrom(start), param, body);
                }
                if (PeekKind(1) == TokenKind.At) return ParsePatternLambda();
                break;
            case TokenKind.LeftBrace:
                if (LooksLikeFormals()) return ParsePatternLambda();
                break;
            case TokenKind.Assert:
            {
                Advance();
                var condition = ParseExpr();
                ExpectClosing(TokenKind.Semicolon, "';'");
                var body = ParseFunction();
                return new AssertExpr(SpanFrom(start), condition, body);
            }
            case TokenKind.With:
            {
                Advance();
                var ns = ParseExpr();
                ExpectClosing(TokenKind.Semicolon, "';'");
                var body = ParseFunction();
                return new WithExpr(SpanFrom(start), ns, body);
            }
            case TokenKind.Let:
                if (PeekKind(1) != TokenKind.LeftBrace) return ParseLet();
                break;
        }
        return ParseIf();
    }

    private Expr ParseLet()
    {
        var start = Advance().Start; // 'let'
        var bindings = ParseBindings(BindingsOwner.Let, out var hasDynamic);
        ExpectClosing(TokenKind.In, bindings.Length == 0 ? "'in' or 'inherit'" : null);
        var body = ParseFunction();
        // Nix checks this when it reduces the whole `let … in body`.
        if (hasDynamic)
            Error("dynamic attributes not allowed in let", new TextSpan(start, 3));
        return new LetExpr(SpanFrom(start), bindings, body);
    }

    /// <summary><c>expr_if</c>.</summary>
    private Expr ParseIf()
    {
        if (Kind != TokenKind.If) return ParsePipes();
        var start = Advance().Start;
        var condition = ParseExpr();
        ExpectClosing(TokenKind.Then, "'then'");
        var then = ParseExpr();
        ExpectClosing(TokenKind.Else, "'else'");
        var @else = ParseExpr();
        return new IfExpr(SpanFrom(start), condition, then, @else);
    }

    /// <summary>
    /// The pipe operators need an experimental feature in Nix; the lexer has already reported
    /// them. They are parsed here only so that the rest of the file is still checked.
    /// </summary>
    private Expr ParsePipes()
    {
        var left = ParseBinary(1);
        while (Kind is TokenKind.PipeInto or TokenKind.PipeFrom)
        {
            var into = Advance().Kind == TokenKind.PipeInto;
            var right = ParseBinary(1);
            var span = TextSpan.Cover(left.Span, right.Span);
            left = into ? new ApplyExpr(span, right, left) : new ApplyExpr(span, left, right);
        }
        return left;
    }

    private enum Assoc : byte { Left, Right, None }

    // Precedences from Nix's parser.y, loosest first; 7 is prefix '!', 12 prefix '-'.
    private const int PrecNot = 7;
    private const int PrecNegate = 12;

    private static int BinaryPrecedence(TokenKind kind, out Assoc assoc, out BinaryOperator op)
    {
        op = default;
        assoc = Assoc.Left;
        switch (kind)
        {
            case TokenKind.Implies: op = BinaryOperator.Implies; assoc = Assoc.Right; return 1;
            case TokenKind.Or: op = BinaryOperator.Or; return 2;
            case TokenKind.And: op = BinaryOperator.And; return 3;
            case TokenKind.Equal: op = BinaryOperator.Equal; assoc = Assoc.None; return 4;
            case TokenKind.NotEqual: op = BinaryOperator.NotEqual; assoc = Assoc.None; return 4;
            case TokenKind.Less: op = BinaryOperator.Less; assoc = Assoc.None; return 5;
            case TokenKind.LessOrEqual: op = BinaryOperator.LessOrEqual; assoc = Assoc.None; return 5;
            case TokenKind.Greater: op = BinaryOperator.Greater; assoc = Assoc.None; return 5;
            case TokenKind.GreaterOrEqual: op = BinaryOperator.GreaterOrEqual; assoc = Assoc.None; return 5;
            case TokenKind.Update: op = BinaryOperator.Update; assoc = Assoc.Right; return 6;
            case TokenKind.Plus: op = BinaryOperator.Add; return 8;
            case TokenKind.Minus: op = BinaryOperator.Subtract; return 8;
            case TokenKind.Star: op = BinaryOperator.Multiply; return 9;
            case TokenKind.Slash: op = BinaryOperator.Divide; return 9;
            case TokenKind.Concat: op = BinaryOperator.Concat; assoc = Assoc.Right; return 10;
            // Nominally non-associative, but bison never sees a conflict after `a ? b` (an attribute
            // path cannot continue with '?'), so `a ? b ? c` is `(a ? b) ? c` in Nix.
            case TokenKind.Question: return 11;
            default: return 0;
        }
    }

    /// <summary>
    /// <c>expr_op</c> by precedence climbing: binds every operator whose precedence is at least
    /// <paramref name="minPrecedence"/>. A prefix operator's operand binds only the operators
    /// tighter than the prefix operator itself, which is how bison's <c>%prec</c> resolves
    /// <c>!a + b</c> as <c>!(a + b)</c> and <c>-a + b</c> as <c>(-a) + b</c>.
    /// </summary>
    private Expr ParseBinary(int minPrecedence)
    {
        if (!Enter())
        {
            _depth--;
            return ErrorAtCurrent();
        }
        var start = Cur.Start;
        Expr left;
        if (Kind == TokenKind.Bang)
        {
            Advance();
            var operand = ParseBinary(PrecNot + 1);
            left = new UnaryExpr(SpanFrom(start), UnaryOperator.Not, operand);
        }
        else if (Kind == TokenKind.Minus)
        {
            Advance();
            var operand = ParseBinary(PrecNegate + 1);
            left = new UnaryExpr(SpanFrom(start), UnaryOperator.Negate, operand);
        }
        else
        {
            left = ParseApp();
        }

        var chain = 0;
        while (true)
        {
            var precedence = BinaryPrecedence(Kind, out var assoc, out var op);
            if (precedence == 0 || precedence < minPrecedence) break;
            if (++chain > MaxChain)
            {
                Abort();
                break;
            }
            if (Kind == TokenKind.Question)
            {
                Advance();
                var path = ParseAttrPath();
                left = path == null ? new ErrorExpr(SpanFrom(start)) : new HasAttrExpr(SpanFrom(start), left, path);
            }
            else
            {
                Advance();
                var right = ParseBinary(assoc == Assoc.Right ? precedence : precedence + 1);
                left = new BinaryExpr(SpanFrom(start), op, left, right);
            }
            // Non-associative operators: `a == b == c` and `a < b < c` are syntax errors.
            if (assoc == Assoc.None && BinaryPrecedence(Kind, out _, out _) == precedence) Unexpected(null);
        }
        _depth--;
        return left;
    }

    /// <summary><c>expr_app</c>: left-nested application of <c>expr_select</c>s.</summary>
    private Expr ParseApp()
    {
        var function = ParseSelect();
        // A cursed `or` that makes up the whole application keeps its meaning when `or` becomes
        // an identifier: no warning for `map or [ ]` or `f (g or)` (as Nix's grammar resets it).
        if (ReferenceEquals(function, _cursedOr)) _cursedOr = null;
        var chain = 0;
        while (StartsSimple(Kind))
        {
            if (++chain > MaxChain)
            {
                Abort();
                break;
            }
            var argument = ParseSelect();
            WarnIfCursedOr(argument);
            function = new ApplyExpr(TextSpan.Cover(function.Span, argument.Span), function, argument);
        }
        return function;
    }

    /// <summary>Tokens that can begin an <c>expr_simple</c> (and so an argument or a list element).</summary>
    private static bool StartsSimple(TokenKind kind) => kind switch
    {
        TokenKind.Identifier or TokenKind.Integer or TokenKind.Float or TokenKind.Quote or TokenKind.IndentedOpen
            or TokenKind.Path or TokenKind.HomePath or TokenKind.SearchPath or TokenKind.Uri
            or TokenKind.LeftParen or TokenKind.LeftBrace or TokenKind.LeftBracket or TokenKind.Rec or TokenKind.Let => true,
        _ => false,
    };

    /// <summary><c>expr_select</c>: <c>e.a.b</c>, <c>e.a.b or d</c>, and the legacy <c>f or</c> (application to a variable named <c>or</c>).</summary>
    private Expr ParseSelect()
    {
        if (!Enter())
        {
            _depth--;
            return ErrorAtCurrent();
        }
        var start = Cur.Start;
        var target = ParseSimple();
        Expr result = target;
        if (Kind == TokenKind.Dot)
        {
            Advance();
            var path = ParseAttrPath();
            if (path == null)
            {
                result = new ErrorExpr(SpanFrom(start));
            }
            else
            {
                Expr? orDefault = null;
                if (Kind == TokenKind.OrKeyword)
                {
                    Advance();
                    orDefault = ParseSelect();
                    WarnIfCursedOr(orDefault);
                }
                result = new SelectExpr(SpanFrom(start), target, path, orDefault);
            }
        }
        else if (Kind == TokenKind.OrKeyword)
        {
            var orToken = Advance();
            result = _cursedOr = new ApplyExpr(SpanFrom(start), target, new VarExpr(orToken.Span, "or"));
        }
        _depth--;
        return result;
    }

    /// <summary>
    /// Warns, as current Nix does, where a legacy <c>f or</c> (an application to a variable named
    /// <c>or</c>) is an argument, a list element or an <c>or</c> default: there its meaning will
    /// change once <c>or</c> is an ordinary identifier (NixOS/nix#11118).
    /// </summary>
    private void WarnIfCursedOr(Expr e)
    {
        if (!ReferenceEquals(e, _cursedOr)) return;
        _cursedOr = null;
        var snippet = _source.TextOf(e.Span);
        var message = "This expression uses `or` as an identifier in a way that will change in a future Nix release.\n"
            + "Wrap this entire expression in parentheses to preserve its current meaning:\n"
            + "    (" + snippet + ")\n"
            + "Give feedback at https://github.com/NixOS/nix/pull/11121";
        _diagnostics.Add(new Diagnostic(DiagnosticSeverity.Warning, message, _source, e.Span) { LocationFirst = true });
        _detectedAt.Add(Cur.Start);
    }

    /// <summary>An attribute path after <c>.</c> or <c>?</c>, or as a binding's left side; null (error reported) if not even one name is there.</summary>
    private AttrPath? ParseAttrPath()
    {
        var start = Cur.Start;
        if (Kind == TokenKind.Identifier && (_pos + 1 >= _count || _kinds[_pos + 1] != TokenKind.Dot))
        {
            // `x.a`, most selections: the name stays a symbol (see AttrPath.IdentSym).
            var nameToken = Advance();
            return new AttrPath(nameToken.Span, Intern(nameToken), _names);
        }
        var first = ParseAttrName();
        if (first == null)
        {
            Unexpected("identifier or 'or' or '${' or '\"'");
            return null;
        }
        if (Kind != TokenKind.Dot) return new AttrPath(SpanFrom(start), first);
        return ParseRestOfPath(start, first);
    }

    /// <summary>The rest of an attribute path that starts at <paramref name="start"/> with <paramref name="first"/>, at the first <c>.</c>.</summary>
    private AttrPath ParseRestOfPath(int start, AttrName first)
    {
        var names = _scratchSpace.NameLists.Rent();
        names.Add(first);
        while (Kind == TokenKind.Dot)
        {
            Advance();
            var next = ParseAttrName();
            if (next == null)
            {
                Unexpected("identifier or 'or' or '${' or '\"'");
                break;
            }
            names.Add(next);
        }
        return new AttrPath(SpanFrom(start), _scratchSpace.NameLists.ToArrayAndReturn(names));
    }

    /// <summary>One attribute name (<c>attr</c> or <c>string_attr</c>), or null if the current token cannot start one.</summary>
    private AttrName? ParseAttrName()
    {
        var t = Cur;
        switch (t.Kind)
        {
            case TokenKind.Identifier:
            {
                Advance();
                return new IdentAttrName(t.Span, Intern(t), _names);
            }
            case TokenKind.OrKeyword:
                Advance();
                return new IdentAttrName(t.Span, "or");
            case TokenKind.Quote:
            {
                var s = ParseString();
                return new StringAttrName(s.Span, s);
            }
            case TokenKind.DollarCurly:
            {
                Advance();
                var e = ParseExpr();
                ExpectClosing(TokenKind.RightBrace, "'}'", stopAtSeparators: false);
                return new DynamicAttrName(SpanFrom(t.Start), e);
            }
            default:
                return null;
        }
    }

    /// <summary><c>expr_simple</c>.</summary>
    private Expr ParseSimple()
    {
        var t = Cur;
        switch (t.Kind)
        {
            case TokenKind.Identifier:
            {
                Advance();
                return new VarExpr(t.Span, Intern(t), _names);
            }
            case TokenKind.Integer:
                Advance();
                return ParseInteger(t);
            case TokenKind.Float:
                Advance();
                return ParseFloat(t);
            case TokenKind.Quote:
                return ParseString();
            case TokenKind.IndentedOpen:
                return ParseIndentedString();
            case TokenKind.Path:
            case TokenKind.HomePath:
                return ParsePath();
            case TokenKind.SearchPath:
                Advance();
                return new SearchPathExpr(t.Span, Ascii(t.Start + 1, t.End - 1));
            case TokenKind.Uri:
                Advance();
                return new UriExpr(t.Span, Ascii(t.Start, t.End));
            case TokenKind.LeftParen:
            {
                Advance();
                var inner = ParseExpr();
                ExpectClosing(TokenKind.RightParen, "')'");
                return new ParenExpr(SpanFrom(t.Start), inner);
            }
            case TokenKind.LeftBracket:
                return ParseList();
            case TokenKind.LeftBrace:
            {
                Advance();
                var bindings = ParseBindings(BindingsOwner.Set, out _);
                ExpectClosing(TokenKind.RightBrace, null);
                return new AttrSetExpr(SpanFrom(t.Start), false, bindings);
            }
            case TokenKind.Rec:
            {
                Advance();
                if (!Expect(TokenKind.LeftBrace, "'{'")) return new ErrorExpr(SpanFrom(t.Start));
                var bindings = ParseBindings(BindingsOwner.RecSet, out _);
                ExpectClosing(TokenKind.RightBrace, bindings.Length == 0 ? "'inherit' or '}'" : null);
                return new AttrSetExpr(SpanFrom(t.Start), true, bindings);
            }
            case TokenKind.Let:
            {
                // The legacy `let { …; body = …; }`.
                Advance();
                if (!Expect(TokenKind.LeftBrace, "'{'")) return new ErrorExpr(SpanFrom(t.Start));
                var bindings = ParseBindings(BindingsOwner.RecSet, out _);
                ExpectClosing(TokenKind.RightBrace, bindings.Length == 0 ? "'inherit' or '}'" : null);
                return new LegacyLetExpr(SpanFrom(t.Start), bindings);
            }
            default:
                Unexpected(null);
                // Leave tokens that close an enclosing construct for it; skip anything else.
                if (!IsSyncToken(t.Kind)) Advance();
                return new ErrorExpr(t.Kind == TokenKind.EndOfFile ? new TextSpan(t.End, 0) : t.Span);
        }
    }

    private static bool IsSyncToken(TokenKind kind) => kind switch
    {
        TokenKind.EndOfFile or TokenKind.Semicolon or TokenKind.RightBrace or TokenKind.RightBracket or TokenKind.RightParen
            or TokenKind.In or TokenKind.Then or TokenKind.Else or TokenKind.IndentedClose or TokenKind.PathEnd => true,
        _ => false,
    };

    private Expr ParseList()
    {
        var start = Advance().Start; // '['
        var items = _scratchSpace.ExprLists.Rent();
        while (true)
        {
            var k = Kind;
            if (k == TokenKind.RightBracket)
            {
                Advance();
                _panic = false;
                break;
            }
            if (StartsSimple(k))
            {
                var item = ParseSelect();
                WarnIfCursedOr(item);
                items.Add(item);
                continue;
            }
            Unexpected(null);
            if (k is TokenKind.EndOfFile or TokenKind.RightParen or TokenKind.RightBrace or TokenKind.Semicolon or TokenKind.In)
                break;
            Advance();
        }
        return new ListExpr(SpanFrom(start), _scratchSpace.ExprLists.ToArrayAndReturn(items));
    }
}
