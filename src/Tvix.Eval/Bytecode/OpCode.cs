namespace Tvix.Eval.Bytecode;

/// <summary>
/// The instruction set of the evaluator's abstract machine: an accumulator machine. An
/// instruction is one <c>int</c> opcode followed by its operands (ints, listed per opcode). The
/// machine has an accumulator (the value just computed: "acc"), an operand stack for values
/// waiting for an operation (<see cref="Push"/>), a current environment and a program counter.
/// Loading a forced value means weak head normal form; a raw value may still be a thunk (a lazy
/// position). <c>span</c> operands index <see cref="Chunk.Spans"/>, <c>obj</c> operands
/// <see cref="Chunk.Objects"/>, labels are absolute code offsets. Opcodes whose first operand is
/// a span position the errors raised while they run there (<see cref="OpInfo.PositionsErrors"/>).
/// Keeping the latest value in a local instead of on the stack saves a store (with its GC write
/// barrier) per instruction.
/// </summary>
internal enum OpCode
{
    /// <summary><c>k</c>: acc = raw <c>Constants[k]</c>.</summary>
    Const,
    /// <summary><c>k</c>: acc = <c>Constants[k]</c> forced (a builtin whose value is computed on first use).</summary>
    ConstForce,
    /// <summary><c>span i</c>: acc = slot <c>i</c> of the current environment, forced.</summary>
    Local0,
    /// <summary><c>span i</c>: acc = slot <c>i</c> of the parent environment, forced.</summary>
    Local1,
    /// <summary><c>span depth i</c>: acc = slot <c>i</c> of the environment <c>depth</c> levels up, forced.</summary>
    Local,
    /// <summary><c>depth i obj</c>: acc = the slot, raw; a slot not initialised yet (a forward reference in a recursive scope) becomes a thunk that reads it later (<c>obj</c> is the LocalNode).</summary>
    LocalRaw,
    /// <summary><c>obj</c>: acc = a thunk of the CodeNode <c>obj</c> over the current environment.</summary>
    MakeThunk,
    /// <summary><c>obj</c>: acc = a closure of the LambdaNode <c>obj</c> over the current environment.</summary>
    MakeClosure,
    /// <summary><c>obj</c>: acc = the CodeNode <c>obj</c>'s lazy value (a folded constant, a known attribute, or a thunk).</summary>
    Delay,
    /// <summary>
    /// <c>op lk la lb rk ra rb obj</c>: acc = the result of integer operation <c>op</c> (a BinOp) when
    /// both operands are integers known without forcing (kind 0: constant <c>la</c>; kind 1: slot
    /// <c>lb</c> of the environment <c>la</c> levels up) and it cannot fail; otherwise a thunk of the
    /// CodeNode <c>obj</c> (<c>f (n - 1)</c> allocates nothing).
    /// </summary>
    DelayFold,
    /// <summary><c>obj</c>: acc = the value of Node <c>obj</c> evaluated in the current environment (leaf nodes, and code split off to bound the stack).</summary>
    Eval,
    /// <summary>
    /// <c>obj</c>: acc = the variable the WithLookupNode <c>obj</c> finds in the enclosing <c>with</c>
    /// namespaces, forced. Errors are positioned at the node's span (no span operand: nixpkgs has
    /// a hundred thousand of these, and the node knows where it is).
    /// </summary>
    WithLookup,
    /// <summary><c>label</c>: continue at <c>label</c>.</summary>
    Jump,
    /// <summary><c>span label</c>: acc must be a Boolean (type error at <c>span</c>); jump if it is false.</summary>
    JumpIfFalse,
    /// <summary><c>span op label</c>: compare a popped value with acc by <c>op</c> (a comparison BinOp), jump if false (an <c>if</c> on a comparison).</summary>
    CompareJump,
    /// <summary><c>span label</c>: acc must be a Boolean; if false, jump with it (<c>&amp;&amp;</c>).</summary>
    AndJump,
    /// <summary><c>span label</c>: acc must be a Boolean; if true, jump with it (<c>||</c>).</summary>
    OrJump,
    /// <summary><c>span label</c>: acc must be a Boolean; if false, jump with true (<c>-&gt;</c>).</summary>
    ImpliesJump,
    /// <summary><c>span</c>: acc must be a Boolean (type error at <c>span</c>).</summary>
    CheckBool,
    /// <summary><c>span</c>: Boolean negation.</summary>
    Not,
    /// <summary><c>span</c>: arithmetic negation.</summary>
    Negate,
    /// <summary><c>span</c>: acc = popped <c>+</c> acc (likewise for the operators below).</summary>
    Add,
    /// <summary><c>span</c>: <c>-</c>.</summary>
    Sub,
    /// <summary><c>span</c>: <c>*</c>.</summary>
    Mul,
    /// <summary><c>span</c>: <c>/</c>.</summary>
    Div,
    /// <summary><c>span</c>: <c>++</c>.</summary>
    Concat,
    /// <summary><c>span</c>: <c>//</c>.</summary>
    Update,
    /// <summary><c>span</c>: <c>==</c>.</summary>
    Eq,
    /// <summary><c>span</c>: <c>!=</c>.</summary>
    Neq,
    /// <summary><c>span</c>: <c>&lt;</c>.</summary>
    Lt,
    /// <summary><c>span</c>: <c>&lt;=</c>.</summary>
    Le,
    /// <summary><c>span</c>: <c>&gt;</c>.</summary>
    Gt,
    /// <summary><c>span</c>: <c>&gt;=</c>.</summary>
    Ge,
    /// <summary><c>span</c>: acc = the popped function applied to acc (adds "from call site" to a trace).</summary>
    Call,
    /// <summary><c>span n</c>: the function applied to <c>n</c> arguments, the last in acc and the others popped (the function below them).</summary>
    CallMany,
    /// <summary><c>n</c>: push a new array of <c>n</c> values (an internal value, for the instructions below).</summary>
    NewArray,
    /// <summary><c>i</c>: store acc into element <c>i</c> of the array on top of the stack.</summary>
    StoreItem,
    /// <summary>acc = a list of the elements of the popped array.</summary>
    MakeList,
    /// <summary><c>obj dyn</c>: acc = the set of SetShape <c>obj</c> with the popped array's values, adding the lowered dynamic attributes <c>dyn</c>.</summary>
    MakeAttrs,
    /// <summary><c>n</c>: push a new environment of <c>n</c> slots below the current one (not entered yet).</summary>
    NewScope,
    /// <summary><c>i</c>: store acc into slot <c>i</c> of the environment on top of the stack.</summary>
    StoreScope,
    /// <summary>Pop an environment and make it the current one.</summary>
    EnterScope,
    /// <summary><c>n</c>: make a new environment of <c>n</c> slots below the current one the current one.</summary>
    PushScope,
    /// <summary>Make the current environment's parent the current one.</summary>
    LeaveScope,
    /// <summary><c>i</c>: store acc into slot <c>i</c> of the current environment.</summary>
    StoreLocal,
    /// <summary><c>first n</c>: clear slots <c>first..first+n-1</c> of the current environment.</summary>
    ClearLocals,
    /// <summary><c>obj dyn</c>: acc = the set made of the current environment's slots (RecShape <c>obj</c>, dynamic attributes <c>dyn</c>).</summary>
    RecAttrs,
    /// <summary><c>span sym cache orLabel</c>: acc = attribute <c>sym</c> of the set in acc, forced; on a missing name or a non-set, jump to <c>orLabel</c> (or fail when it is -1).</summary>
    SelectSym,
    /// <summary><c>span orLabel</c>: acc must be a set (else as <see cref="SelectSym"/>).</summary>
    SelectCheck,
    /// <summary><c>span keySpan orLabel</c>: as <see cref="SelectSym"/> on the popped set with the name in acc (a string).</summary>
    SelectDynamic,
    /// <summary><c>sym last endLabel</c>: one step of <c>?</c> on the set in acc: a non-set or a missing name jumps to <c>endLabel</c> with false; otherwise acc = true at the last step, else the attribute forced.</summary>
    HasSym,
    /// <summary><c>endLabel</c>: a non-set in acc jumps to <c>endLabel</c> with false.</summary>
    HasCheck,
    /// <summary><c>keySpan last endLabel</c>: as <see cref="HasSym"/> on the popped set with the name in acc.</summary>
    HasDynamic,
    /// <summary>acc = acc coerced to a string as in <c>"${…}"</c>.</summary>
    Coerce,
    /// <summary><c>span</c>: acc = <c>toString acc</c> (a call of the global <c>toString</c>, whose argument was evaluated in place instead of in a thunk).</summary>
    ToString,
    /// <summary><c>span</c>: as <see cref="ToString"/> for a piece of an interpolation, but an integer stays one (<see cref="Interpolate"/> writes its digits).</summary>
    ToStringPiece,
    /// <summary>
    /// <c>span</c>: the first half of <c>substring start len s == e</c> (see <see cref="SliceEq"/>):
    /// pops the start and the length, takes the string from acc, and does what the builtin does
    /// to them (forcing, coercion, checks); pushes the string and leaves acc = its first byte's
    /// index in the low 32 bits and the end's in the high ones. No substring is made.
    /// </summary>
    SubstringRange,
    /// <summary>acc = whether acc is a string with the bytes of the popped range of the popped string (<see cref="SubstringRange"/>).</summary>
    SliceEq,
    /// <summary>As <see cref="SliceEq"/>, negated (<c>!=</c>).</summary>
    SliceNeq,
    /// <summary><c>n</c>: acc = the concatenation of <c>n</c> popped pieces: strings, or integers from <see cref="ToStringPiece"/> (contexts merged).</summary>
    Interpolate,
    /// <summary>acc = the concatenation of the strings in the popped array.</summary>
    InterpolateArray,
    /// <summary><c>obj</c>: acc = the path of PathShape <c>obj</c> from the popped array of forced parts.</summary>
    PathInterpolate,
    /// <summary><c>obj</c>: fail unless acc, the forced condition of AssertShape <c>obj</c>, is true.</summary>
    Assert,
    /// <summary><c>obj</c>: fail (explaining why) unless the popped left side of AssertShape <c>obj</c>'s <c>==</c> equals acc.</summary>
    AssertEqual,
    /// <summary>Return acc.</summary>
    Return,
    /// <summary>Push acc onto the operand stack.</summary>
    Push,

