using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Runtime;

/// <summary>
/// A lexical environment: the slots of one scope (a lambda's parameters, a let, a rec set, a
/// with) plus its parent. It is one array, element 0 holding the parent, so creating a scope
/// is a single allocation; the struct is only a typed view of that array.
/// </summary>
internal readonly struct Env
{
    private readonly Value[]? _a;

    private Env(Value[]? a) => _a = a;

    /// <summary>A new scope below <paramref name="parent"/>, which it keeps alive (so <paramref name="parent"/> counts as captured).</summary>
    public Env(int size, Env parent)
    {
        _a = new Value[size + 1];
        _a[0] = Value.Internal(parent._a);
        parent.MarkCaptured();
    }

    /// <summary>A call's environment below its closure's environment (which the closure has captured already).</summary>
    public static Env ForCall(int size, Env closureEnv)
    {
        var a = new Value[size + 1];
        a[0] = Value.Internal(closureEnv._a);
        return new(a);
    }

    /// <summary>
    /// Records that something that may outlive the current call refers to this environment: a
    /// thunk, a closure or a child scope made over it. A call whose environment is not marked when
    /// it returns gives the environment back for reuse (<see cref="EvalContext.ReturnEnvIfFree"/>).
    /// The mark is kept in the parent slot's unused 8 bytes: a plain store, no write barrier.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void MarkCaptured()
    {
        // An environment array always has its parent slot: no bounds check.
        if (_a is { } a) Unsafe.As<Value, ParentSlot>(ref MemoryMarshal.GetArrayDataReference(a)).Captured = 1;
    }

    /// <summary>Whether <see cref="MarkCaptured"/> was called since this environment was made or rented.</summary>
    public bool IsCaptured
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Unsafe.As<Value, ParentSlot>(ref MemoryMarshal.GetArrayDataReference(_a!)).Captured != 0;
    }

    // The layout of a Value (a reference, then 8 bytes), writable. The parent slot's 8 bytes are
    // otherwise always 0; nothing reads the parent slot as a Nix value.
    private struct ParentSlot
    {
#pragma warning disable CS0649 // Present for the layout only.
        public object? Parent;
#pragma warning restore CS0649
        public long Captured;
    }

    /// <summary>The enclosing environment.</summary>
    public Env Parent
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => new(Unsafe.As<Value[]>(_a![0].Obj));
    }

    /// <summary>The enclosing environment, or none for none (code that reads no variable runs in either).</summary>
    public Env ParentOrNone => _a is null ? default : Parent;

    /// <summary>Slot <paramref name="i"/> (0-based).</summary>
    public ref Value this[int i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _a![i + 1];
    }

    /// <summary>This environment as a value of kind Invalid (for a field that holds either it or a result).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Value AsValue() => Value.Internal(_a);

    /// <summary>The environment stored by <see cref="AsValue"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Env FromValue(Value v) => new(Unsafe.As<Value[]>(v.Obj));

    /// <summary>The environment whose array is <paramref name="array"/> (see <see cref="Array"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Env FromArray(Value[]? array) => new(array);

    /// <summary>A copy of the first <paramref name="count"/> slots.</summary>
    public Value[] CopySlots(int count)
    {
        if (count == 0) return [];
        // A loop, not Span.ToArray: a bulk copy of references is a call into the runtime that
        // costs more than the few stores of a rec set's attributes (4 % of with-rec-scopes).
        var copy = new Value[count];
        var slots = _a!;
        if ((uint)count >= (uint)slots.Length) ThrowOutOfRange();
        for (var i = 0; i < copy.Length; i++) copy[i] = slots[i + 1];
        return copy;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOutOfRange() => throw new ArgumentOutOfRangeException("count");

    /// <summary>Reuses <paramref name="array"/> (all slots cleared) as an environment below <paramref name="parent"/>.</summary>
    public static Env Reuse(Value[] array, Env parent)
    {
        array[0] = Value.Internal(parent._a);
        return new(array);
    }

    /// <summary>The array behind this environment.</summary>
    public Value[] Array => _a!;

    /// <summary>An environment holding <paramref name="values"/>, with no parent.</summary>
    public static Env Of(ReadOnlySpan<Value> values)
    {
        var env = new Env(values.Length, default);
        ValueCopy.Copy(values, env._a.AsSpan(1));
        return env;
    }
}

/// <summary>
/// An expression of the resolved tree the compiler makes (variables bound to slots, names
/// interned, scopes laid out), with its source span. The bytecode back end
/// (<see cref="Bytecode.Lowering"/>) turns it into <see cref="Code"/>; nothing evaluates it directly.
/// </summary>
internal abstract class Node(SourceText source, TextSpan span)
{
    public readonly SourceText Source = source;
    public readonly TextSpan Span = span;

