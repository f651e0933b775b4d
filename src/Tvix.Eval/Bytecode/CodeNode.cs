using System.Runtime.CompilerServices;
using Tvix.Eval.Runtime;

namespace Tvix.Eval.Bytecode;

/// <summary>How a <see cref="CodeNode"/> behaves in a lazy position, as the expression it was compiled from would.</summary>
internal enum DelayForm : byte
{
    /// <summary>A thunk over the code.</summary>
    Thunk,
    /// <summary>A known value (a constant or a builtin).</summary>
    Value,
    /// <summary>A variable: the slot's value as it is.</summary>
    Local,
    /// <summary>A lambda: a closure.</summary>
    Closure,
    /// <summary>An integer operation folded when both operands are known (<see cref="BinaryNode.TryFold"/>), else a thunk.</summary>
    Fold,
    /// <summary>An attribute of a known set (<see cref="SelectNode.TryPeek"/>), else a thunk.</summary>
    Peek,
    /// <summary>A builtin's result on a known argument (<see cref="PureCall.TryFold"/>), else a thunk.</summary>
    FoldCall,
}

/// <summary>
/// A unit of evaluation compiled to bytecode: evaluating it runs its instructions, which start at
/// <see cref="Entry"/> in its source's <see cref="Chunk"/>, on the <see cref="Vm"/>. Thunks,
/// lambda bodies and files hold one of these as their code.
/// </summary>
internal sealed class CodeNode : Code
{
    internal override NodeKind Kind => NodeKind.Code;

    /// <summary>The code of the unit's source (set once the unit is emitted; until it first runs, its code may be a stub, see <see cref="IsPending"/>).</summary>
    public Chunk Chunk = null!;
    /// <summary>Where this unit's instructions start in <see cref="Chunk"/>; jump targets are relative to it.</summary>
    public int Entry;
    /// <summary>The deepest the unit's operand stack gets.</summary>
    public int MaxStack;
    /// <summary>How many ints of code the unit has (it fits in the object's padding).</summary>
    public int Length;
    private DelayForm _form;
    // Peek misses in a row: a selection whose set or attribute is never ready when the thunk is
    // made (a parameter not forced yet) stops looking and makes its thunk at once.
    private byte _peekMisses;
    // Whether the code is the stub that emits the real code on the first run (see Lowering.Lower).
    private bool _pending;
    // Whether the expression was rewritten for the parent environment (ParentScope): its lazy
    // value is made there, so that it does not keep the current environment alive.
    private bool _overParent;
    // What the lazy form needs: the constant (boxed: rare, and a CodeNode per thunk must stay
    // small), or the node that knows how to fold/peek/read.
    private readonly object? _delayed;

    /// <summary>How many misses in a row turn a <see cref="DelayForm.Peek"/> into a plain thunk.</summary>
    internal const int PeekMissLimit = 32;

    public CodeNode(Node original) : base(original.Source, original.Span)
    {
        // On the node's kind, not its type: in ReadyToRun code each type test is a cast-helper call.
        switch (original.Kind)
        {
            case NodeKind.Const: _form = DelayForm.Value; _delayed = new StrongBox<Value>(NodeKinds.As<ConstNode>(original).Value); break;
            case NodeKind.Global: _form = DelayForm.Value; _delayed = new StrongBox<Value>(NodeKinds.As<GlobalNode>(original).Value); break;
            case NodeKind.Local: _form = DelayForm.Local; _delayed = original; break;
            case NodeKind.Lambda: _form = DelayForm.Closure; _delayed = original; break;
            case NodeKind.Binary when NodeKinds.As<BinaryNode>(original).Foldable: _form = DelayForm.Fold; _delayed = original; break;
            case NodeKind.Select when NodeKinds.As<SelectNode>(original).Peekable: _form = DelayForm.Peek; _delayed = original; break;
            case NodeKind.Apply when PureCall.Of(NodeKinds.As<ApplyNode>(original)) is { } pure: _form = DelayForm.FoldCall; _delayed = pure; break;
            default: _form = DelayForm.Thunk; break;
        }
    }

