namespace Tvix.Eval.Syntax;

// The Nix syntax tree. Nodes are immutable and carry the byte span of the source they came
// from; the compiler, diagnostics and `unsafeGetAttrPos` read positions from these spans.

/// <summary>Base of every expression node.</summary>
public abstract class Expr
{
    /// <summary>Creates a node covering <paramref name="span"/>.</summary>
    protected Expr(TextSpan span) => Span = span;

    /// <summary>The source bytes this node was parsed from.</summary>
    public TextSpan Span { get; }

    /// <summary>
    /// Which node this is, for the compiler's dispatch: one virtual call and a jump table, where
    /// a chain of type tests costs a runtime helper call per test in ReadyToRun code.
    /// </summary>
    internal virtual ExprKind NodeKind => ExprKind.Other;
}

/// <summary>The concrete node types, see <see cref="Expr.NodeKind"/>.</summary>
internal enum ExprKind : byte
{
    Other, Int, Float, String, Path, SearchPath, Uri, Var, Select, HasAttr, AttrSet, Let, LegacyLet,
    With, Assert, If, Lambda, Apply, List, Unary, Binary, Paren, Error,
}

/// <summary>An integer literal: <c>42</c>.</summary>
public sealed class IntLiteral(TextSpan span, long value) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Int;

    /// <summary>The value.</summary>
    public long Value { get; } = value;
}

/// <summary>A float literal: <c>1.5</c>, <c>.5</c>, <c>1e3</c>.</summary>
public sealed class FloatLiteral(TextSpan span, double value) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Float;

    /// <summary>The value.</summary>
    public double Value { get; } = value;
}

/// <summary>
/// A string, <c>"a${b}c"</c> or <c>''a${b}c''</c>. Escapes are already resolved and, for
/// indented strings, the common indentation is already stripped: <see cref="Parts"/> holds the
/// final bytes and interpolations in order.
/// </summary>
public sealed class StringExpr : Expr
{
    // A plain "…" (one fragment, nothing to unescape: most strings) keeps a reference to the
    // source instead of its parts, which are made when first read (see PlainLiteral).
    private IReadOnlyList<StringPart>? _parts;
    private readonly PlainLiteral _plain;

    /// <summary>Creates a string of <paramref name="parts"/>.</summary>
    public StringExpr(TextSpan span, IReadOnlyList<StringPart> parts, bool isIndented) : base(span)
    {
        _parts = parts;
        IsIndented = isIndented;
    }

    /// <summary>A plain <c>"…"</c> whose bytes are the source's between the quotes.</summary>
    internal StringExpr(TextSpan span, PlainLiteral plain) : base(span) => _plain = plain;

    internal override ExprKind NodeKind => ExprKind.String;

    /// <summary>Literal bytes and interpolations, in order. Adjacent literals are merged.</summary>
    public IReadOnlyList<StringPart> Parts => _parts ?? _plain.MakeParts(ref _parts, PlainSpan);

    /// <summary>Whether the source used <c>''…''</c>.</summary>
    public bool IsIndented { get; }

    private TextSpan PlainSpan => new(Span.Start + 1, Span.Length - 2);

    /// <summary>Whether the string is one literal, without interpolation (<see cref="Parts"/> is empty or one <see cref="LiteralPart"/>).</summary>
    internal bool IsLiteral => _plain.IsSet || _parts!.Count == 0 || (_parts.Count == 1 && _parts[0] is LiteralPart);

    /// <summary>The bytes of a string that <see cref="IsLiteral"/>, without making its parts.</summary>
    internal ReadOnlySpan<byte> LiteralBytes => _plain.IsSet ? _plain.Bytes(PlainSpan)
        : _parts!.Count == 0 ? default : ((LiteralPart)_parts[0]).Bytes;
}