    // Push fused with the load that follows it (a Push is nearly always followed by the code of
    // the next operand, which starts with one of these): one dispatch instead of two. Each has the
    // operands of the load it is named after.
    PushConst,
    PushLocal0,
    PushLocal1,
    PushLocalRaw,
    PushMakeThunk,
    PushMakeClosure,
    PushDelayFold,
    PushDelay,

    // A load fused with the store after it (filling a list's or set's array, binding a `let`):
    // the load's operands, then the store's index.
    ThunkToItem,
    ConstToItem,
    LocalRawToItem,
    ThunkToLocal,
    ConstToLocal,
    LocalRawToLocal,

    // An instruction fused with the Return after it (the last instruction of most small units:
    // `f x`, `x.y`, a set literal, a `with` lookup). Same operands as the instruction named.
    CallReturn,
    CallManyReturn,
    AddReturn,
    SubReturn,
    MulReturn,
    EqReturn,
    NeqReturn,
    LtReturn,
    LeReturn,
    GtReturn,
    GeReturn,
    SelectSymReturn,
    EvalReturn,
    MakeAttrsReturn,

    /// <summary><c>obj</c>: store the members of MemberTable <c>obj</c> into the array on top of the stack, as thunks made on first use (<see cref="Runtime.LazyMembers"/>).</summary>
    MembersToItems,
    /// <summary><c>obj</c>: store the members of MemberTable <c>obj</c> into the current environment's slots, as thunks made on first use.</summary>
    MembersToLocals,
}

