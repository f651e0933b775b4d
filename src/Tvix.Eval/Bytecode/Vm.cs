using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tvix.Eval.Runtime;

namespace Tvix.Eval.Bytecode;

/// <summary>Operand stack of a chunk that needs at most 8 slots (almost all): a local of the run, zeroed on entry.</summary>
[InlineArray(Vm.SmallStack)]
internal struct SmallOperandStack
{
    private Value _first;
}

/// <summary>Operand stack of the chunks that need more (long calls, interpolations).</summary>
[InlineArray(Vm.LargeStack)]
internal struct LargeOperandStack
{
    private Value _first;
}

/// <summary>
/// The abstract machine that runs a <see cref="Chunk"/>: a loop over its instructions with an
/// operand stack and the current environment. A run is one unit (a thunk's expression, a lambda
/// body, a file); forcing a thunk or calling a function from an instruction starts a nested run of
/// that unit's chunk. Errors get their positions from the instruction that raised them and the
/// chunk's handlers, in an exception filter, so nothing is unwound to add them.
/// </summary>
internal static class Vm
{
    public const int SmallStack = 8;
    public const int LargeStack = 32;

    /// <summary>
    /// Runs <paramref name="unit"/>, storing the offset of the instruction it runs in
    /// <paramref name="at"/> for the caller's exception filter (<see cref="Chunk.Annotate"/>):
    /// callers that have a filter anyway (a thunk's force, a lambda call) run units through this,
    /// so a unit's run is not a frame of its own.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value Run(CodeNode unit, EvalContext cx, Env env, ref int at) =>
        unit.MaxStack <= SmallStack
            ? Run<SmallOperandStack>(unit.Chunk, unit.Entry, cx, env, ref at)
            : Run<LargeOperandStack>(unit.Chunk, unit.Entry, cx, env, ref at);