/// <summary>
/// The source of a literal that is a span of it as written (a plain string or path): the parser
/// makes no copy of its bytes, no part and no part array; <see cref="MakeParts"/> makes them when
/// a reader of the public tree asks, and the compiler reads the bytes in place.
/// </summary>
internal readonly struct PlainLiteral(byte[] source, int sourceStart)
{
    /// <summary>The array that holds the source, and where the source starts in it.</summary>
    private readonly byte[] _source = source;
    private readonly int _sourceStart = sourceStart;

    /// <summary>Whether the node was made from the source (false for a node made from parts).</summary>
    public bool IsSet => _source is not null;

    public ReadOnlySpan<byte> Bytes(TextSpan span) => new(_source, _sourceStart + span.Start, span.Length);

    /// <summary>The one-literal parts, made once (a race between threads keeps the first).</summary>
    public IReadOnlyList<StringPart> MakeParts(ref IReadOnlyList<StringPart>? parts, TextSpan span)
    {
        StringPart[] made = [new LiteralPart(span, Bytes(span).ToArray())];
        return Interlocked.CompareExchange(ref parts, made, null) ?? made;
    }
}

/// <summary>One piece of a string or path: literal bytes or an interpolated expression.</summary>
public abstract class StringPart(TextSpan span)
{
    /// <summary>Where this part is in the source.</summary>
    public TextSpan Span { get; } = span;
}

/// <summary>Literal bytes inside a string or path.</summary>
public sealed class LiteralPart(TextSpan span, byte[] bytes) : StringPart(span)
{
    /// <summary>The bytes, escapes resolved.</summary>
    public byte[] Bytes { get; } = bytes;
}

/// <summary><c>${expr}</c> inside a string or path.</summary>
public sealed class InterpolationPart(TextSpan span, Expr expression) : StringPart(span)
{
    /// <summary>The interpolated expression.</summary>
    public Expr Expression { get; } = expression;
}

/// <summary>Which kind of path literal.</summary>
public enum PathKind
{
    /// <summary><c>./a</c>, <c>a/b</c>, <c>../x</c>: resolved against the directory of the source.</summary>
    Relative,
    /// <summary><c>/a/b</c>.</summary>
    Absolute,
    /// <summary><c>~/a</c>: resolved against <c>$HOME</c>.</summary>
    Home,
}

/// <summary>
/// A path literal, possibly with interpolation (<c>./foo/${x}.nix</c>). The parts are the raw
/// path text; resolving it (relative to the file, <c>~</c>, canonicalisation) is the compiler's job.
/// </summary>
public sealed class PathExpr : Expr
{
    // A path without interpolation is its source text: see PlainLiteral.
    private IReadOnlyList<StringPart>? _parts;
    private readonly PlainLiteral _plain;

    /// <summary>Creates a path of <paramref name="parts"/>.</summary>
    public PathExpr(TextSpan span, PathKind kind, IReadOnlyList<StringPart> parts) : base(span)
    {
        Kind = kind;
        _parts = parts;
    }

    /// <summary>A path without interpolation, whose text is the source's in <paramref name="span"/>.</summary>
    internal PathExpr(TextSpan span, PathKind kind, PlainLiteral plain) : base(span)
    {
        Kind = kind;
        _plain = plain;
    }

    internal override ExprKind NodeKind => ExprKind.Path;

    /// <summary>Relative, absolute or home.</summary>
    public PathKind Kind { get; }

    /// <summary>The path text as written, with interpolations.</summary>
    public IReadOnlyList<StringPart> Parts => _parts ?? _plain.MakeParts(ref _parts, Span);

    /// <summary>Whether this is a path without interpolation made by the parser, whose text is <see cref="PlainText"/>.</summary>
    internal bool IsPlain => _plain.IsSet;

    /// <summary>The text of a path that <see cref="IsPlain"/>, in place in the source.</summary>
    internal ReadOnlySpan<byte> PlainText => _plain.Bytes(Span);
}

/// <summary>A search path, <c>&lt;nixpkgs/lib&gt;</c>: looked up with <c>builtins.findFile builtins.nixPath</c>.</summary>
public sealed class SearchPathExpr(TextSpan span, string path) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.SearchPath;

    /// <summary>The text between the angle brackets.</summary>
    public string Path { get; } = path;
}