/// <summary>Static facts about opcodes.</summary>
internal static class OpInfo
{
    /// <summary>The opcode that pushes acc and then does what <paramref name="op"/> does, or <paramref name="op"/> when there is none.</summary>
    public static OpCode WithPush(OpCode op) => op switch
    {
        OpCode.Const => OpCode.PushConst,
        OpCode.Local0 => OpCode.PushLocal0,
        OpCode.Local1 => OpCode.PushLocal1,
        OpCode.LocalRaw => OpCode.PushLocalRaw,
        OpCode.MakeThunk => OpCode.PushMakeThunk,
        OpCode.MakeClosure => OpCode.PushMakeClosure,
        OpCode.DelayFold => OpCode.PushDelayFold,
        OpCode.Delay => OpCode.PushDelay,
        _ => op,
    };

    /// <summary>The opcode that does what <paramref name="op"/> does and then returns, or <paramref name="op"/> when there is none.</summary>
    public static OpCode WithReturn(OpCode op) => op switch
    {
        OpCode.Call => OpCode.CallReturn,
        OpCode.CallMany => OpCode.CallManyReturn,
        OpCode.Add => OpCode.AddReturn,
        OpCode.Sub => OpCode.SubReturn,
        OpCode.Mul => OpCode.MulReturn,
        OpCode.Eq => OpCode.EqReturn,
        OpCode.Neq => OpCode.NeqReturn,
        OpCode.Lt => OpCode.LtReturn,
        OpCode.Le => OpCode.LeReturn,
        OpCode.Gt => OpCode.GtReturn,
        OpCode.Ge => OpCode.GeReturn,
        OpCode.SelectSym => OpCode.SelectSymReturn,
        OpCode.Eval => OpCode.EvalReturn,
        OpCode.MakeAttrs => OpCode.MakeAttrsReturn,
        _ => op,
    };