    public NixEvalException Error(string message) => new NixEvalException(message).WithPosition(Source, Span);

    /// <summary>
    /// Whether evaluating this expression (or making its lazy value, when
    /// <paramref name="delayed"/>) may keep a reference to its environment after it returns: in a
    /// thunk, a closure, a child scope. A lambda whose body keeps none reuses its call
    /// environments (<see cref="EvalContext.RentEnv"/>). Conservative: true unless a node type
    /// knows better.
    /// </summary>
    internal virtual bool KeepsEnv(bool delayed) => true;

    /// <summary>What this node is, for the lowering's switches (see <see cref="NodeKind"/>).</summary>
    internal virtual NodeKind Kind => NodeKind.Other;

    /// <summary>Whether any of <paramref name="nodes"/> (null entries are literal pieces) may keep its environment.</summary>
    internal static bool AnyKeepsEnv(Node?[] nodes, bool delayed = false)
    {
        foreach (var n in nodes)
            if (n is not null && n.KeepsEnv(delayed)) return true;
        return false;
    }
}

/// <summary>
/// Something that runs: a unit of bytecode (<see cref="Bytecode.CodeNode"/>), a lookup the
/// bytecode delegates to, or the code of a builtin's thunk. <see cref="Eval"/> returns a value in
/// weak head normal form (never a thunk).
/// </summary>
internal abstract class Code(SourceText source, TextSpan span) : Node(source, span)
{
    public abstract Value Eval(EvalContext cx, Env env);

    /// <summary>The value of this code without running it: a thunk unless that is pointless.</summary>
    public virtual Value Delay(EvalContext cx, Env env) => Value.FromThunk(new Thunk(this, env));
}

/// <summary>A suspended computation; blackholed while it is being forced.</summary>
/// <remarks>
/// 32 bytes: two references. Before evaluation, the code (or a marker) and the environment
/// array; after it, a <see cref="ResultTag"/> holding the result's 8 non-reference bytes and the
/// result's reference. (A thunk of a code reference and a 16-byte value was 40 bytes; an
/// evaluation makes hundreds of thousands of thunks.) The result's 8 bytes are a kind for most
/// values and a small number for many scalars, whose tags are shared; other scalars' are boxed.
/// </remarks>
internal class Thunk
{
    private static readonly Code Blackhole = new BlackholeNode();

    /// <summary>The code of a <see cref="CallThunk"/>: never evaluated as a node, recognised by identity in <see cref="Force(EvalContext)"/>.</summary>
    private protected static readonly Code CallMarker = new CallMarkerNode();

    /// <summary>The code of a <see cref="CallThunk2"/>, recognised by identity like <see cref="CallMarker"/>.</summary>
    private protected static readonly Code Call2Marker = new CallMarkerNode();

    /// <summary>The code of a <see cref="LazyMembers"/>, which stands for many thunks: forcing it needs the member's index (<see cref="Force(EvalContext, long)"/>).</summary>
    private protected static readonly Code MembersMarker = new CallMarkerNode();

    // Not evaluated: a Code, or a ReadyTag (see Ready). Evaluated: a ResultTag.
    private object _head;
    // Not evaluated: the environment array (null for none). Evaluated (or ready): the result's reference.
    private protected object? _tail;

    public Thunk(Code code, Env env)
    {
        _head = code;
        env.MarkCaptured();
        _tail = env.Array;
    }

    private protected Thunk(Code marker)
    {
        _head = marker;
    }

    /// <summary>
    /// A thunk whose value was computed when it was made (a call that only builds a value, see
    /// <see cref="BodyEffects"/>) but that counts as not evaluated until something forces it, so
    /// that printing shows what Nix shows for the lazy call it stands for.
    /// </summary>
    public static Thunk Ready(Value result) => new(result);

    private Thunk(Value result)
    {
        _head = ReadyTag.For(result.Bits);
        _tail = result.Obj;
    }

    public bool IsEvaluated => _head.GetType() == typeof(ResultTag);

    /// <summary>Whether this thunk is being evaluated right now (forcing it again is infinite recursion).</summary>
    public bool IsBlackholed => ReferenceEquals(_head, Blackhole);

    /// <summary>The result (the thunk must be evaluated).</summary>
    public Value Result => Value.FromParts(_tail, Unsafe.As<ResultTag>(_head).Bits);

