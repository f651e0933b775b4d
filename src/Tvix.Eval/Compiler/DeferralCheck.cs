using System.Runtime.CompilerServices;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Compiler;

/// <summary>
/// Whether a set member's expression may be compiled on its first run (<see cref="DeferredNode"/>):
/// it must become a thunk anyway (not a constant, variable, lambda or a select or operation the
/// back end can short-cut), and compiling it must report nothing. Under a <c>with</c> no name is
/// undefined, and with the path and URL lints off what is left to report are dynamic names in a
/// <c>let</c> or an <c>inherit</c> (the parser has already reported duplicates), so the check
/// looks for those. It allocates nothing.
/// </summary>
internal static class DeferralCheck
{
    public static bool CanDefer(Expr e)
    {
        while (e.NodeKind == ExprKind.Paren) e = As<ParenExpr>(e).Inner;
        switch (e.NodeKind)
        {
            case ExprKind.Apply or ExprKind.AttrSet or ExprKind.Let or ExprKind.LegacyLet or ExprKind.With
                or ExprKind.If or ExprKind.Assert or ExprKind.List or ExprKind.HasAttr or ExprKind.Unary:
                return Clean(e);
            case ExprKind.String:
                return HasInterpolation(As<StringExpr>(e).Parts) && Clean(e);
            default:
                return false;
        }
    }

    private static bool HasInterpolation(IReadOnlyList<StringPart> parts)
    {
        for (var i = 0; i < parts.Count; i++)
            if (parts[i] is InterpolationPart) return true;
        return false;
    }

    /// <summary>Whether compiling <paramref name="e"/> reports nothing (given a <c>with</c> in scope and the lints off).</summary>
    private static bool Clean(Expr e)
    {
        switch (e.NodeKind)
        {
            case ExprKind.Int or ExprKind.Float or ExprKind.Var or ExprKind.SearchPath or ExprKind.Uri:
                return true;
            case ExprKind.String: return Parts(As<StringExpr>(e).Parts);
            case ExprKind.Path: return Parts(As<PathExpr>(e).Parts);
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
            case ExprKind.AttrSet: return Bindings(As<AttrSetExpr>(e).Bindings, isLet: false);
            case ExprKind.Let:
            {
                var l = As<LetExpr>(e);
                return Bindings(l.Bindings, isLet: true) && Clean(l.Body);
            }
            case ExprKind.LegacyLet: return Bindings(As<LegacyLetExpr>(e).Bindings, isLet: false);
            case ExprKind.With:
            {
                var w = As<WithExpr>(e);
                return Clean(w.Namespace) && Clean(w.Body);
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
            case ExprKind.Lambda:
            {
                var l = As<LambdaExpr>(e);
                if (l.Parameter is PatternParameter pp)
                {
                    var formals = pp.Formals;
                    for (var i = 0; i < formals.Count; i++)
                        if (formals[i].Default is { } d && !Clean(d)) return false;
                }
                return Clean(l.Body);
            }
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
                return false;
        }
    }

    private static bool Parts(IReadOnlyList<StringPart> parts)
    {
        for (var i = 0; i < parts.Count; i++)
            if (parts[i] is InterpolationPart ip && !Clean(ip.Expression)) return false;
        return true;
    }

    private static bool Path(AttrPath path)
    {
        for (var i = 0; i < path.Count; i++)
            if (!Name(path.NameAt(i))) return false;
        return true;
    }

    private static bool Name(AttrName n) => n switch
    {
        IdentAttrName => true,
        StringAttrName s => Clean(s.Value),
        DynamicAttrName d => Clean(d.Expression),
        _ => false,
    };

    private static bool IsDynamic(AttrName n) => n is not IdentAttrName && n.StaticName is null;

    private static bool Bindings(IReadOnlyList<Binding> bindings, bool isLet)
    {
        for (var b = 0; b < bindings.Count; b++)
        {
            switch (bindings[b])
            {
                case AttrBinding ab:
                    // "dynamic attributes not allowed in let" (a nested name may be dynamic).
                    if (isLet && IsDynamic(ab.Path.NameAt(0))) return false;
                    if (!Path(ab.Path) || !Clean(ab.Value)) return false;
                    break;
                case InheritBinding ib:
                {
                    if (ib.From is { } from && !Clean(from)) return false;
                    var names = ib.Names;
                    // "dynamic attributes not allowed in inherit".
                    for (var i = 0; i < names.Count; i++)
                        if (IsDynamic(names[i])) return false;
                    break;
                }
                default:
                    return false;
            }
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T As<T>(Expr e) where T : Expr => Unsafe.As<T>(e);
}
