using System.Runtime.CompilerServices;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Compiler;

/// <summary>
/// Whether a set member's expression may be compiled on its first run (<see cref="DeferredNode"/>):
/// it must become a thunk anyway (not a constant, variable, lambda or a select or operation the
/// back end can short-cut), and compiling it must report nothing, so that a file's static errors
/// are all reported when it loads, as Nix does. With the path and URL lints off, what compiling
/// can report is an undefined variable and a dynamic name in a <c>let</c> or an <c>inherit</c>
/// (the parser has already reported duplicates); this walk resolves every variable the way
/// <see cref="NixCompiler"/> does, without building anything. Constructs it does not follow
/// (attribute paths of several names, <c>let { }</c>, <c>&lt;x&gt;</c>, quoted names of a
/// <c>let</c>) make it answer no: the member is then compiled at once.
/// </summary>
internal sealed class DeferralCheck(EvalContext cx)
{
    private readonly EvalContext _cx = cx;
    // The names bound inside the member so far (innermost last), and how many withs enclose the
    // current point inside it.
    private int[] _names = new int[32];
    private int _count;
    private int _withs;
    // The compiler's scopes at the member, and whether one of them is a with.
    private Scope? _outer;
    private bool _outerWith;

    /// <summary>Whether <paramref name="e"/>, written where <paramref name="scope"/> is the compiler's scope, may be compiled on its first run.</summary>
    public bool CanDefer(Expr e, Scope? scope)
    {
        while (e.NodeKind == ExprKind.Paren) e = As<ParenExpr>(e).Inner;
        switch (e.NodeKind)
        {
            case ExprKind.Apply or ExprKind.AttrSet or ExprKind.Let or ExprKind.With or ExprKind.If
                or ExprKind.Assert or ExprKind.List or ExprKind.HasAttr or ExprKind.Unary:
                break;
            case ExprKind.String when !As<StringExpr>(e).IsLiteral && HasInterpolation(As<StringExpr>(e).Parts):
                break;
            default:
                return false;
        }
        _outer = scope;
        _outerWith = Scope.AnyWith(scope);
        _count = 0;
        _withs = 0;
        return Clean(e);
    }

    private static bool HasInterpolation(IReadOnlyList<StringPart> parts)
    {
        for (var i = 0; i < parts.Count; i++)
            if (parts[i] is InterpolationPart) return true;
        return false;
    }

    /// <summary>Whether the compiler resolves <paramref name="sym"/> at this point without an error (as <c>NixCompiler.Resolve</c>).</summary>
    private bool Resolves(int sym)
    {
        if (sym < 0) return false;
        if (_withs > 0 || _outerWith) return true;
        for (var i = _count - 1; i >= 0; i--)
            if (_names[i] == sym) return true;
        for (var s = _outer; s is not null; s = s.Parent)
            if (s.Lookup(sym) >= 0) return true;
        return _cx.TryGetGlobal(sym, out _);
    }

    private bool Bind(int sym)
    {
        if (sym < 0) return false;
        if (_count == _names.Length) Array.Resize(ref _names, _count * 2);
        _names[_count++] = sym;
        return true;
    }

    /// <summary>Whether compiling <paramref name="e"/> here reports nothing.</summary>
    private bool Clean(Expr e)
    {
        switch (e.NodeKind)
        {
            case ExprKind.Int or ExprKind.Float or ExprKind.Uri:
                return true;
            case ExprKind.Var:
            {
                var v = As<VarExpr>(e);
                return Resolves(v.Sym) || v.Name == "__curPos";
            }
            case ExprKind.String: return As<StringExpr>(e).IsLiteral || Parts(As<StringExpr>(e).Parts);
            case ExprKind.Path: return As<PathExpr>(e).IsPlain || Parts(As<PathExpr>(e).Parts);
            case ExprKind.Paren: return Clean(As<ParenExpr>(e).Inner);
            case ExprKind.Select:
            {
                var s = As<SelectExpr>(e);
                return Clean(s.Target) && Path(s.Path) && (s.OrDefault is null || Clean(s.OrDefault));
            }
            case ExprKind.HasAttr:
            {
                var h = As<HasAttrExpr>(e);
                return Clean(h.Target) && Path(h.Path);
            }
            case ExprKind.AttrSet:
            {
                var a = As<AttrSetExpr>(e);
                return Bindings(a.Bindings, recursive: a.IsRecursive, isLet: false, body: null);
            }
            case ExprKind.Let:
            {
                var l = As<LetExpr>(e);
                return Bindings(l.Bindings, recursive: true, isLet: true, body: l.Body);
            }
            case ExprKind.With:
            {
                var w = As<WithExpr>(e);
                if (!Clean(w.Namespace)) return false;
                _withs++;
                var clean = Clean(w.Body);
                _withs--;
                return clean;
            }
            case ExprKind.Assert:
            {
                var a = As<AssertExpr>(e);
                return Clean(a.Condition) && Clean(a.Body);
            }
            case ExprKind.If:
            {
                var i = As<IfExpr>(e);
                return Clean(i.Condition) && Clean(i.Then) && Clean(i.Else);
            }
            case ExprKind.Lambda: return Lambda(As<LambdaExpr>(e));
            case ExprKind.Apply:
            {
                // Curried calls nest on the left: walk that spine without recursing.
                while (e.NodeKind == ExprKind.Apply)
                {
                    var a = As<ApplyExpr>(e);
                    if (!Clean(a.Argument)) return false;
                    e = a.Function;
                }
                return Clean(e);
            }
            case ExprKind.List:
            {
                var items = As<ListExpr>(e).Items;
                for (var i = 0; i < items.Count; i++)
                    if (!Clean(items[i])) return false;
                return true;
            }
            case ExprKind.Unary: return Clean(As<UnaryExpr>(e).Operand);
            case ExprKind.Binary:
            {
                var b = As<BinaryExpr>(e);
                return Clean(b.Left) && Clean(b.Right);
            }
            default:
                // <x>, let { }, errors: not followed.
                return false;
        }
    }