    /// <summary>The value, evaluating it first if needed. The evaluated case is inlined at call sites.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Value Force(EvalContext cx)
    {
        var head = _head;
        return head.GetType() == typeof(ResultTag) ? Value.FromParts(_tail, Unsafe.As<ResultTag>(head).Bits) : Evaluate(cx, 0);
    }

    /// <summary>
    /// The value of a thunk value whose 8 other bytes are <paramref name="bits"/>: as
    /// <see cref="Force(EvalContext)"/>, and for a <see cref="LazyMembers"/> the value of the
    /// member those bytes name. What <see cref="EvalContext.Force"/> calls: the members' case costs
    /// its callers nothing but passing the bytes (the bytecode loop inlines many forces, and every
    /// level of a deep recursion pays for its frame).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Value Force(EvalContext cx, long bits)
    {
        var head = _head;
        return head.GetType() == typeof(ResultTag) ? Value.FromParts(_tail, Unsafe.As<ResultTag>(head).Bits) : Evaluate(cx, bits);
    }

    // Kept out of line: the exception filter and the evaluation would stop Force from inlining.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Value Evaluate(EvalContext cx, long bits)
    {
        var head = _head;
        if (head.GetType() == typeof(ResultTag)) return Result;
        if (head.GetType() == typeof(ReadyTag))
        {
            var ready = Value.FromParts(_tail, Unsafe.As<ReadyTag>(head).Bits);
            _head = ResultTag.For(ready);
            return ready;
        }
        var code = Unsafe.As<Code>(head);
        if (ReferenceEquals(code, MembersMarker)) return Unsafe.As<LazyMembers>(this).ForceMember(cx, bits);
        if (ReferenceEquals(code, Blackhole))
            throw new NixEvalException("infinite recursion encountered");
        _head = Blackhole;
        var at = 0;
        try
        {
            if (!cx.HasStack()) throw cx.StackOverflow();
            Value v;
            if (ReferenceEquals(code, CallMarker))
            {
                var call = Unsafe.As<CallThunk>(this);
                v = cx.Call(call.Function, call.Argument);
                call.Function = default;
                call.Argument = default;
            }
            else if (ReferenceEquals(code, Call2Marker))
            {
                var call = Unsafe.As<CallThunk2>(this);
                v = cx.Call(call.Function, call.Argument1, call.Argument2);
                call.Function = default;
                call.Argument1 = default;
                call.Argument2 = default;
            }
            else if (code.GetType() == typeof(Bytecode.CodeNode)) // not `is`: a cast-helper call in ReadyToRun code
            {
                var unit = Unsafe.As<Bytecode.CodeNode>(code);
                // The unit's loop runs here directly (one frame less per force); this method's
                // filter positions its errors, as CodeNode.Eval's would.
                v = Bytecode.Vm.Run(unit, cx, Env.FromArray(Unsafe.As<Value[]>(_tail)), ref at);
            }
            else
            {
                v = code.Eval(cx, Env.FromArray(Unsafe.As<Value[]>(_tail)));
            }
            _tail = v.Obj;
            _head = ResultTag.For(v);
            return v;
        }
        catch (NixEvalException e) when (code is Bytecode.CodeNode unit && unit.Chunk.Annotate(e, unit.Entry + at))
        {
            throw;
        }
        catch (Exception) when (Restore(code))
        {
            throw;
        }
    }

    /// <summary>A failed thunk can be forced again (tryEval, or a later caller), as in Nix. Runs as an exception filter.</summary>
    private bool Restore(Code code)
    {
        _head = code;
        return false;
    }

    private sealed class BlackholeNode() : Code(SourceText.From(""), default)
    {
        public override Value Eval(EvalContext cx, Env env) => throw new NixEvalException("infinite recursion encountered");
    }

    private sealed class CallMarkerNode() : Code(SourceText.From("", "«builtin»"), default)
    {
        public override Value Eval(EvalContext cx, Env env) => throw new InvalidOperationException("a lazy call is forced through its thunk");
    }

    /// <summary>The 8 non-reference bytes of a result computed ahead (<see cref="Ready"/>): the thunk counts as not evaluated until forced.</summary>
    private sealed class ReadyTag
    {
        // Shared for every kind of non-scalar value, null, Booleans and small integers (immutable).
        private static readonly ReadyTag[] Shared = MakeShared(256);

        public readonly long Bits;

        private ReadyTag(long bits) => Bits = bits;

        private static ReadyTag[] MakeShared(int count)
        {
            var tags = new ReadyTag[count];
            for (var i = 0; i < count; i++) tags[i] = new ReadyTag(i);
            return tags;
        }

        public static ReadyTag For(long bits) => (ulong)bits < (ulong)Shared.Length ? Shared[bits] : new ReadyTag(bits);
    }
}