    /// <summary>Where this unit's code is in its source's chunk (<see cref="Chunk"/> is set when the source is done).</summary>
    internal void Place(int entry, int length, int maxStack)
    {
        Entry = entry;
        Length = length;
        MaxStack = maxStack;
    }

    /// <summary>Runs the unit; errors it raises get their positions from the instruction that raised them.</summary>
    public override Value Eval(EvalContext cx, Env env)
    {
        if (_pending) return RunFirst(cx, env);
        var at = 0;
        try
        {
            return Vm.Run(this, cx, env, ref at);
        }
        catch (NixEvalException e) when (Chunk.Annotate(e, Entry + at))
        {
            throw;
        }
    }

    /// <summary>This unit's code is its stub until it first runs (see <see cref="Lowering.Lower"/>).</summary>
    internal void MarkPending() => _pending = true;

    /// <summary>Whether this unit's code is not emitted yet.</summary>
    internal bool IsPending => _pending;

    /// <summary>
    /// Runs a unit whose code is not emitted yet: emits it (appended to the chunk, as a unit of its
    /// own), runs that, and then takes its place. The place is taken after the run, so that the
    /// callers' exception filters, which read this unit's entry, see the stub (which adds nothing
    /// to an error) for the run that started there; a recursive run meanwhile finds the emitted
    /// unit in the stub's slot.
    /// </summary>
    private Value RunFirst(EvalContext cx, Env env)
    {
        var slot = Chunk.Code[Entry + 1] + 1;
        if (Chunk.Objects[slot] is not CodeNode code)
        {
            code = cx.LowerLater(Chunk, (Node)Chunk.Objects[slot]);
            Chunk.Objects[slot] = code;
        }
        try
        {
            return code.Eval(cx, env);
        }
        finally
        {
            if (_pending) Adopt(code, slot);
        }
    }

    private void Adopt(CodeNode code, int slot)
    {
        Place(code.Entry, code.Length, code.MaxStack);
        _pending = false;
        // Neither the expression nor the emitted unit is needed any more.
        Chunk.Objects[slot] = null!;
    }

    /// <summary>Emits this unit's code if it has not run yet.</summary>
    internal void EnsureLowered(EvalContext cx)
    {
        if (!_pending) return;
        var slot = Chunk.Code[Entry + 1] + 1;
        if (Chunk.Objects[slot] is not CodeNode code) code = cx.LowerLater(Chunk, (Node)Chunk.Objects[slot]);
        Adopt(code, slot);
    }

    /// <summary>A readable listing of this unit's instructions.</summary>
    public string Disassemble() => Chunk.Disassemble(Entry, Entry + Length);

    public override Value Delay(EvalContext cx, Env env)
    {
        if (_overParent) env = env.ParentOrNone;
        switch (_form)
        {
            case DelayForm.Value: return ((StrongBox<Value>)_delayed!).Value;
            case DelayForm.Local: return ((LocalNode)_delayed!).Delay(cx, env);
            case DelayForm.Closure: return Value.FromClosure(new Closure((LambdaNode)_delayed!, env));
            case DelayForm.Fold:
                if (((BinaryNode)_delayed!).TryFold(env, out var folded)) return folded;
                break;
            case DelayForm.Peek:
                if (((SelectNode)_delayed!).TryPeek(env, out var known))
                {
                    _peekMisses = 0;
                    return known;
                }
                if (++_peekMisses == PeekMissLimit) _form = DelayForm.Thunk;
                break;
            case DelayForm.FoldCall:
                if (((PureCall)_delayed!).TryFold(env, out var computed)) return computed;
                break;
        }
        return Value.FromThunk(new Thunk(this, env));
    }

    /// <summary>Makes this unit's lazy values in the parent of the environment <see cref="Delay"/> is given: its expression reads only enclosing scopes, one level less deep (<see cref="ParentScope"/>).</summary>
    internal void OverParent() => _overParent = true;

    internal override bool KeepsEnv(bool delayed) => true;
}