    /// <summary>The opcode that does <paramref name="load"/> and then <paramref name="store"/> (StoreItem or StoreLocal), or <paramref name="store"/> when there is none.</summary>
    public static OpCode WithStore(OpCode load, OpCode store) => (load, store) switch
    {
        (OpCode.MakeThunk, OpCode.StoreItem) => OpCode.ThunkToItem,
        (OpCode.Const, OpCode.StoreItem) => OpCode.ConstToItem,
        (OpCode.LocalRaw, OpCode.StoreItem) => OpCode.LocalRawToItem,
        (OpCode.MakeThunk, OpCode.StoreLocal) => OpCode.ThunkToLocal,
        (OpCode.Const, OpCode.StoreLocal) => OpCode.ConstToLocal,
        (OpCode.LocalRaw, OpCode.StoreLocal) => OpCode.LocalRawToLocal,
        _ => store,
    };

    /// <summary>Whether the unit ends with this instruction (a return, possibly fused).</summary>
    public static bool Returns(OpCode op) => op == OpCode.Return || (op != WithoutPush(op) && WithReturn(WithoutPush(op)) == op);

    /// <summary>The instruction a fused opcode is based on, for its operands and error positions (itself for other opcodes).</summary>
    public static OpCode WithoutPush(OpCode op) => op switch
    {
        OpCode.CallReturn => OpCode.Call,
        OpCode.CallManyReturn => OpCode.CallMany,
        OpCode.AddReturn => OpCode.Add,
        OpCode.SubReturn => OpCode.Sub,
        OpCode.MulReturn => OpCode.Mul,
        OpCode.EqReturn => OpCode.Eq,
        OpCode.NeqReturn => OpCode.Neq,
        OpCode.LtReturn => OpCode.Lt,
        OpCode.LeReturn => OpCode.Le,
        OpCode.GtReturn => OpCode.Gt,
        OpCode.GeReturn => OpCode.Ge,
        OpCode.SelectSymReturn => OpCode.SelectSym,
        OpCode.EvalReturn => OpCode.Eval,
        OpCode.MakeAttrsReturn => OpCode.MakeAttrs,
        OpCode.PushConst => OpCode.Const,
        OpCode.PushLocal0 => OpCode.Local0,
        OpCode.PushLocal1 => OpCode.Local1,
        OpCode.PushLocalRaw => OpCode.LocalRaw,
        OpCode.PushMakeThunk => OpCode.MakeThunk,
        OpCode.PushMakeClosure => OpCode.MakeClosure,
        OpCode.PushDelayFold => OpCode.DelayFold,
        OpCode.PushDelay => OpCode.Delay,
        _ => op,
    };

    /// <summary>Whether the opcode's first operand is a span where errors raised while it runs are positioned.</summary>
    public static bool PositionsErrors(OpCode op) => WithoutPush(op) is OpCode.Local0 or OpCode.Local1 or OpCode.Local
        or OpCode.Negate or (>= OpCode.Add and <= OpCode.Ge) or OpCode.Call or OpCode.CallMany or OpCode.CompareJump
        or OpCode.ToString or OpCode.ToStringPiece or OpCode.SubstringRange;

    /// <summary>The number of operands after the opcode.</summary>
    public static int OperandCount(OpCode op) => WithoutPush(op) switch
    {
        OpCode.Const or OpCode.ConstForce or OpCode.MakeThunk or OpCode.MakeClosure or OpCode.Delay or OpCode.Eval or OpCode.WithLookup
            or OpCode.Jump or OpCode.CheckBool or OpCode.Not or OpCode.Negate or (>= OpCode.Add and <= OpCode.Ge)
            or OpCode.Call or OpCode.NewArray or OpCode.StoreItem or OpCode.NewScope or OpCode.StoreScope
            or OpCode.PushScope or OpCode.StoreLocal or OpCode.HasCheck or OpCode.Interpolate
            or OpCode.PathInterpolate or OpCode.Assert or OpCode.AssertEqual or OpCode.ToString or OpCode.ToStringPiece
            or OpCode.SubstringRange or OpCode.MembersToItems or OpCode.MembersToLocals => 1,
        OpCode.Local0 or OpCode.Local1 or OpCode.JumpIfFalse or OpCode.AndJump or OpCode.OrJump or OpCode.ImpliesJump
            or OpCode.CallMany or OpCode.MakeAttrs or OpCode.ClearLocals or OpCode.RecAttrs or OpCode.SelectCheck => 2,
        OpCode.Local or OpCode.LocalRaw or OpCode.SelectDynamic or OpCode.HasSym or OpCode.HasDynamic => 3,
        OpCode.ThunkToItem or OpCode.ConstToItem or OpCode.ThunkToLocal or OpCode.ConstToLocal => 2,
        OpCode.LocalRawToItem or OpCode.LocalRawToLocal => 4,
        OpCode.CompareJump => 3,
        OpCode.SelectSym => 4,
        OpCode.DelayFold => 8,
        _ => 0,
    };
}