    /// <summary>
    /// Runs the unit at <paramref name="entry"/> with an operand stack of <typeparamref name="TStack"/>.
    /// It has no exception handling of its own (see <see cref="CodeNode.Eval"/>): a loop without it
    /// is compiled faster and keeps its locals in registers; it only stores the offset of the
    /// instruction it runs in <paramref name="at"/>, where the caller's exception filter reads it.
    /// </summary>
    internal static Value Run<TStack>(Chunk chunk, int entry, EvalContext cx, Env env, ref int at) where TStack : struct
    {
        TStack storage = default;
        ref var s = ref Unsafe.As<TStack, Value>(ref storage);
        var sp = 0;
        var pc = 0;
        Value acc = default;
        // pc, at and jump targets are relative to the unit's entry.
        ref var code = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(chunk.Code), entry);
        var constants = chunk.Constants;
        var objects = chunk.Objects;
        while (true)
        {
            at = pc;
            switch ((OpCode)Unsafe.Add(ref code, pc))
            {
                case OpCode.Const:
                    acc = constants[Unsafe.Add(ref code, pc + 1)];
                    pc += 2;
                    break;
                case OpCode.ConstForce:
                    acc = cx.Force(constants[Unsafe.Add(ref code, pc + 1)]);
                    pc += 2;
                    break;
                case OpCode.Local0:
                    acc = ForceSlot(chunk, cx, env, Unsafe.Add(ref code, pc + 1), Unsafe.Add(ref code, pc + 2));
                    pc += 3;
                    break;
                case OpCode.Local1:
                    acc = ForceSlot(chunk, cx, env.Parent, Unsafe.Add(ref code, pc + 1), Unsafe.Add(ref code, pc + 2));
                    pc += 3;
                    break;
                case OpCode.Local:
                {
                    var e = env;
                    for (var d = Unsafe.Add(ref code, pc + 2); d > 0; d--) e = e.Parent;
                    acc = ForceSlot(chunk, cx, e, Unsafe.Add(ref code, pc + 1), Unsafe.Add(ref code, pc + 3));
                    pc += 4;
                    break;
                }
                case OpCode.LocalRaw:
                    acc = RawSlot(cx, env, objects, ref Unsafe.Add(ref code, pc + 1));
                    pc += 4;
                    break;
                case OpCode.MakeThunk:
                    acc = Value.FromThunk(new Thunk(Unsafe.As<Code>(objects[Unsafe.Add(ref code, pc + 1)]), env));
                    pc += 2;
                    break;
                case OpCode.MakeClosure:
                    acc = Value.FromClosure(new Closure(Unsafe.As<LambdaNode>(objects[Unsafe.Add(ref code, pc + 1)]), env));
                    pc += 2;
                    break;
                case OpCode.Delay:
                    acc = Unsafe.As<CodeNode>(objects[Unsafe.Add(ref code, pc + 1)]).Delay(cx, env);
                    pc += 2;
                    break;
                case OpCode.DelayFold:
                {
                    if (PeekInt(constants, env, Unsafe.Add(ref code, pc + 2), Unsafe.Add(ref code, pc + 3), Unsafe.Add(ref code, pc + 4), out var a)
                        && PeekInt(constants, env, Unsafe.Add(ref code, pc + 5), Unsafe.Add(ref code, pc + 6), Unsafe.Add(ref code, pc + 7), out var b)
                        && BinaryNode.FoldInts((BinOp)Unsafe.Add(ref code, pc + 1), a, b, out var folded))
                        acc = folded;
                    else
                        acc = Value.FromThunk(new Thunk(Unsafe.As<Code>(objects[Unsafe.Add(ref code, pc + 8)]), env));
                    pc += 9;
                    break;
                }
                case OpCode.WithLookup:
                    acc = Unsafe.As<WithLookupNode>(objects[Unsafe.Add(ref code, pc + 1)]).Lookup(cx, env);
                    pc += 2;
                    break;
                case OpCode.Eval:
                case OpCode.EvalReturn:
                    acc = Unsafe.As<Code>(objects[Unsafe.Add(ref code, pc + 1)]).Eval(cx, env);
                    if ((OpCode)Unsafe.Add(ref code, pc) == OpCode.EvalReturn) return acc;
                    pc += 2;
                    break;
                case OpCode.Push:
                    Unsafe.Add(ref s, sp++) = acc;
                    pc += 1;
                    break;
                case OpCode.Jump:
                    pc = Unsafe.Add(ref code, pc + 1);
                    break;
                case OpCode.JumpIfFalse:
                    if (acc.Kind != ValueKind.Bool) throw TypeError(chunk, cx, "a Boolean", acc, Unsafe.Add(ref code, pc + 1));
                    pc = acc.RawBool ? pc + 3 : Unsafe.Add(ref code, pc + 2);
                    break;
                case OpCode.CompareJump:
                {
                    var l = Pop(ref s, ref sp);
                    var cmpOp = (BinOp)Unsafe.Add(ref code, pc + 2);
                    var result = l.Kind == ValueKind.Int && acc.Kind == ValueKind.Int
                        ? CompareInts(cmpOp, l.RawInt, acc.RawInt)
                        : Compare(cx, cmpOp, l, acc);
                    pc = result ? pc + 4 : Unsafe.Add(ref code, pc + 3);
                    break;
                }
                case OpCode.AndJump:
                    if (acc.Kind != ValueKind.Bool) throw TypeError(chunk, cx, "a Boolean", acc, Unsafe.Add(ref code, pc + 1));
                    pc = acc.RawBool ? pc + 3 : Unsafe.Add(ref code, pc + 2);
                    break;
                case OpCode.OrJump:
                    if (acc.Kind != ValueKind.Bool) throw TypeError(chunk, cx, "a Boolean", acc, Unsafe.Add(ref code, pc + 1));
                    pc = acc.RawBool ? Unsafe.Add(ref code, pc + 2) : pc + 3;
                    break;
                case OpCode.ImpliesJump:
                    if (acc.Kind != ValueKind.Bool) throw TypeError(chunk, cx, "a Boolean", acc, Unsafe.Add(ref code, pc + 1));
                    if (acc.RawBool) pc += 3;
                    else
                    {
                        acc = Value.True;
                        pc = Unsafe.Add(ref code, pc + 2);
                    }
                    break;
                case OpCode.CheckBool:
                    if (acc.Kind != ValueKind.Bool) throw TypeError(chunk, cx, "a Boolean", acc, Unsafe.Add(ref code, pc + 1));
                    pc += 2;
                    break;
                case OpCode.Not:
                    if (acc.Kind != ValueKind.Bool) throw TypeError(chunk, cx, "a Boolean", acc, Unsafe.Add(ref code, pc + 1));
                    acc = Value.FromBool(!acc.RawBool);
                    pc += 2;
                    break;
                case OpCode.Negate:
                    acc = Arithmetic.Sub(cx, Value.FromInt(0), acc);
                    pc += 2;
                    break;
                case OpCode.Add:
                case OpCode.AddReturn:
                {
                    var l = Pop(ref s, ref sp);
                    if (l.Kind == ValueKind.Int && acc.Kind == ValueKind.Int)
                    {
                        long a = l.RawInt, b = acc.RawInt, sum = a + b;
                        if (((a ^ sum) & (b ^ sum)) < 0) throw cx.Error($"integer overflow in adding {a} + {b}");
                        acc = Value.FromInt(sum);
                    }
                    else acc = Arithmetic.Add(cx, l, acc);
                    if ((OpCode)Unsafe.Add(ref code, pc) == OpCode.AddReturn) return acc;
                    pc += 2;
                    break;
                }
                case OpCode.Sub:
                case OpCode.SubReturn:
                    acc = Arithmetic.Sub(cx, Pop(ref s, ref sp), acc);
                    if ((OpCode)Unsafe.Add(ref code, pc) == OpCode.SubReturn) return acc;
                    pc += 2;
                    break;
                case OpCode.Mul:
                case OpCode.MulReturn:
                    acc = Arithmetic.Mul(cx, Pop(ref s, ref sp), acc);
                    if ((OpCode)Unsafe.Add(ref code, pc) == OpCode.MulReturn) return acc;
                    pc += 2;
                    break;
                case OpCode.Div:
                    acc = Arithmetic.Div(cx, Pop(ref s, ref sp), acc);
                    pc += 2;
                    break;
                case OpCode.Concat:
                    acc = Operators.Concat(cx, Pop(ref s, ref sp), acc);
                    pc += 2;
                    break;
                case OpCode.Update:
                {
                    var l = Pop(ref s, ref sp);
                    if (l.Kind != ValueKind.Attrs) throw cx.TypeError("a set", l);
                    if (acc.Kind != ValueKind.Attrs) throw cx.TypeError("a set", acc);
                    acc = Value.FromAttrs(l.RawAttrs.Update(acc.RawAttrs));
                    pc += 2;
                    break;
                }
                case OpCode.Eq:
                case OpCode.EqReturn:
                case OpCode.Neq:
                case OpCode.NeqReturn:
                {
                    var l = Pop(ref s, ref sp);
                    var equal = l.Kind == ValueKind.Int && acc.Kind == ValueKind.Int ? l.RawInt == acc.RawInt : cx.ValuesEqual(l, acc);
                    var op = (OpCode)Unsafe.Add(ref code, pc);
                    acc = Value.FromBool(equal == (op is OpCode.Eq or OpCode.EqReturn));
                    if (op is OpCode.EqReturn or OpCode.NeqReturn) return acc;
                    pc += 2;
                    break;
                }
                case OpCode.Lt:
                case OpCode.Le:
                case OpCode.Gt:
                case OpCode.Ge:
                case OpCode.LtReturn:
                case OpCode.LeReturn:
                case OpCode.GtReturn:
                case OpCode.GeReturn:
                {
                    var l = Pop(ref s, ref sp);
                    var op = (OpCode)Unsafe.Add(ref code, pc);
                    var cmp = OpInfo.WithoutPush(op) switch { OpCode.Lt => BinOp.Lt, OpCode.Le => BinOp.Le, OpCode.Gt => BinOp.Gt, _ => BinOp.Ge };
                    acc = Value.FromBool(l.Kind == ValueKind.Int && acc.Kind == ValueKind.Int
                        ? CompareInts(cmp, l.RawInt, acc.RawInt)
                        : Compare(cx, cmp, l, acc));
                    if (op is OpCode.LtReturn or OpCode.LeReturn or OpCode.GtReturn or OpCode.GeReturn) return acc;
                    pc += 2;
                    break;
                }
                case OpCode.Call:
                case OpCode.CallReturn:
                    acc = cx.Call(Pop(ref s, ref sp), acc);
                    if ((OpCode)Unsafe.Add(ref code, pc) == OpCode.CallReturn) return acc;
                    pc += 2;
                    break;
                case OpCode.CallMany:
                case OpCode.CallManyReturn:
                {
                    var n = Unsafe.Add(ref code, pc + 2);
                    Unsafe.Add(ref s, sp++) = acc;
                    sp -= n;
                    var args = MemoryMarshal.CreateSpan(ref Unsafe.Add(ref s, sp), n);
                    var f = Pop(ref s, ref sp);
                    acc = Operators.CallMany(cx, f, args);
                    if ((OpCode)Unsafe.Add(ref code, pc) == OpCode.CallManyReturn) return acc;
                    // The stack must not keep the arguments alive.
                    for (var i = 0; i < n; i++) Unsafe.Add(ref s, sp + i) = default;
                    pc += 3;
                    break;
                }
                case OpCode.NewArray:
                    Unsafe.Add(ref s, sp++) = Value.Internal(new Value[Unsafe.Add(ref code, pc + 1)]);
                    pc += 2;
                    break;
                case OpCode.StoreItem:
                    Unsafe.As<Value[]>(Unsafe.Add(ref s, sp - 1).Obj!)[Unsafe.Add(ref code, pc + 1)] = acc;
                    pc += 2;
                    break;
                case OpCode.MakeList:
                    acc = Value.FromList(new NixList(Unsafe.As<Value[]>(Pop(ref s, ref sp).Obj!)));
                    pc += 1;
                    break;
                case OpCode.MakeAttrs:
                case OpCode.MakeAttrsReturn:
                {
                    var node = Unsafe.As<SetShape>(objects[Unsafe.Add(ref code, pc + 1)]);
                    var dynamics = Unsafe.As<DynamicEntry[]>(objects[Unsafe.Add(ref code, pc + 2)]);
                    acc = node.Build(cx, Unsafe.As<Value[]>(Pop(ref s, ref sp).Obj!), dynamics, env);
                    if ((OpCode)Unsafe.Add(ref code, pc) == OpCode.MakeAttrsReturn) return acc;
                    pc += 3;
                    break;
                }
                case OpCode.NewScope:
                    Unsafe.Add(ref s, sp++) = new Env(Unsafe.Add(ref code, pc + 1), env).AsValue();
                    pc += 2;
                    break;
                case OpCode.StoreScope:
                    Env.FromValue(Unsafe.Add(ref s, sp - 1))[Unsafe.Add(ref code, pc + 1)] = acc;
                    pc += 2;
                    break;
                case OpCode.EnterScope:
                    env = Env.FromValue(Pop(ref s, ref sp));
                    pc += 1;
                    break;
                case OpCode.PushScope:
                    env = new Env(Unsafe.Add(ref code, pc + 1), env);
                    pc += 2;
                    break;
                case OpCode.LeaveScope:
                    env = env.Parent;
                    pc += 1;
                    break;
                case OpCode.StoreLocal:
                    env[Unsafe.Add(ref code, pc + 1)] = acc;
                    pc += 2;
                    break;
                case OpCode.MembersToItems:
                    LazyMembers.StoreItems(Unsafe.As<MemberTable>(objects[Unsafe.Add(ref code, pc + 1)]), env, Unsafe.As<Value[]>(Unsafe.Add(ref s, sp - 1).Obj!));
                    pc += 2;
                    break;
                case OpCode.MembersToLocals:
                    LazyMembers.StoreLocals(Unsafe.As<MemberTable>(objects[Unsafe.Add(ref code, pc + 1)]), env);
                    pc += 2;
                    break;
                case OpCode.ClearLocals:
                {
                    var first = Unsafe.Add(ref code, pc + 1);
                    var count = Unsafe.Add(ref code, pc + 2);
                    // Slots not assigned yet read as Invalid, so forward references defer as in a new scope.
                    for (var i = 0; i < count; i++) env[first + i] = default;
                    pc += 3;
                    break;
                }
                case OpCode.RecAttrs:
                {
                    var node = Unsafe.As<RecShape>(objects[Unsafe.Add(ref code, pc + 1)]);
                    var dynamics = Unsafe.As<DynamicEntry[]>(objects[Unsafe.Add(ref code, pc + 2)]);
                    acc = node.BuildAttrs(cx, env, dynamics);
                    pc += 3;
                    break;
                }
                case OpCode.SelectSym:
                case OpCode.SelectSymReturn:
                {
                    var orLabel = Unsafe.Add(ref code, pc + 4);
                    if (acc.Kind == ValueKind.Attrs)
                    {
                        var attrs = acc.RawAttrs;
                        var sym = Unsafe.Add(ref code, pc + 2);
                        var cache = Unsafe.Add(ref code, pc + 3);
                        NixAttrs owner;
                        var index = cache >= 0 ? chunk.Caches[cache].IndexOf(attrs, sym, out owner) : attrs.Locate(sym, out owner);
                        if (index >= 0)
                        {
                            acc = cx.ForceInPlace(ref owner.Values[index]);
                            // Only a selection without a default is fused with its Return.
                            if ((OpCode)Unsafe.Add(ref code, pc) == OpCode.SelectSymReturn) return acc;
                            pc += 5;
                            break;
                        }
                        if (orLabel < 0) throw Missing(chunk, cx, sym, Unsafe.Add(ref code, pc + 1));
                    }
                    else if (orLabel < 0) throw TypeError(chunk, cx, "a set", acc, Unsafe.Add(ref code, pc + 1));
                    pc = orLabel;
                    break;
                }
                case OpCode.SelectCheck:
                {
                    if (acc.Kind == ValueKind.Attrs)
                    {
                        pc += 3;
                        break;
                    }
                    var orLabel = Unsafe.Add(ref code, pc + 2);
                    if (orLabel < 0) throw TypeError(chunk, cx, "a set", acc, Unsafe.Add(ref code, pc + 1));
                    pc = orLabel;
                    break;
                }
                case OpCode.SelectDynamic:
                {
                    var set = Pop(ref s, ref sp).RawAttrs;
                    var sym = Symbol(chunk, cx, acc, Unsafe.Add(ref code, pc + 2));
                    // A layer is searched without merging it; the slot found gets the atom it is forced to.
                    var index = set.Locate(sym, out var owner);
                    if (index >= 0)
                    {
                        acc = cx.ForceInPlace(ref owner.Values[index]);
                        pc += 4;
                        break;
                    }
                    var orLabel = Unsafe.Add(ref code, pc + 3);
                    if (orLabel < 0) throw Missing(chunk, cx, sym, Unsafe.Add(ref code, pc + 1));
                    pc = orLabel;
                    break;
                }
                case OpCode.HasSym:
                {
                    if (acc.Kind != ValueKind.Attrs || !acc.RawAttrs.TryGet(Unsafe.Add(ref code, pc + 1), out var next))
                    {
                        acc = Value.False;
                        pc = Unsafe.Add(ref code, pc + 3);
                        break;
                    }
                    acc = Unsafe.Add(ref code, pc + 2) != 0 ? Value.True : cx.Force(next);
                    pc += 4;
                    break;
                }
                case OpCode.HasCheck:
                    if (acc.Kind != ValueKind.Attrs)
                    {
                        acc = Value.False;
                        pc = Unsafe.Add(ref code, pc + 1);
                        break;
                    }
                    pc += 2;
                    break;
                case OpCode.HasDynamic:
                {
                    var set = Pop(ref s, ref sp).RawAttrs;
                    var sym = Symbol(chunk, cx, acc, Unsafe.Add(ref code, pc + 1));
                    if (!set.TryGet(sym, out var next))
                    {
                        acc = Value.False;
                        pc = Unsafe.Add(ref code, pc + 3);
                        break;
                    }
                    acc = Unsafe.Add(ref code, pc + 2) != 0 ? Value.True : cx.Force(next);
                    pc += 4;
                    break;
                }
                case OpCode.Coerce:
                    acc = Value.FromString(cx.CoerceToString(acc, StringCoercion.Interpolation));
                    pc += 1;
                    break;
                case OpCode.ToString:
                    acc = Value.FromString(cx.CoerceToString(acc, StringCoercion.ToString));
                    pc += 2;
                    break;
                case OpCode.SubstringRange:
                {
                    var length = Pop(ref s, ref sp);
                    var str = Builtins.BuiltinCatalog.SubstringBounds(cx, Pop(ref s, ref sp), length, acc, out var from, out var to);
                    Unsafe.Add(ref s, sp++) = Value.FromString(str);
                    acc = Value.FromInt((long)to << 32 | (uint)from);
                    pc += 2;
                    break;
                }
                case OpCode.SliceEq:
                case OpCode.SliceNeq:
                {
                    var range = Pop(ref s, ref sp).RawInt;
                    var str = Pop(ref s, ref sp).RawString;
                    var from = (int)(uint)range;
                    var equal = acc.Kind == ValueKind.String && acc.RawString.Bytes.SequenceEqual(str.Bytes[from..(int)(range >> 32)]);
                    acc = Value.FromBool(equal == ((OpCode)Unsafe.Add(ref code, pc) == OpCode.SliceEq));
                    pc += 1;
                    break;
                }
                case OpCode.ToStringPiece:
                    if (acc.Kind != ValueKind.Int) acc = Value.FromString(cx.CoerceToString(acc, StringCoercion.ToString));
                    pc += 2;
                    break;
                case OpCode.Interpolate:
                {
                    var n = Unsafe.Add(ref code, pc + 1);
                    sp -= n;
                    acc = Operators.Interpolate(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref s, sp), n));
                    pc += 2;
                    break;
                }
                case OpCode.InterpolateArray:
                    acc = Operators.Interpolate(Unsafe.As<Value[]>(Pop(ref s, ref sp).Obj!));
                    pc += 1;
                    break;
                case OpCode.PathInterpolate:
                    acc = Unsafe.As<PathShape>(objects[Unsafe.Add(ref code, pc + 1)]).Build(cx, Unsafe.As<Value[]>(Pop(ref s, ref sp).Obj!));
                    pc += 2;
                    break;
                case OpCode.Assert:
                    Unsafe.As<AssertShape>(objects[Unsafe.Add(ref code, pc + 1)]).Check(cx, acc);
                    pc += 2;
                    break;
                case OpCode.AssertEqual:
                    Unsafe.As<AssertShape>(objects[Unsafe.Add(ref code, pc + 1)]).CheckEqual(cx, Pop(ref s, ref sp), acc);
                    pc += 2;
                    break;
                case OpCode.Return:
                    return acc;
                case OpCode.ThunkToItem:
                    acc = Value.FromThunk(new Thunk(Unsafe.As<Code>(objects[Unsafe.Add(ref code, pc + 1)]), env));
                    Unsafe.As<Value[]>(Unsafe.Add(ref s, sp - 1).Obj!)[Unsafe.Add(ref code, pc + 2)] = acc;
                    pc += 3;
                    break;
                case OpCode.ConstToItem:
                    acc = constants[Unsafe.Add(ref code, pc + 1)];
                    Unsafe.As<Value[]>(Unsafe.Add(ref s, sp - 1).Obj!)[Unsafe.Add(ref code, pc + 2)] = acc;
                    pc += 3;
                    break;
                case OpCode.LocalRawToItem:
                    acc = RawSlot(cx, env, objects, ref Unsafe.Add(ref code, pc + 1));
                    Unsafe.As<Value[]>(Unsafe.Add(ref s, sp - 1).Obj!)[Unsafe.Add(ref code, pc + 4)] = acc;
                    pc += 5;
                    break;
                case OpCode.ThunkToLocal:
                    acc = Value.FromThunk(new Thunk(Unsafe.As<Code>(objects[Unsafe.Add(ref code, pc + 1)]), env));
                    env[Unsafe.Add(ref code, pc + 2)] = acc;
                    pc += 3;
                    break;
                case OpCode.ConstToLocal:
                    acc = constants[Unsafe.Add(ref code, pc + 1)];
                    env[Unsafe.Add(ref code, pc + 2)] = acc;
                    pc += 3;
                    break;
                case OpCode.LocalRawToLocal:
                    acc = RawSlot(cx, env, objects, ref Unsafe.Add(ref code, pc + 1));
                    env[Unsafe.Add(ref code, pc + 4)] = acc;
                    pc += 5;
                    break;
                case OpCode.PushConst:
                    Unsafe.Add(ref s, sp++) = acc;
                    goto case OpCode.Const;
                case OpCode.PushLocal0:
                    Unsafe.Add(ref s, sp++) = acc;
                    goto case OpCode.Local0;
                case OpCode.PushLocal1:
                    Unsafe.Add(ref s, sp++) = acc;
                    goto case OpCode.Local1;
                case OpCode.PushLocalRaw:
                    Unsafe.Add(ref s, sp++) = acc;
                    goto case OpCode.LocalRaw;
                case OpCode.PushMakeThunk:
                    Unsafe.Add(ref s, sp++) = acc;
                    goto case OpCode.MakeThunk;
                case OpCode.PushMakeClosure:
                    Unsafe.Add(ref s, sp++) = acc;
                    goto case OpCode.MakeClosure;
                case OpCode.PushDelayFold:
                    Unsafe.Add(ref s, sp++) = acc;
                    goto case OpCode.DelayFold;
                case OpCode.PushDelay:
                    Unsafe.Add(ref s, sp++) = acc;
                    goto case OpCode.Delay;
                default:
                    throw new InvalidOperationException($"invalid opcode {Unsafe.Add(ref code, pc)} at {pc}");
            }
        }
    }

    /// <summary>The operands <c>depth i obj</c> of a raw slot read (<see cref="OpCode.LocalRaw"/>): the slot, or a thunk that reads it later.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Value RawSlot(EvalContext cx, Env env, object[] objects, ref int operands)
    {
        var e = env;
        for (var d = operands; d > 0; d--) e = e.Parent;
        var v = e[Unsafe.Add(ref operands, 1)];
        return v.Kind == ValueKind.Invalid ? Unsafe.As<LocalNode>(objects[Unsafe.Add(ref operands, 2)]).Delay(cx, env) : v;
    }

    /// <summary>Takes the top of the operand stack, clearing its slot (the stack must not keep values alive).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Value Pop(ref Value stack, ref int sp)
    {
        ref var slot = ref Unsafe.Add(ref stack, --sp);
        var v = slot;
        slot = default;
        return v;
    }

    /// <summary>An operand of <see cref="OpCode.DelayFold"/> when it is an integer known without forcing anything.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool PeekInt(Value[] constants, Env env, int kind, int a, int b, out long value)
    {
        Value v;
        if (kind == 0) v = constants[a];
        else
        {
            for (; a > 0; a--) env = env.Parent;
            v = env[b];
            if (v.Kind == ValueKind.Thunk) v = v.Settled;
        }
        value = v.RawInt;
        return v.Kind == ValueKind.Int;
    }

    /// <summary>A comparison (<c>op</c> one of the comparison BinOps) of two integers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool CompareInts(BinOp op, long a, long b) => op switch
    {
        BinOp.Lt => a < b,
        BinOp.Le => a <= b,
        BinOp.Gt => a > b,
        BinOp.Ge => a >= b,
        BinOp.Eq => a == b,
        _ => a != b,
    };

    /// <summary>A comparison of forced values other than two integers, with Nix's rules.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Compare(EvalContext cx, BinOp op, Value l, Value r) => op switch
    {
        BinOp.Eq => cx.ValuesEqual(l, r),
        BinOp.Neq => !cx.ValuesEqual(l, r),
        BinOp.Lt => cx.Compare(l, r) < 0,
        BinOp.Le => !(cx.Compare(r, l) < 0),
        BinOp.Gt => cx.Compare(r, l) < 0,
        _ => !(cx.Compare(l, r) < 0),
    };

    /// <summary>Slot <paramref name="index"/> of <paramref name="env"/>, forced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Value ForceSlot(Chunk chunk, EvalContext cx, Env env, int span, int index)
    {
        ref var slot = ref env[index];
        if (slot.Kind == ValueKind.Invalid) throw UninitialisedSlot(chunk, span);
        return cx.ForceInPlace(ref slot);
    }

    /// <summary>Reading a slot of a recursive scope while it is being initialised: the binding refers to itself (<c>let a = a;</c>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static NixEvalException UninitialisedSlot(Chunk chunk, int span) =>
        new NixEvalException("infinite recursion encountered").WithPosition(chunk.Source, chunk.Spans[span]);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static NixEvalException TypeError(Chunk chunk, EvalContext cx, string expected, Value v, int span) =>
        cx.TypeError(expected, v).WithPosition(chunk.Source, chunk.Spans[span]);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static NixEvalException Missing(Chunk chunk, EvalContext cx, int sym, int span) =>
        new NixEvalException($"attribute '{cx.Symbols.Text(sym)}' missing").WithPosition(chunk.Source, chunk.Spans[span]);

    /// <summary>The symbol of a dynamic attribute name (<c>x.${e}</c>, <c>x ? ${e}</c>).</summary>
    private static int Symbol(Chunk chunk, EvalContext cx, Value key, int span)
    {
        if (key.Kind != ValueKind.String) throw TypeError(chunk, cx, "a string", key, span);
        return cx.Symbols.Intern(key.RawString.Bytes);
    }
}