    private bool Lambda(LambdaExpr l)
    {
        var mark = _count;
        var clean = true;
        switch (l.Parameter)
        {
            case IdentParameter ip:
                clean = Bind(ip.Sym);
                break;
            case PatternParameter pp:
            {
                var formals = pp.Formals;
                for (var i = 0; i < formals.Count && clean; i++) clean = Bind(formals[i].Sym);
                if (pp.AtName is not null && clean) clean = Bind(pp.AtSym);
                for (var i = 0; i < formals.Count && clean; i++)
                    if (formals[i].Default is { } d) clean = Clean(d);
                break;
            }
            default:
                clean = false;
                break;
        }
        clean = clean && Clean(l.Body);
        _count = mark;
        return clean;
    }

    private bool Parts(IReadOnlyList<StringPart> parts)
    {
        for (var i = 0; i < parts.Count; i++)
            if (parts[i] is InterpolationPart ip && !Clean(ip.Expression)) return false;
        return true;
    }

    private bool Path(AttrPath path)
    {
        for (var i = 0; i < path.Count; i++)
            if (path.IdentSym < 0 && !Name(path.NameAt(i))) return false;
        return true;
    }

    private bool Name(AttrName n) => n switch
    {
        IdentAttrName => true,
        StringAttrName s => Clean(s.Value),
        DynamicAttrName d => Clean(d.Expression),
        _ => false,
    };

    /// <summary>
    /// A set's or let's bindings (and the let's body): a recursive one binds its static names for
    /// its values, inherit sources, dynamic names and body; <c>inherit x;</c> reads the scope
    /// around it in either case (as <c>NixCompiler.CompileEntry</c>).
    /// </summary>
    private bool Bindings(IReadOnlyList<Binding> bindings, bool recursive, bool isLet, Expr? body)
    {
        // Plain inherits first, outside the names bound here.
        for (var b = 0; b < bindings.Count; b++)
        {
            if (bindings[b] is InheritBinding { From: null } plain)
            {
                var names = plain.Names;
                for (var i = 0; i < names.Count; i++)
                    if (names[i] is not IdentAttrName id || !Resolves(id.Sym) && id.Name != "__curPos") return false;
            }
        }
        var mark = _count;
        var clean = true;
        if (recursive)
        {
            for (var b = 0; b < bindings.Count && clean; b++)
            {
                switch (bindings[b])
                {
                    case AttrBinding ab:
                        // Several names merge into nested sets (not followed); a dynamic name binds nothing.
                        if (ab.PathCount != 1) clean = false;
                        else if (ab.IdentSym >= 0) clean = Bind(ab.IdentSym);
                        else if (ab.NameAt(0) is IdentAttrName id) clean = Bind(id.Sym);
                        else clean = !isLet && ab.NameAt(0) is DynamicAttrName;
                        break;
                    case InheritBinding ib:
                    {
                        var names = ib.Names;
                        for (var i = 0; i < names.Count && clean; i++)
                            clean = names[i] is IdentAttrName id && Bind(id.Sym);
                        break;
                    }
                    default:
                        clean = false;
                        break;
                }
            }
        }
        for (var b = 0; b < bindings.Count && clean; b++)
        {
            switch (bindings[b])
            {
                case AttrBinding ab:
                    if (isLet && ab.IdentSym < 0 && ab.NameAt(0) is not IdentAttrName) clean = false;
                    else
                    {
                        for (var i = 0; i < ab.PathCount && clean; i++) clean = ab.IdentSym >= 0 || Name(ab.NameAt(i));
                        clean = clean && Clean(ab.Value);
                    }
                    break;
                case InheritBinding ib:
                {
                    if (ib.From is { } from) clean = Clean(from);
                    var names = ib.Names;
                    // "dynamic attributes not allowed in inherit".
                    for (var i = 0; i < names.Count && clean; i++)
                        clean = names[i] is IdentAttrName || names[i].StaticName is not null;
                    break;
                }
                default:
                    clean = false;
                    break;
            }
        }
        if (clean && body is not null) clean = Clean(body);
        _count = mark;
        return clean;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T As<T>(Expr e) where T : Expr => Unsafe.As<T>(e);
}
