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