/// <summary>
/// The 8 non-reference bytes of an evaluated thunk's result (see <see cref="Thunk"/>). Immutable;
/// the tags of small numbers (every kind of non-scalar value, null, Booleans, small integers)
/// are made once per process and shared.
/// </summary>
internal sealed class ResultTag
{
    private const int FirstShared = -16;
    private static readonly ResultTag[] Shared = MakeShared(1024);

    public readonly long Bits;

    private ResultTag(long bits) => Bits = bits;

    private static ResultTag[] MakeShared(int count)
    {
        var tags = new ResultTag[count];
        for (var i = 0; i < count; i++) tags[i] = new ResultTag(FirstShared + i);
        return tags;
    }

    /// <summary>The tag of <paramref name="v"/>'s 8 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ResultTag For(Value v)
    {
        var index = (ulong)(v.Bits - FirstShared);
        return index < (ulong)Shared.Length ? Shared[index] : new ResultTag(v.Bits);
    }
}

/// <summary>
/// A lazy call <c>f a</c> (<see cref="EvalContext.CallLazy"/>, made per element by map, genList,
/// mapAttrs, …) as one object: the function and the argument in fields of their own, instead of
/// a thunk plus an environment array.
/// </summary>
internal sealed class CallThunk : Thunk
{
    public Value Function;
    public Value Argument;

    public CallThunk(Value function, Value argument) : base(CallMarker)
    {
        Function = function;
        Argument = argument;
    }
}

/// <summary>
/// A lazy call <c>f a b</c> (<see cref="EvalContext.CallLazy2"/>, made per attribute by mapAttrs,
/// zipAttrsWith, …): one object instead of a thunk plus an environment array of three slots.
/// </summary>
internal sealed class CallThunk2 : Thunk
{
    public Value Function;
    public Value Argument1;
    public Value Argument2;

    public CallThunk2(Value function, Value argument1, Value argument2) : base(Call2Marker)
    {
        Function = function;
        Argument1 = argument1;
        Argument2 = argument2;
    }
}

/// <summary>
/// A Nix function value: compiled lambda plus its captured environment. For a level of a
/// curried chain (<see cref="LambdaChain"/>), also the arguments of the outer levels so far.
/// </summary>
internal sealed class Closure
{
    public readonly LambdaNode Code;
    public readonly Env Env;
    /// <summary>Arguments of the chain levels before <see cref="Code"/> (null at the outermost level).</summary>
    public readonly Value[]? Bound;

    public Closure(LambdaNode code, Env env, Value[]? bound = null)
    {
        env.MarkCaptured();
        Code = code;
        Env = env;
        Bound = bound;
    }

    /// <summary>This closure applied to one more argument, as the next level's closure.</summary>
    public Closure With(LambdaNode next, Value argument)
    {
        var count = Bound?.Length ?? 0;
        var bound = new Value[count + 1];
        if (Bound is not null) ValueCopy.Copy(Bound, bound);
        bound[count] = argument;
        return new Closure(next, Env, bound);
    }

    /// <summary>This closure applied to several more arguments (fewer than it lacks).</summary>
    public Closure With(LambdaNode next, ReadOnlySpan<Value> arguments)
    {
        var count = Bound?.Length ?? 0;
        var bound = new Value[count + arguments.Length];
        if (Bound is not null) ValueCopy.Copy(Bound, bound);
        ValueCopy.Copy(arguments, bound.AsSpan(count));
        return new Closure(next, Env, bound);
    }

    /// <summary>Copies the carried arguments into the first slots of the chain's environment.</summary>
    public void CopyBound(Env env)
    {
        if (Bound is not { } bound) return;
        for (var i = 0; i < bound.Length; i++) env[i] = bound[i];
    }
}

/// <summary>A builtin function with a fixed arity.</summary>
internal sealed class Builtin(string name, int arity, BuiltinImplementation impl, bool consumesArguments = false)
{
    public readonly string Name = name;
    public readonly int Arity = arity;
    public readonly BuiltinImplementation Impl = impl;
    /// <summary>
    /// Whether the builtin only reads its arguments' values and keeps none of the arguments it
    /// is given (thunks) once it returns: then the thunks a call with all the arguments makes for
    /// them do not keep the caller's environment (<see cref="Node.KeepsEnv"/>).
    /// </summary>
    public readonly bool ConsumesArguments = consumesArguments;
}

/// <summary>A builtin applied to fewer arguments than its arity.</summary>
internal sealed class PartialApplication(Builtin builtin, Value[] args)
{
    public readonly Builtin Builtin = builtin;
    public readonly Value[] Args = args;
}
