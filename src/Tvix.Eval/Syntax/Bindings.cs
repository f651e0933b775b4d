using System.Runtime.CompilerServices;

namespace Tvix.Eval.Syntax;

/// <summary>A dotted attribute path: <c>a.${b}."c d"</c>.</summary>
public sealed class AttrPath
{
    // Most paths are one name (`a = …;`, `x.a`): that one is kept alone, without a list, until
    // Names is read; the parser and compiler use Count and NameAt instead. A plain identifier
    // from the parser is not even an AttrName until one is asked for: _single holds the symbol
    // table, and the name is _sym, written at Span (see IdentSym).
    private object? _single;
    private readonly AttrName[]? _array;
    private IReadOnlyList<AttrName>? _names;
    private readonly int _sym = -1;

    /// <summary>Creates a path of <paramref name="names"/> (at least one).</summary>
    public AttrPath(TextSpan span, IReadOnlyList<AttrName> names)
    {
        Span = span;
        _names = names;
        _array = names as AttrName[];
    }

    /// <summary>A path of one name.</summary>
    internal AttrPath(TextSpan span, AttrName single)
    {
        Span = span;
        _single = single;
    }

    /// <summary>A path of the one identifier <paramref name="sym"/> of <paramref name="names"/>, written at <paramref name="span"/>.</summary>
    internal AttrPath(TextSpan span, int sym, Runtime.SymbolTable names)
    {
        Span = span;
        _single = names;
        _sym = sym;
    }

    /// <summary>Where the path is in the source.</summary>
    public TextSpan Span { get; }

    /// <summary>The components, at least one.</summary>
    public IReadOnlyList<AttrName> Names => _names ??= new[] { NameAt(0) };

    /// <summary>The number of components.</summary>
    internal int Count => _single is not null ? 1 : _array?.Length ?? _names!.Count;

    /// <summary>Component <paramref name="index"/> (without going through the <see cref="Names"/> interface; made now for an identifier kept as a symbol).</summary>
    internal AttrName NameAt(int index)
    {
        var single = _single;
        if (single is null) return _array is not null ? _array[index] : _names![index];
        return single is Runtime.SymbolTable table ? Unsafe.As<AttrName>(_single = new IdentAttrName(Span, _sym, table)) : Unsafe.As<AttrName>(single);
    }

    /// <summary>
    /// The symbol (in the parse's table) of the path's one name when the parser kept that
    /// identifier as a symbol, or -1: then <see cref="NameAt"/> tells what the names are.
    /// </summary>
    internal int IdentSym => _sym;
}

/// <summary>One component of an attribute path.</summary>
public abstract class AttrName(TextSpan span)
{
    /// <summary>Where the component is in the source.</summary>
    public TextSpan Span { get; } = span;

    /// <summary>The name when it is known without evaluation (an identifier, or a string without interpolation); otherwise null.</summary>
    public abstract byte[]? StaticName { get; }
}

/// <summary>A plain identifier component: <c>a</c>.</summary>
public sealed class IdentAttrName : AttrName
{
    // The name, or the symbol table that has it as the text of Sym: the parser leaves the string
    // to be made when it is read, since the compiler works with symbols and most names (a
    // package set's thousands of attributes) are never wanted as .NET strings.
    private readonly object _name;

    /// <summary>Creates a component named <paramref name="name"/>.</summary>
    public IdentAttrName(TextSpan span, string name) : base(span) => _name = name;

    /// <summary>A component named by the symbol <paramref name="sym"/> of <paramref name="names"/>.</summary>
    internal IdentAttrName(TextSpan span, int sym, Runtime.SymbolTable names) : base(span)
    {
        _name = names;
        Sym = sym;
    }

    /// <summary>The identifier.</summary>
    public string Name => _name as string ?? ((Runtime.SymbolTable)_name).Text(Sym);

    /// <summary>The name's symbol in the symbol table the parser interned it into, or -1.</summary>
    internal int Sym = -1;

    /// <inheritdoc />
    public override byte[]? StaticName => System.Text.Encoding.UTF8.GetBytes(Name);
}

/// <summary>A quoted component: <c>"a b"</c> or <c>"${x}y"</c>.</summary>
public sealed class StringAttrName(TextSpan span, StringExpr value) : AttrName(span)
{
    /// <summary>The string.</summary>
    public StringExpr Value { get; } = value;

    /// <inheritdoc />
    public override byte[]? StaticName => Value.Parts switch
    {
        [] => [],
        [LiteralPart lit] => lit.Bytes,
        _ => null,
    };
}

/// <summary>A dynamic component: <c>${e}</c>.</summary>
public sealed class DynamicAttrName(TextSpan span, Expr expression) : AttrName(span)
{
    /// <summary>The expression that yields the name.</summary>
    public Expr Expression { get; } = expression;

    /// <summary>
    /// Null, except when the expression is a plain string literal (<c>${"a"}</c>, possibly in
    /// parentheses): Nix treats such a name as static, so it may stand in <c>let</c> and
    /// <c>inherit</c> and takes part in duplicate checks.
    /// </summary>
    public override byte[]? StaticName
    {
        get
        {
            var e = Expression;
            while (e is ParenExpr p) e = p.Inner;
            return e is StringExpr s ? s.Parts switch
            {
                [] => [],
                [LiteralPart lit] => lit.Bytes,
                _ => null,
            } : null;
        }
    }
}

/// <summary>A binding in an attribute set or <c>let</c>.</summary>
public abstract class Binding(TextSpan span)
{
    /// <summary>Where the binding is in the source.</summary>
    public TextSpan Span { get; } = span;
}

