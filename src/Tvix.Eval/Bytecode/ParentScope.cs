using Tvix.Eval.Runtime;

namespace Tvix.Eval.Bytecode;

/// <summary>
/// Lazy expressions that read no variable of the scope they are written in, rewritten for the
/// enclosing scope: every variable one level less deep. Their thunks are made over the parent
/// environment (<see cref="CodeNode.OverParent"/>), so the call or scope that makes them does not
/// keep its own environment alive, and a call environment that nothing else captured is reused
/// (<see cref="EvalContext.ReturnEnvIfFree"/>). In <c>n: v: { inherit (d) file; value = v; }</c>,
/// <c>d.file</c> only needs <c>d</c>'s environment. The lowering applies it to selections; the
/// other forms are there for the parts of one (an <c>or</c> default, a dynamic name).
/// </summary>
internal static class ParentScope
{
    /// <summary>
    /// <paramref name="n"/> for the parent environment, or null when it reads the current scope (a
    /// variable at depth 0), or has a form this does not rewrite (lambdas, scopes and <c>with</c>
    /// lookups, whose depths are relative to scopes of their own).
    /// </summary>
    public static Node? Shift(Node n) => n switch
    {
        ConstNode or GlobalNode => n,
        LocalNode { Depth: > 0 } l => new LocalNode(l.Source, l.Span, l.Depth - 1, l.Index),
        SelectNode s => Shift(s.Target) is { } target && Shift(s.Path) is { } path && ShiftOptional(s.OrDefault, out var orDefault)
            ? new SelectNode(s.Source, s.Span, target, path, orDefault)
            : null,
        HasAttrNode h => Shift(h.Target) is { } target && Shift(h.Path) is { } path ? new HasAttrNode(h.Source, h.Span, target, path) : null,
        ApplyNode a => Shift(a.Function) is { } f && Shift(a.Argument) is { } arg ? new ApplyNode(a.Source, a.Span, f, arg) : null,
        ApplyManyNode a => Shift(a.Function) is { } f && Shift(a.Arguments) is { } args ? new ApplyManyNode(a.Source, a.Span, f, args) : null,
        BinaryNode b => Shift(b.Left) is { } left && Shift(b.Right) is { } right ? new BinaryNode(b.Source, b.Span, b.Op, left, right) : null,
        LogicNode b => Shift(b.Left) is { } left && Shift(b.Right) is { } right ? new LogicNode(b.Source, b.Span, b.Op, left, right) : null,
        NotNode u => Shift(u.Operand) is { } operand ? new NotNode(u.Source, u.Span, operand) : null,
        NegateNode u => Shift(u.Operand) is { } operand ? new NegateNode(u.Source, u.Span, operand) : null,
        IfNode i => Shift(i.Cond) is { } c && Shift(i.Then) is { } t && Shift(i.Else) is { } e ? new IfNode(i.Source, i.Span, c, t, e) : null,
        ListNode l => Shift(l.Items) is { } items ? new ListNode(l.Source, l.Span, items) : null,
        InterpolationNode s => ShiftParts(s.Parts) is { } parts ? s.WithParts(parts) : null,
        AttrSetNode { Dynamics.Length: 0, Hidden.Length: 0 } set => Shift(set.Values) is { } values ? set.WithValues(values) : null,
        _ => null,
    };

    private static bool ShiftOptional(Node? n, out Node? shifted)
    {
        shifted = n is null ? null : Shift(n);
        return n is null || shifted is not null;
    }

    private static Node[]? Shift(Node[] nodes)
    {
        var result = new Node[nodes.Length];
        for (var i = 0; i < nodes.Length; i++)
            if ((result[i] = Shift(nodes[i])!) is null) return null;
        return result;
    }

    // Interpolation parts: null entries are literal pieces.
    private static Node?[]? ShiftParts(Node?[] parts)
    {
        var result = new Node?[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] is not { } part) continue;
            if ((result[i] = Shift(part)) is null) return null;
        }
        return result;
    }

    private static AttrKey[]? Shift(AttrKey[] path)
    {
        AttrKey[]? result = null;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i].Dynamic is not { } d) continue;
            if (Shift(d) is not { } shifted) return null;
            result ??= (AttrKey[])path.Clone();
            result[i] = path[i] with { Dynamic = shifted };
        }
        return result ?? path;
    }
}