/// <summary>An unquoted URI literal, <c>https://example.org/x</c>: a plain string.</summary>
public sealed class UriExpr(TextSpan span, string uri) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Uri;

    /// <summary>The URI text.</summary>
    public string Uri { get; } = uri;
}

/// <summary>A variable reference: <c>x</c>, <c>true</c>, <c>builtins</c>.</summary>
public sealed class VarExpr : Expr
{
    // The name, or the symbol table that has it as the text of Sym: the parser leaves the string
    // to be made when it is read (the compiler works with symbols; see IdentAttrName).
    private readonly object _name;

    /// <summary>Creates a reference to <paramref name="name"/>.</summary>
    public VarExpr(TextSpan span, string name) : base(span) => _name = name;

    /// <summary>A reference to the symbol <paramref name="sym"/> of <paramref name="names"/>.</summary>
    internal VarExpr(TextSpan span, int sym, Runtime.SymbolTable names) : base(span)
    {
        _name = names;
        Sym = sym;
    }

    internal override ExprKind NodeKind => ExprKind.Var;

    /// <summary>The identifier.</summary>
    public string Name => _name as string ?? ((Runtime.SymbolTable)_name).Text(Sym);

    /// <summary>The name's symbol in the symbol table the parser interned it into, or -1 (see <see cref="ParserScratch"/>).</summary>
    internal int Sym = -1;

    /// <summary>Whether this is <c>__curPos</c> (compared without making the name's string).</summary>
    internal bool IsCurPos => _name is string name ? name == "__curPos"
        : ((Runtime.SymbolTable)_name).Bytes(Sym).AsSpan().SequenceEqual("__curPos"u8);
}

/// <summary><c>e.a.b</c> or <c>e.a.b or default</c>.</summary>
public sealed class SelectExpr(TextSpan span, Expr target, AttrPath path, Expr? orDefault) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Select;

    /// <summary>The expression selected from.</summary>
    public Expr Target { get; } = target;

    /// <summary>The attribute path.</summary>
    public AttrPath Path { get; } = path;

    /// <summary>The <c>or</c> default, if any.</summary>
    public Expr? OrDefault { get; } = orDefault;
}

/// <summary><c>e ? a.b</c>.</summary>
public sealed class HasAttrExpr(TextSpan span, Expr target, AttrPath path) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.HasAttr;

    /// <summary>The expression tested.</summary>
    public Expr Target { get; } = target;

    /// <summary>The attribute path.</summary>
    public AttrPath Path { get; } = path;
}

/// <summary><c>{ … }</c> or <c>rec { … }</c>.</summary>
public sealed class AttrSetExpr(TextSpan span, bool isRecursive, IReadOnlyList<Binding> bindings) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.AttrSet;

    /// <summary>Whether <c>rec</c> was written.</summary>
    public bool IsRecursive { get; } = isRecursive;

    /// <summary>The bindings in source order (nested paths not yet merged).</summary>
    public IReadOnlyList<Binding> Bindings { get; } = bindings;
}

/// <summary><c>let … in body</c>.</summary>
public sealed class LetExpr(TextSpan span, IReadOnlyList<Binding> bindings, Expr body) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Let;

    /// <summary>The bindings in source order.</summary>
    public IReadOnlyList<Binding> Bindings { get; } = bindings;

    /// <summary>The body.</summary>
    public Expr Body { get; } = body;
}

/// <summary>The legacy <c>let { …; body = e; }</c>: a recursive set whose <c>body</c> is the value.</summary>
public sealed class LegacyLetExpr(TextSpan span, IReadOnlyList<Binding> bindings) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.LegacyLet;

    /// <summary>The bindings in source order.</summary>
    public IReadOnlyList<Binding> Bindings { get; } = bindings;
}

/// <summary><c>with ns; body</c>.</summary>
public sealed class WithExpr(TextSpan span, Expr @namespace, Expr body) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.With;

    /// <summary>The attribute set whose names come into scope.</summary>
    public Expr Namespace { get; } = @namespace;

    /// <summary>The body.</summary>
    public Expr Body { get; } = body;
}