/// <summary><c>a.b.c = value;</c></summary>
public sealed class AttrBinding : Binding
{
    // Most bindings are `name = value;` (a package set has thousands): their one name is kept
    // without an AttrPath around it until Path is read; the parser and compiler use PathCount
    // and NameAt instead. One field holds either (an AttrName or an AttrPath), to keep the node
    // small. A plain identifier from the parser is not even an AttrName until one is asked for:
    // the field holds the symbol table, and the name is _sym and _nameSpan (see IdentSym).
    private object _name;
    private readonly int _sym = -1;
    private readonly TextSpan _nameSpan;

    /// <summary>Creates a binding of <paramref name="path"/> to <paramref name="value"/>.</summary>
    public AttrBinding(TextSpan span, AttrPath path, Expr value) : base(span)
    {
        _name = path;
        Value = value;
    }

    /// <summary>A binding of one name.</summary>
    internal AttrBinding(TextSpan span, AttrName single, Expr value) : base(span)
    {
        _name = single;
        Value = value;
    }

    /// <summary>A binding of the identifier <paramref name="sym"/> of <paramref name="names"/>, written at <paramref name="nameSpan"/>.</summary>
    internal AttrBinding(TextSpan span, int sym, TextSpan nameSpan, Runtime.SymbolTable names, Expr value) : base(span)
    {
        _name = names;
        _sym = sym;
        _nameSpan = nameSpan;
        Value = value;
    }

    /// <summary>The (possibly nested) attribute path.</summary>
    public AttrPath Path
    {
        get
        {
            if (_name is AttrPath path) return path;
            var single = NameAt(0);
            // A race between threads makes two equal paths; either is fine to keep.
            return (AttrPath)(_name = new AttrPath(single.Span, single));
        }
    }

    /// <summary>The value.</summary>
    public Expr Value { get; }

    /// <summary>The number of names in the path.</summary>
    internal int PathCount => _name is AttrPath path ? path.Count : 1;

    /// <summary>Name <paramref name="index"/> of the path (made now for an identifier kept as a symbol).</summary>
    internal AttrName NameAt(int index)
    {
        var name = _name;
        if (name is AttrPath path) return path.NameAt(index);
        return name is Runtime.SymbolTable names ? Unsafe.As<AttrName>(_name = new IdentAttrName(_nameSpan, _sym, names)) : Unsafe.As<AttrName>(name);
    }

    /// <summary>
    /// The symbol (in the parse's table) of the binding's one name when the parser kept that
    /// identifier as a symbol, or -1: then <see cref="NameAt"/> tells what the names are.
    /// </summary>
    internal int IdentSym => _sym;

    /// <summary>Where name <paramref name="index"/> of the path is in the source.</summary>
    internal TextSpan NameSpanAt(int index) => _sym >= 0 ? _nameSpan : NameAt(index).Span;

    /// <summary>Where the path is in the source.</summary>
    internal TextSpan PathSpan => _sym >= 0 ? _nameSpan : _name is AttrPath path ? path.Span : Unsafe.As<AttrName>(_name).Span;
}

/// <summary><c>inherit a b;</c> or <c>inherit (from) a "b";</c></summary>
public sealed class InheritBinding(TextSpan span, Expr? from, IReadOnlyList<AttrName> names) : Binding(span)
{
    /// <summary>The expression after <c>inherit</c> in parentheses, or null for the enclosing scope.</summary>
    public Expr? From { get; } = from;

    /// <summary>The inherited names (identifiers or strings; dynamic names are a syntax error).</summary>
    public IReadOnlyList<AttrName> Names { get; } = names;
}

/// <summary>A function parameter.</summary>
public abstract class Parameter(TextSpan span)
{
    /// <summary>Where the parameter is in the source.</summary>
    public TextSpan Span { get; } = span;
}

/// <summary><c>x:</c></summary>
public sealed class IdentParameter(TextSpan span, string name) : Parameter(span)
{
    /// <summary>The bound name.</summary>
    public string Name { get; } = name;

    /// <summary>The name's symbol in the symbol table the parser interned it into, or -1.</summary>
    internal int Sym = -1;
}

/// <summary><c>{ a, b ? d, ... } @ args:</c> (the <c>@</c> name may stand on either side).</summary>
public sealed class PatternParameter(TextSpan span, IReadOnlyList<Formal> formals, bool hasEllipsis, string? atName, bool atNameFirst) : Parameter(span)
{
    /// <summary>The formals in source order.</summary>
    public IReadOnlyList<Formal> Formals { get; } = formals;

    /// <summary>Whether <c>...</c> was written.</summary>
    public bool HasEllipsis { get; } = hasEllipsis;

    /// <summary>The <c>@</c>-bound name, or null.</summary>
    public string? AtName { get; } = atName;

    /// <summary>Whether the <c>@</c> name was written before the braces (<c>args @ { … }</c>).</summary>
    public bool AtNameFirst { get; } = atNameFirst;

    /// <summary>The <c>@</c> name's symbol in the symbol table the parser interned it into, or -1.</summary>
    internal int AtSym = -1;
}

/// <summary>One formal: <c>a</c> or <c>b ? default</c>.</summary>
public sealed class Formal(TextSpan span, string name, Expr? @default)
{
    /// <summary>Where the formal is in the source.</summary>
    public TextSpan Span { get; } = span;

    /// <summary>The name.</summary>
    public string Name { get; } = name;

    /// <summary>The default, or null.</summary>
    public Expr? Default { get; } = @default;

    /// <summary>The name's symbol in the symbol table the parser interned it into, or -1.</summary>
    internal int Sym = -1;
}
