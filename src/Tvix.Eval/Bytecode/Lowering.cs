using Tvix.Eval.Runtime;

namespace Tvix.Eval.Bytecode;

/// <summary>
/// The compiler's back end: turns the resolved expression tree (variables already resolved to
/// slots, names interned, scopes laid out) into bytecode. Every unit that is evaluated on its own
/// — the file, the expression of each thunk, each lambda body, each formal's default — becomes a
/// <see cref="CodeNode"/> with its own <see cref="Chunk"/>; expressions in lazy positions inside a
/// unit become instructions that make a thunk of their own unit, or push their value directly
/// where no thunk is needed (constants, variables, lambdas). The units of thunks, lambda bodies
/// and defaults are emitted when they first run (see <see cref="Lower"/>), since most never do.
/// </summary>
internal sealed class Lowering
{
    /// <summary>
    /// A forced subexpression that would start this deep on the operand stack is compiled as a unit
    /// of its own (run by <see cref="OpCode.Eval"/>), so a chunk never needs more than
    /// <see cref="Vm.LargeStack"/> slots: no construct pushes more than <see cref="MaxPieces"/> values of its own.
    /// </summary>
    private const int SpillDepth = 12;

    /// <summary>The most values one construct pushes: interpolation pieces and call arguments beyond it use an array or are grouped.</summary>
    private const int MaxPieces = 12;

    private const int MaxCallArguments = 8;

    /// <summary>
    /// The values of a set, <c>rec</c> or <c>let</c> with at least this many bindings are emitted
    /// on their first run (see <see cref="LazyUnit"/>): such sets are libraries and package sets,
    /// of which one evaluation uses a few members. Elsewhere code is emitted at once: most of it
    /// runs, and the expression a lazy unit keeps until then would survive collections.
    /// </summary>
    internal const int LazyBindings = 64;

    private readonly HashSet<object> _lowered = new(ReferenceEqualityComparer.Instance);
    private readonly ChunkBuilder _builder = new();
    // Units waiting to be emitted: each is emitted whole, after the one that refers to it, so the
    // code of every unit is contiguous and one builder serves them all.
    private readonly GrowableArray<CodeNode> _pendingCode = new();
    private readonly GrowableArray<Node> _pendingNodes = new();
    // Units whose code is emitted when they first run, and their expressions.
    private readonly GrowableArray<CodeNode> _lazyCode = new();
    // Operands to patch once a selection's or `?`'s end is known, used as a stack: an operand
    // expression (a dynamic name) may hold a selection of its own. One list for all of them,
    // instead of one per selection (most files' commonest construct).
    private readonly List<int> _toPatch = [];
    private readonly GrowableArray<Node> _lazyNodes = new();

    /// <summary>
    /// Compiles a file's (or expression's) tree to bytecode. One instance serves an evaluator's
    /// every file, reusing its buffers (compiling never evaluates, so it is never re-entered).
    /// </summary>
    /// <remarks>
    /// The units of thunks and lambda bodies are not emitted here: each is a stub,
    /// <c>EvalReturn</c> of itself, whose run (<see cref="CodeNode.Eval"/>) emits its code with
    /// <see cref="LowerLater"/>; the expression waits in the object after the unit's.
    /// </remarks>
    public CodeNode Lower(Node root) => LowerLater(new Chunk(root.Source), root);

    /// <summary>Compiles <paramref name="root"/>, an expression of <paramref name="chunk"/>'s source, to a unit appended to that chunk.</summary>
    public CodeNode LowerLater(Chunk chunk, Node root)
    {
        var b = _builder;
        b.Reset(chunk);
        var code = Unit(root);
        Drain();
        for (var k = 0; k < _lazyCode.Count; k++)
        {
            var unit = _lazyCode[k];
            b.BeginUnit();
            var self = b.Object(unit);
            b.Object(_lazyNodes[k]);
            b.Emit(OpCode.EvalReturn, self, 0);
            b.EndUnit(unit);
            unit.MarkPending();
        }
        _lazyCode.Clear(1 << 14);
        _lazyNodes.Clear(1 << 14);
        b.Finish();
        _lowered.Clear();
        return code;
    }