/// <summary><c>assert cond; body</c>.</summary>
public sealed class AssertExpr(TextSpan span, Expr condition, Expr body) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Assert;

    /// <summary>The condition.</summary>
    public Expr Condition { get; } = condition;

    /// <summary>The body.</summary>
    public Expr Body { get; } = body;
}

/// <summary><c>if c then a else b</c>.</summary>
public sealed class IfExpr(TextSpan span, Expr condition, Expr then, Expr @else) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.If;

    /// <summary>The condition.</summary>
    public Expr Condition { get; } = condition;

    /// <summary>The <c>then</c> branch.</summary>
    public Expr Then { get; } = then;

    /// <summary>The <c>else</c> branch.</summary>
    public Expr Else { get; } = @else;
}

/// <summary>A function: <c>x: body</c> or <c>{ a, b ? 1, ... } @ args: body</c>.</summary>
public sealed class LambdaExpr(TextSpan span, Parameter parameter, Expr body) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Lambda;

    /// <summary>The parameter.</summary>
    public Parameter Parameter { get; } = parameter;

    /// <summary>The body.</summary>
    public Expr Body { get; } = body;
}

/// <summary>Function application: <c>f x</c>.</summary>
public sealed class ApplyExpr(TextSpan span, Expr function, Expr argument) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Apply;

    /// <summary>The function.</summary>
    public Expr Function { get; } = function;

    /// <summary>The argument.</summary>
    public Expr Argument { get; } = argument;
}

/// <summary><c>[ a b c ]</c>.</summary>
public sealed class ListExpr(TextSpan span, IReadOnlyList<Expr> items) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.List;

    /// <summary>The elements.</summary>
    public IReadOnlyList<Expr> Items { get; } = items;
}

/// <summary><c>-e</c> or <c>!e</c>.</summary>
public sealed class UnaryExpr(TextSpan span, UnaryOperator op, Expr operand) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Unary;

    /// <summary>The operator.</summary>
    public UnaryOperator Operator { get; } = op;

    /// <summary>The operand.</summary>
    public Expr Operand { get; } = operand;
}

/// <summary>A binary operator application, <c>a + b</c>.</summary>
public sealed class BinaryExpr(TextSpan span, BinaryOperator op, Expr left, Expr right) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Binary;

    /// <summary>The operator.</summary>
    public BinaryOperator Operator { get; } = op;

    /// <summary>The left operand.</summary>
    public Expr Left { get; } = left;

    /// <summary>The right operand.</summary>
    public Expr Right { get; } = right;
}

/// <summary>A parenthesised expression, kept so spans and round trips are faithful.</summary>
public sealed class ParenExpr(TextSpan span, Expr inner) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Paren;

    /// <summary>The inner expression.</summary>
    public Expr Inner { get; } = inner;
}

/// <summary>Stands where the parser recovered from a syntax error; never evaluated.</summary>
public sealed class ErrorExpr(TextSpan span) : Expr(span)
{
    internal override ExprKind NodeKind => ExprKind.Error;
}

/// <summary>Unary operators.</summary>
public enum UnaryOperator
{
    /// <summary><c>-e</c>.</summary>
    Negate,
    /// <summary><c>!e</c>.</summary>
    Not,
}

/// <summary>Binary operators (function application and <c>?</c>, <c>.</c> are their own nodes).</summary>
public enum BinaryOperator
{
    /// <summary><c>+</c></summary>
    Add,
    /// <summary><c>-</c></summary>
    Subtract,
    /// <summary><c>*</c></summary>
    Multiply,
    /// <summary><c>/</c></summary>
    Divide,
    /// <summary><c>++</c></summary>
    Concat,
    /// <summary><c>//</c></summary>
    Update,
    /// <summary><c>==</c></summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
    /// <summary><c>&lt;</c></summary>
    Less,
    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,
    /// <summary><c>&gt;</c></summary>
    Greater,
    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,
    /// <summary><c>&amp;&amp;</c></summary>
    And,
    /// <summary><c>||</c></summary>
    Or,
    /// <summary><c>-&gt;</c></summary>
    Implies,
}
