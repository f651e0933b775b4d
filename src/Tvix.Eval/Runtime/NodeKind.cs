namespace Tvix.Eval.Runtime;

/// <summary>
/// What a <see cref="Node"/> is, for the bytecode back end's dispatch (<see cref="Node.Kind"/>):
/// a switch on it is one jump, where a switch on the node's type tests the types one after the
/// other, and in ReadyToRun code each of those tests is a call to the runtime's cast helper.
/// </summary>
internal enum NodeKind : byte
{
    /// <summary>A node the lowering has no rule of its own for.</summary>
    Other,
    Const,
    Global,
    Local,
    WithLookup,
    Error,
    Code,
    Interpolation,
    PathInterpolation,
    List,
    If,
    Assert,
    With,
    HoistedWith,
    Apply,
    ApplyMany,
    Not,
    Negate,
    Logic,
    Binary,
    Select,
    HasAttr,
    AttrSet,
    RecScope,
    HoistedLet,
    Lambda,
}

/// <summary>Reinterpreting a node by its <see cref="Node.Kind"/>.</summary>
internal static class NodeKinds
{
    /// <summary>
    /// <paramref name="n"/> as the node class its <see cref="Node.Kind"/> names, without a type
    /// test (in ReadyToRun code a cast is a call to the runtime's cast helper). Checked in debug
    /// builds; <c>NodeKindTests</c> checks that each kind belongs to one class.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static T As<T>(Node n) where T : Node
    {
        System.Diagnostics.Debug.Assert(n is T, $"{n.GetType().Name} reports kind {n.Kind}");
        return System.Runtime.CompilerServices.Unsafe.As<T>(n);
    }
}