    /// <summary>The unit that evaluates <paramref name="n"/> at once when its parent runs (its code is emitted later, see <see cref="Drain"/>).</summary>
    private CodeNode Unit(Node n)
    {
        if (n.Kind == NodeKind.Code) return NodeKinds.As<CodeNode>(n);
        var code = new CodeNode(n);
        _pendingCode.Add(code);
        _pendingNodes.Add(n);
        return code;
    }

    /// <summary>
    /// The unit that evaluates <paramref name="n"/> when a thunk is forced or a lambda called: its
    /// code is emitted on its first run (<see cref="CodeNode.Eval"/>). Most of them never run (of
    /// the 55,000 units of nixpkgs' files that instantiating <c>hello</c> loads, 3,400 do).
    /// </summary>
    private CodeNode LazyUnit(Node n)
    {
        if (n.Kind == NodeKind.Code) return NodeKinds.As<CodeNode>(n);
        // A lambda's unit makes its closure without running (CodeNode.Delay): its body must be a unit by then.
        if (n.Kind == NodeKind.Lambda) Lambda(NodeKinds.As<LambdaNode>(n), lazy: true);
        var code = new CodeNode(n);
        _lazyCode.Add(code);
        _lazyNodes.Add(n);
        return code;
    }

    /// <summary>
    /// Code that stores, in one instruction (<paramref name="op"/>), the values of a large set's
    /// members that are plain thunks: their thunks are made only when first needed
    /// (<see cref="LazyMembers"/>). Returns which of <paramref name="values"/> it covers; the
    /// others (constants, variables, lambdas, selections, foldable operations) are emitted one by
    /// one as before.
    /// </summary>
    private bool[] Members(ChunkBuilder b, Node[] values, OpCode op)
    {
        var covered = new bool[values.Length];
        var count = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (!IsPlainThunk(values[i])) continue;
            covered[i] = true;
            count++;
        }
        // Room for the units of the others, emitted one by one.
        ReserveLazy(b, values.Length - count);
        if (count == 0) return covered;
        var members = new Node[count];
        var slots = new int[count];
        var j = 0;
        for (var i = 0; i < values.Length; i++)
        {
            if (!covered[i]) continue;
            members[j] = values[i];
            slots[j++] = i;
        }
        b.Emit(op, b.Object(new MemberTable(b.Chunk, members, slots)), 0);
        return covered;
    }

    /// <summary>Whether <see cref="Delayed"/> would make a plain thunk of <paramref name="n"/> (selections, which it may move to the parent scope, are left to it).</summary>
    private static bool IsPlainThunk(Node n) => n.Kind switch
    {
        NodeKind.Const or NodeKind.Global or NodeKind.Local or NodeKind.Lambda or NodeKind.Select => false,
        NodeKind.Binary => !NodeKinds.As<BinaryNode>(n).Foldable,
        NodeKind.Apply => !PureCall.IsFoldable(NodeKinds.As<ApplyNode>(n)),
        _ => true,
    };

    /// <summary>Room for a large set's <paramref name="members"/> lazy units (see <see cref="ChunkBuilder.ReserveLazyMembers"/>).</summary>
    private void ReserveLazy(ChunkBuilder b, int members)
    {
        b.ReserveLazyMembers(members);
        _lazyCode.EnsureCapacity(_lazyCode.Count + members);
        _lazyNodes.EnsureCapacity(_lazyNodes.Count + members);
    }

    private void Drain()
    {
        var b = _builder;
        // Units found while emitting one are appended, so this runs until none is left.
        for (var i = 0; i < _pendingCode.Count; i++)
        {
            b.BeginUnit();
            Forced(b, _pendingNodes[i], tail: true);
            b.Emit(OpCode.Return, 0);
            b.EndUnit(_pendingCode[i]);
        }
        _pendingCode.Clear(1 << 14);
        _pendingNodes.Clear(1 << 14);
    }

    /// <summary>Code that leaves the value of <paramref name="n"/>, in weak head normal form, in the accumulator.</summary>
    /// <param name="b">The unit's builder.</param>
    /// <param name="n">The expression.</param>
    /// <param name="tail">Whether the unit returns this value: a branch can return at once, and a scope need not be left.</param>
    private void Forced(ChunkBuilder b, Node n, bool tail = false)
    {
        if (b.Depth >= SpillDepth && n.Kind is not (NodeKind.Const or NodeKind.Global or NodeKind.Local))
        {
            b.Emit(OpCode.Eval, b.Object(Unit(n)), 0);
            return;
        }
        switch (n.Kind)
        {
            case NodeKind.Const:
            {
                var c = NodeKinds.As<ConstNode>(n);
                Constant(b, c.Value);
                break;
            }
            case NodeKind.Global:
            {
                var g = NodeKinds.As<GlobalNode>(n);
                Constant(b, g.Value);
                break;
            }
            case NodeKind.Local:
            {
                var l = NodeKinds.As<LocalNode>(n);
                Local(b, l);
                break;
            }
            case NodeKind.WithLookup:
            {
                var w = NodeKinds.As<WithLookupNode>(n);
                b.Emit(OpCode.WithLookup, b.Object(w), 0);
                break;
            }
            case NodeKind.Error:
            {
                b.Emit(OpCode.Eval, b.Object(n), 0);
                break;
            }
            case NodeKind.Code:
            {
                var code = NodeKinds.As<CodeNode>(n);
                b.Emit(OpCode.Eval, b.Object(code), 0);
                break;
            }
            case NodeKind.Interpolation:
            {
                var s = NodeKinds.As<InterpolationNode>(n);
                Interpolation(b, s);
                break;
            }
            case NodeKind.PathInterpolation:
            {
                var p = NodeKinds.As<PathInterpolationNode>(n);
                var parts = p.Parts;
                b.Emit(OpCode.NewArray, parts.Length, 1);
                for (var i = 0; i < parts.Length; i++)
                {
                    if (parts[i] is not { } part) continue;
                    Forced(b, part);
                    b.Emit(OpCode.StoreItem, i, 0);
                }
                b.Emit(OpCode.PathInterpolate, b.Object(p.Shape), -1);
                break;
            }
            case NodeKind.List:
            {
                var list = NodeKinds.As<ListNode>(n);
                var items = list.Items;
                if (items.Length == 0) { b.Emit(OpCode.Const, b.Constant(Value.FromList(NixList.Empty)), 0); break; }
                b.Emit(OpCode.NewArray, items.Length, 1);
                for (var i = 0; i < items.Length; i++)
                {
                    Delayed(b, items[i]);
                    b.Emit(OpCode.StoreItem, i, 0);
                }
                b.Emit(OpCode.MakeList, -1);
                break;
            }
            case NodeKind.If:
            {
                var ifNode = NodeKinds.As<IfNode>(n);
                var depth = b.Depth;
                if (ifNode.Cond is BinaryNode { Op: BinOp.Lt or BinOp.Le or BinOp.Gt or BinOp.Ge or BinOp.Eq or BinOp.Neq } cmp)
                {
                    // The comparison's result is a Boolean: compare and branch in one instruction.
                    Forced(b, cmp.Left);
                    b.Emit(OpCode.Push, 1);
                    Forced(b, cmp.Right);
                    b.Emit(OpCode.CompareJump, b.Span(cmp.Span), (int)cmp.Op, -1, -1);
                }
                else
                {
                    Forced(b, ifNode.Cond);
                    b.Emit(OpCode.JumpIfFalse, b.Span(ifNode.Cond.Span), -1, 0);
                }
                var toElse = b.LastOperand;
                Forced(b, ifNode.Then, tail);
                if (tail)
                {
                    b.Emit(OpCode.Return, 0);
                    b.Patch(toElse);
                    b.SetDepth(depth);
                    Forced(b, ifNode.Else, tail);
                    break;
                }
                b.Emit(OpCode.Jump, -1, 0);
                var toEnd = b.LastOperand;
                b.Patch(toElse);
                b.SetDepth(depth);
                Forced(b, ifNode.Else);
                b.Patch(toEnd);
                break;
            }
            case NodeKind.Assert:
            {
                var a = NodeKinds.As<AssertNode>(n);
                if (a.Cond is BinaryNode { Op: BinOp.Eq } eq)
                {
                    Forced(b, eq.Left);
                    b.Emit(OpCode.Push, 1);
                    Forced(b, eq.Right);
                    b.Emit(OpCode.AssertEqual, b.Object(a.Shape), -1);
                }
                else
                {
                    Forced(b, a.Cond);
                    b.Emit(OpCode.Assert, b.Object(a.Shape), 0);
                }
                Forced(b, a.Body, tail);
                break;
            }
            case NodeKind.With:
            {
                var w = NodeKinds.As<WithNode>(n);
                Namespace(b, w.Namespace);
                b.Emit(OpCode.PushScope, 1, 0);
                b.Emit(OpCode.StoreLocal, 0, 0);
                Forced(b, w.Body, tail);
                if (!tail) b.Emit(OpCode.LeaveScope, 0);
                break;
            }
            case NodeKind.HoistedWith:
            {
                var hw = NodeKinds.As<HoistedWithNode>(n);
                Namespace(b, hw.Namespace);
                b.Emit(OpCode.StoreLocal, hw.Slot, 0);
                Forced(b, hw.Body, tail);
                break;
            }
            case NodeKind.Apply:
            {
                var ap = NodeKinds.As<ApplyNode>(n);
                if (IsToString(ap.Function))
                {
                    ToString(b, ap, OpCode.ToString, tail);
                    break;
                }
                Forced(b, ap.Function);
                b.Emit(OpCode.Push, 1);
                Delayed(b, ap.Argument);
                b.Emit(OpCode.Call, b.Span(ap.Span), -1);
                break;
            }
            case NodeKind.ApplyMany:
            {
                var am = NodeKinds.As<ApplyManyNode>(n);
                Forced(b, am.Function);
                var args = am.Arguments;
                for (var start = 0; start < args.Length; start += MaxCallArguments)
                {
                    var count = Math.Min(MaxCallArguments, args.Length - start);
                    b.Emit(OpCode.Push, 1);
                    for (var i = 0; i < count; i++)
                    {
                        Delayed(b, args[start + i]);
                        // The last argument stays in the accumulator.
                        if (i < count - 1) b.Emit(OpCode.Push, 1);
                    }
                    // CallMany pushes it next to the others: count it for the stack's size.
                    b.Stack(1);
                    b.Emit(OpCode.CallMany, b.Span(am.Span), count, -count - 1);
                }
                break;
            }
            case NodeKind.Not:
            {
                var not = NodeKinds.As<NotNode>(n);
                Forced(b, not.Operand);
                b.Emit(OpCode.Not, b.Span(not.Span), 0);
                break;
            }
            case NodeKind.Negate:
            {
                var neg = NodeKinds.As<NegateNode>(n);
                Forced(b, neg.Operand);
                b.Emit(OpCode.Negate, b.Span(neg.Span), 0);
                break;
            }
            case NodeKind.Logic:
            {
                var logic = NodeKinds.As<LogicNode>(n);
                Forced(b, logic.Left);
                var op = logic.Op switch { LogicOp.And => OpCode.AndJump, LogicOp.Or => OpCode.OrJump, _ => OpCode.ImpliesJump };
                b.Emit(op, b.Span(logic.Left.Span), -1, 0);
                var toEnd = b.LastOperand;
                Forced(b, logic.Right);
                b.Emit(OpCode.CheckBool, b.Span(logic.Right.Span), 0);
                b.Patch(toEnd);
                break;
            }
            case NodeKind.Binary:
            {
                var bin = NodeKinds.As<BinaryNode>(n);
                if (bin.Op is BinOp.Eq or BinOp.Neq && bin.Left is ApplyManyNode { Arguments.Length: 3 } sub && IsSubstring(sub.Function))
                {
                    SubstringEquals(b, sub, bin);
                    break;
                }
                Forced(b, bin.Left);
                b.Emit(OpCode.Push, 1);
                Forced(b, bin.Right);
                b.Emit(BinaryOpCode(bin.Op), b.Span(bin.Span), -1);
                break;
            }
            case NodeKind.Select:
            {
                var sel = NodeKinds.As<SelectNode>(n);
                Select(b, sel);
                break;
            }
            case NodeKind.HasAttr:
            {
                var has = NodeKinds.As<HasAttrNode>(n);
                HasAttr(b, has);
                break;
            }
            case NodeKind.AttrSet:
            {
                var set = NodeKinds.As<AttrSetNode>(n);
                AttrSet(b, set);
                break;
            }
            case NodeKind.RecScope:
            {
                var rec = NodeKinds.As<RecScopeNode>(n);
                RecScope(b, rec, tail);
                break;
            }
            case NodeKind.HoistedLet:
            {
                var let = NodeKinds.As<HoistedLetNode>(n);
                var inits = let.Inits;
                b.Emit(OpCode.ClearLocals, let.FirstSlot, inits.Length, 0);
                var lazy = inits.Length >= LazyBindings;
                for (var k = 0; k < inits.Length; k++)
                {
                    var i = SourcesFirst(k, inits.Length, let.NamedCount);
                    Delayed(b, inits[i], lazy);
                    b.Emit(OpCode.StoreLocal, let.FirstSlot + i, 0);
                }
                Forced(b, let.Body, tail);
                break;
            }
            case NodeKind.Lambda:
            {
                var lambda = NodeKinds.As<LambdaNode>(n);
                Lambda(lambda);
                b.Emit(OpCode.MakeClosure, b.Object(lambda), 0);
                break;
            }
            default:
                throw new InvalidOperationException($"the bytecode compiler has no rule for {n.GetType().Name}");
        }
    }

    /// <summary>Code that leaves the value of <paramref name="n"/> for a lazy position in the accumulator: itself when that costs nothing, otherwise a thunk.</summary>
    /// <param name="b">The unit's builder.</param>
    /// <param name="n">The expression.</param>
    /// <param name="lazy">Whether the thunk's code, or the lambda's body, is emitted on its first run (see <see cref="LazyBindings"/>).</param>
    private void Delayed(ChunkBuilder b, Node n, bool lazy = false)
    {
        // A selection that reads nothing of this scope (`inherit (d) file;` in a nested lambda) is
        // made in the parent environment (ParentScope). Only selections: measured on a NixOS
        // system, other expressions gave nothing more and cost their rewritten trees.
        var kind = n.Kind;
        if (kind == NodeKind.Select && ParentScope.Shift(n) is { } up)
        {
            var unit = lazy ? LazyUnit(up) : Unit(up);
            unit.OverParent();
            b.Emit(OpCode.Delay, b.Object(unit), 0);
            return;
        }
        switch (kind)
        {
            case NodeKind.Const:
                b.Emit(OpCode.Const, b.Constant(NodeKinds.As<ConstNode>(n).Value), 0);
                return;
            case NodeKind.Global:
                b.Emit(OpCode.Const, b.Constant(NodeKinds.As<GlobalNode>(n).Value), 0);
                return;
            case NodeKind.Local:
            {
                var l = NodeKinds.As<LocalNode>(n);
                b.Emit(OpCode.LocalRaw, l.Depth, l.Index, b.Object(l), 0);
                return;
            }
            case NodeKind.Lambda:
            {
                var lambda = NodeKinds.As<LambdaNode>(n);
                Lambda(lambda, lazy);
                b.Emit(OpCode.MakeClosure, b.Object(lambda), 0);
                return;
            }
            case NodeKind.Binary when NodeKinds.As<BinaryNode>(n).Foldable:
            {
                var bin = NodeKinds.As<BinaryNode>(n);
                b.Emit(OpCode.DelayFold, (int)bin.Op, 0);
                Operand(b, bin.Left);
                Operand(b, bin.Right);
                b.Operand(b.Object(lazy ? LazyUnit(n) : Unit(n)));
                return;
            }
            case NodeKind.Select when NodeKinds.As<SelectNode>(n).Peekable:
            case NodeKind.Apply when PureCall.IsFoldable(NodeKinds.As<ApplyNode>(n)):
                b.Emit(OpCode.Delay, b.Object(lazy ? LazyUnit(n) : Unit(n)), 0);
                return;
        }
        b.Emit(OpCode.MakeThunk, b.Object(lazy ? LazyUnit(n) : Unit(n)), 0);
    }

    /// <summary>The three operands that describe a constant or variable operand of <see cref="OpCode.DelayFold"/>.</summary>
    private static void Operand(ChunkBuilder b, Node n)
    {
        if (n is LocalNode l)
        {
            b.Operand(1);
            b.Operand(l.Depth);
            b.Operand(l.Index);
        }
        else
        {
            b.Operand(0);
            b.Operand(b.Constant(((ConstNode)n).Value));
            b.Operand(0);
        }
    }

    private static void Constant(ChunkBuilder b, Value v) =>
        b.Emit(v.Kind == ValueKind.Thunk ? OpCode.ConstForce : OpCode.Const, b.Constant(v), 0);

    private static void Local(ChunkBuilder b, LocalNode l)
    {
        var span = b.Span(l.Span);
        switch (l.Depth)
        {
            case 0: b.Emit(OpCode.Local0, span, l.Index, 0); break;
            case 1: b.Emit(OpCode.Local1, span, l.Index, 0); break;
            default: b.Emit(OpCode.Local, span, l.Depth, l.Index, 0); break;
        }
    }

    /// <summary>A <c>with</c>'s namespace: a literal set without effects is built at once, anything else stays lazy.</summary>
    private void Namespace(ChunkBuilder b, Node ns)
    {
        if (ns is AttrSetNode { BuildsWithoutEffects: true }) Forced(b, ns);
        else Delayed(b, ns);
    }

    private void Interpolation(ChunkBuilder b, InterpolationNode s)
    {
        var count = PieceCount(s);
        var onStack = count <= MaxPieces;
        if (!onStack) b.Emit(OpCode.NewArray, count, 1);
        var index = 0;
        Pieces(b, s, onStack, ref index);
        if (onStack) b.Emit(OpCode.Interpolate, count, -count);
        else b.Emit(OpCode.InterpolateArray, -1);
    }

    /// <summary>The pieces of <paramref name="s"/> with those of the interpolations nested in it (<see cref="Pieces"/>).</summary>
    private static int PieceCount(InterpolationNode s)
    {
        var n = 0;
        foreach (var part in s.Parts) n += part is InterpolationNode inner ? PieceCount(inner) : 1;
        return n;
    }

    /// <summary>
    /// Code for each piece of <paramref name="s"/>, numbered from <paramref name="index"/>. A part
    /// that is itself an interpolation (<c>"&lt;${"(${x})"}&gt;"</c>) contributes its pieces
    /// instead of a string of its own: coercing a string is the identity, so the result is the
    /// same, without the inner strings. Its parts' errors still get the outer part's frame.
    /// </summary>
    private void Pieces(ChunkBuilder b, InterpolationNode s, bool onStack, ref int index)
    {
        var literals = s.Literals;
        var parts = s.Parts;
        for (var i = 0; i < parts.Length; i++)
        {
            if (literals[i] is { } lit) b.Emit(OpCode.Const, b.Constant(Value.FromString(lit)), 0);
            else
            {
                var part = parts[i]!;
                var start = b.Mark();
                if (part is InterpolationNode inner)
                {
                    Pieces(b, inner, onStack, ref index);
                    b.Handler(start, part.Span, "while evaluating a path segment");
                    continue;
                }
                if (part is ApplyNode ap && IsToString(ap.Function)) ToString(b, ap, OpCode.ToStringPiece, tail: false);
                else
                {
                    Forced(b, part);
                    b.Emit(OpCode.Coerce, 0);
                }
                b.Handler(start, part.Span, "while evaluating a path segment");
            }
            if (onStack) b.Emit(OpCode.Push, 1);
            else b.Emit(OpCode.StoreItem, index, 0);
            index++;
        }
    }

    /// <summary>Whether <paramref name="function"/> is the evaluator's own <c>substring</c> (as a name or <c>builtins.substring</c>, not shadowed).</summary>
    private static bool IsSubstring(Node function) => ApplyNode.ConsumingBuiltin(function, 3) is { Name: "substring" };

    /// <summary>
    /// <c>substring start len s == e</c> (lib's <c>hasPrefix</c> and <c>hasSuffix</c>, hundreds of
    /// thousands of calls in a NixOS evaluation): the call's arguments are made as for the call and
    /// checked as the builtin checks them, then <c>e</c> is evaluated and compared with the bytes of
    /// <c>s</c> in range, without making the substring. Errors of the call get the frames the
    /// builtin's call would add.
    /// </summary>
    private void SubstringEquals(ChunkBuilder b, ApplyManyNode call, BinaryNode comparison)
    {
        var args = call.Arguments;
        var start = b.Mark();
        Delayed(b, args[0]);
        b.Emit(OpCode.Push, 1);
        Delayed(b, args[1]);
        b.Emit(OpCode.Push, 1);
        Delayed(b, args[2]);
        b.Emit(OpCode.SubstringRange, b.Span(call.Span), -1);
        b.Handler(start, "while calling the 'substring' builtin");
        b.Emit(OpCode.Push, 1);
        Forced(b, comparison.Right);
        b.Emit(comparison.Op == BinOp.Eq ? OpCode.SliceEq : OpCode.SliceNeq, -2);
    }

    /// <summary>Whether <paramref name="function"/> is the global <c>toString</c> (not shadowed: the compiler resolved the name to it).</summary>
    private static bool IsToString(Node function) =>
        function is GlobalNode { Value: { Kind: ValueKind.PrimOp, Obj: Builtin { Name: "toString", Arity: 1 } } };

    /// <summary>
    /// <c>toString e</c>: the builtin is strict in its argument, so <c>e</c> is evaluated in place
    /// and coerced by <paramref name="op"/>, without a thunk for it and without the call. Errors
    /// get the frames the builtin's call would add (a call in tail position, fused with its
    /// return, adds no call-site frame).
    /// </summary>
    private void ToString(ChunkBuilder b, ApplyNode ap, OpCode op, bool tail)
    {
        var start = b.Mark();
        Forced(b, ap.Argument);
        b.Emit(op, b.Span(ap.Span), 0);
        b.Handler(start, "while calling the 'toString' builtin");
        if (!tail) b.Handler(start, ap.Span, "from call site");
    }

    private void Select(ChunkBuilder b, SelectNode sel)
    {
        var depth = b.Depth;
        Forced(b, sel.Target);
        var span = b.Span(sel.Span);
        var withDefault = sel.OrDefault is not null;
        var first = _toPatch.Count;
        var path = sel.Path;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i].Dynamic is not { } key)
            {
                b.Emit(OpCode.SelectSym, span, path[i].Sym, b.Cache(), -1, 0);
                if (withDefault) _toPatch.Add(b.LastOperand);
                continue;
            }
            b.Emit(OpCode.SelectCheck, span, -1, 0);
            if (withDefault) _toPatch.Add(b.LastOperand);
            b.Emit(OpCode.Push, 1);
            Forced(b, key);
            b.Emit(OpCode.SelectDynamic, span, b.Span(key.Span), -1, -1);
            if (withDefault) _toPatch.Add(b.LastOperand);
        }
        if (sel.OrDefault is not { } orDefault)
            return;
        b.Emit(OpCode.Jump, -1, 0);
        var toEnd = b.LastOperand;
        PatchFrom(b, first);
        b.SetDepth(depth);
        Forced(b, orDefault);
        b.Patch(toEnd);
    }

    // Patches the operands queued since `first` (to the current position) and drops them.
    private void PatchFrom(ChunkBuilder b, int first)
    {
        for (var i = first; i < _toPatch.Count; i++) b.Patch(_toPatch[i]);
        _toPatch.RemoveRange(first, _toPatch.Count - first);
    }

    private void HasAttr(ChunkBuilder b, HasAttrNode has)
    {
        Forced(b, has.Target);
        var first = _toPatch.Count;
        var path = has.Path;
        for (var i = 0; i < path.Length; i++)
        {
            var last = i == path.Length - 1 ? 1 : 0;
            if (path[i].Dynamic is not { } key)
            {
                b.Emit(OpCode.HasSym, path[i].Sym, last, -1, 0);
                _toPatch.Add(b.LastOperand);
                continue;
            }
            b.Emit(OpCode.HasCheck, -1, 0);
            _toPatch.Add(b.LastOperand);
            b.Emit(OpCode.Push, 1);
            Forced(b, key);
            b.Emit(OpCode.HasDynamic, b.Span(key.Span), last, -1, -1);
            _toPatch.Add(b.LastOperand);
        }
        PatchFrom(b, first);
    }

    private void AttrSet(ChunkBuilder b, AttrSetNode set)
    {
        var hidden = set.Hidden;
        if (hidden.Length > 0)
        {
            // `inherit (e) …`: the sources live in a scope of their own, made lazily in the outer one.
            b.Emit(OpCode.NewScope, hidden.Length, 1);
            for (var i = 0; i < hidden.Length; i++)
            {
                Delayed(b, hidden[i]);
                b.Emit(OpCode.StoreScope, i, 0);
            }
            b.Emit(OpCode.EnterScope, -1);
        }
        var values = set.Values;
        b.Emit(OpCode.NewArray, values.Length, 1);
        var lazy = values.Length >= LazyBindings;
        var members = lazy ? Members(b, values, OpCode.MembersToItems) : null;
        for (var i = 0; i < values.Length; i++)
        {
            if (members is not null && members[i]) continue;
            Delayed(b, values[i], lazy);
            b.Emit(OpCode.StoreItem, i, 0);
        }
        b.Emit(OpCode.MakeAttrs, b.Object(set.Shape), b.Object(Dynamics(set.Dynamics)), -1);
        if (hidden.Length > 0) b.Emit(OpCode.LeaveScope, 0);
    }

    private void RecScope(ChunkBuilder b, RecScopeNode rec, bool tail)
    {
        b.Emit(OpCode.PushScope, rec.EnvSize, 0);
        var inits = rec.Inits;
        var lazy = inits.Length >= LazyBindings;
        // With `__overrides`, a slot may be replaced later, so none may alias another's value.
        bool[]? members = null;
        if (lazy && rec.HasOverrides) ReserveLazy(b, inits.Length);
        else if (lazy) members = Members(b, inits, OpCode.MembersToLocals);
        for (var k = 0; k < inits.Length; k++)
        {
            var i = SourcesFirst(k, inits.Length, rec.NamedCount);
            if (members is not null && members[i]) continue;
            if (rec.HasOverrides) b.Emit(OpCode.MakeThunk, b.Object(lazy ? LazyUnit(inits[i]) : Unit(inits[i])), 0);
            else Delayed(b, inits[i], lazy);
            b.Emit(OpCode.StoreLocal, i, 0);
        }
        if (rec.Body is { } body) Forced(b, body, tail);
        else b.Emit(OpCode.RecAttrs, b.Object(rec.Shape), b.Object(Dynamics(rec.Dynamics)), 0);
        if (!tail) b.Emit(OpCode.LeaveScope, 0);
    }

    /// <summary>
    /// The <paramref name="k"/>-th binding of a scope to initialise: the <c>inherit (e)</c>
    /// sources (stored after the <paramref name="named"/> names) first, so that the names that
    /// select from them (<c>inherit (lib.strings) concatStrings;</c>) find the source's slot filled
    /// and can take an evaluated attribute without a thunk (<see cref="SelectNode.TryPeek"/>).
    /// All of them are lazy, so the order changes no result.
    /// </summary>
    private static int SourcesFirst(int k, int count, int named)
    {
        var sources = count - named;
        return k < sources ? named + k : k - sources;
    }

    private DynamicEntry[] Dynamics(DynamicEntry[] dynamics)
    {
        if (dynamics.Length == 0) return dynamics;
        var lowered = new DynamicEntry[dynamics.Length];
        for (var i = 0; i < dynamics.Length; i++) lowered[i] = dynamics[i] with { Name = Unit(dynamics[i].Name), Value = Unit(dynamics[i].Value) };
        return lowered;
    }

    /// <summary>Compiles a lambda's body and defaults (once: a lambda node is shared by the levels of a chain); <paramref name="lazy"/>: on their first run.</summary>
    private void Lambda(LambdaNode lambda, bool lazy = false)
    {
        if (!_lowered.Add(lambda)) return;
        if (lambda.Chain is { } chain)
        {
            if (_lowered.Add(chain)) chain.Body = lazy ? LazyUnit(chain.Body) : Unit(chain.Body);
        }
        else
        {
            lambda.Body = lazy ? LazyUnit(lambda.Body) : Unit(lambda.Body);
        }
        if (lambda.Formals is { } formals)
        {
            for (var i = 0; i < formals.Length; i++)
                if (formals[i].Default is { } d) formals[i] = formals[i] with { Default = lazy ? LazyUnit(d) : Unit(d) };
        }
    }

    private static OpCode BinaryOpCode(BinOp op) => op switch
    {
        BinOp.Add => OpCode.Add,
        BinOp.Sub => OpCode.Sub,
        BinOp.Mul => OpCode.Mul,
        BinOp.Div => OpCode.Div,
        BinOp.Concat => OpCode.Concat,
        BinOp.Update => OpCode.Update,
        BinOp.Eq => OpCode.Eq,
        BinOp.Neq => OpCode.Neq,
        BinOp.Lt => OpCode.Lt,
        BinOp.Le => OpCode.Le,
        BinOp.Gt => OpCode.Gt,
        _ => OpCode.Ge,
    };
}
