using Tvix.Eval.Runtime;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Bytecode;

/// <summary>
/// Emits the bytecode of one source: its units one after the other into one code array, with the
/// constants, objects, spans, error handlers and inline caches they share, tracking the operand
/// stack's depth of the unit being emitted. Offsets given to and returned by the emitting methods
/// (<see cref="Position"/>, labels) are relative to the current unit's start. Units emitted later
/// (on their first run) are appended to their source's chunk: indices count what it has already.
/// </summary>
internal sealed class ChunkBuilder
{
    private const int LargeBuffer = 1 << 18;

    /// <summary>How many ints of code make a batch big enough for its chunk to keep the builder's arrays (see <see cref="Finish"/>).</summary>
    private const int AdoptLength = 1 << 14;

    private Chunk _chunk = null!;

    /// <summary>The chunk whose units are being built.</summary>
    public Chunk Chunk => _chunk;
    // What the chunk had when this batch started: the indices of this batch's code, constants,
    // objects, spans and caches start there.
    private int _codeBase, _constantBase, _objectBase, _spanBase, _cacheBase;
    private int[] _code = new int[256];
    private int _length;
    private int _unitStart;
    private readonly GrowableArray<Value> _constants = new();
    private readonly GrowableArray<object> _objects = new();
    private readonly GrowableArray<TextSpan> _spans = new();
    private readonly GrowableArray<ErrorHandler> _handlers = new();
    private readonly GrowableArray<CodeNode> _units = new();
    private int _caches;
    // Where the last instruction started, and where a label or mark last pointed: a Push is fused
    // with the load after it only when nothing can start executing between the two.
    private int _lastOp = -1;
    private int _barrier = -1;

    /// <summary>Starts code to append to <paramref name="chunk"/>, keeping the buffers (one builder serves an evaluator's every file).</summary>
    public void Reset(Chunk chunk)
    {
        _chunk = chunk;
        _codeBase = chunk.CodeLength;
        _constantBase = chunk.ConstantCount;
        _objectBase = chunk.ObjectCount;
        _spanBase = chunk.SpanCount;
        _cacheBase = chunk.CacheCount;
        Clear();
    }

    private void Clear()
    {
        _length = 0;
        _unitStart = 0;
        _constants.Clear(LargeBuffer / 4);
        _objects.Clear(LargeBuffer / 4);
        _spans.Clear(LargeBuffer / 4);
        _handlers.Clear(LargeBuffer / 4);
        _units.Clear(LargeBuffer / 4);
        _caches = 0;
    }

    /// <summary>Values on the operand stack at this point of the current unit.</summary>
    public int Depth { get; private set; }

    /// <summary>The deepest the operand stack gets in the current unit.</summary>
    public int MaxDepth { get; private set; }

    /// <summary>The offset of the next instruction in the current unit.</summary>
    public int Position => _length - _unitStart;

    /// <summary>The offset of the next instruction, which no fusion will move (for the start of a handler's range).</summary>
    public int Mark()
    {
        _barrier = _length;
        return Position;
    }

    /// <summary>Starts the code of a unit.</summary>
    public void BeginUnit()
    {
        _unitStart = _length;
        _barrier = _length;
        _lastOp = -1;
        Depth = 0;
        MaxDepth = 0;
    }

    /// <summary>Ends the current unit, whose code is <paramref name="node"/>'s.</summary>
    public void EndUnit(CodeNode node)
    {
        // The VM's operand stack lives in its frame and is not bounds-checked: a deeper unit is a
        // bug in the lowering (which splits deep expressions into units of their own).
        if (MaxDepth > Vm.LargeStack) throw new InvalidOperationException($"bytecode unit needs {MaxDepth} stack slots, more than {Vm.LargeStack}");
        node.Place(_codeBase + _unitStart, _length - _unitStart, MaxDepth);
        _units.Add(node);
    }

    /// <summary>Records a stack effect (<paramref name="delta"/> values pushed, or popped when negative).</summary>
    public void Stack(int delta)
    {
        Depth += delta;
        if (Depth > MaxDepth) MaxDepth = Depth;
    }

    /// <summary>Sets the depth where control flow joins (after a jump).</summary>
    public void SetDepth(int depth) => Depth = depth;

    /// <summary>Starts an instruction: a load right after a Push becomes the fused push-and-load.</summary>
    private void Start(OpCode op)
    {
        if (op == OpCode.Return && _lastOp >= 0 && _barrier != _length)
        {
            // The last instruction's operands are all emitted (Return is only emitted at a unit's end).
            var last = (OpCode)_code[_lastOp];
            var fused = OpInfo.WithReturn(last);
            // SelectSym with a default jumps elsewhere on a miss; only the plain one fuses.
            if (fused != last && !(last == OpCode.SelectSym && _code[_lastOp + 4] >= 0))
            {
                _code[_lastOp] = (int)fused;
                return;
            }
        }
        if (op is OpCode.StoreItem or OpCode.StoreLocal && _lastOp >= 0 && _barrier != _length)
        {
            // The load's operands are all there: its index is appended as the store's.
            var last = (OpCode)_code[_lastOp];
            var fused = OpInfo.WithStore(last, op);
            if (fused != op && _lastOp + 1 + OpInfo.OperandCount(last) == _length)
            {
                _code[_lastOp] = (int)fused;
                return;
            }
        }
        if (_lastOp >= 0 && _lastOp == _length - 1 && _barrier != _length && _code[_lastOp] == (int)OpCode.Push)
        {
            var fused = OpInfo.WithPush(op);
            if (fused != op)
            {
                _code[_lastOp] = (int)fused;
                return;
            }
        }
        _lastOp = _length;
        Add((int)op);
    }

    private void Add(int value)
    {
        if (_length == _code.Length) Array.Resize(ref _code, _code.Length * 2);
        _code[_length++] = value;
    }

    public void Emit(OpCode op, int stackDelta)
    {
        Start(op);
        Stack(stackDelta);
    }

    public void Emit(OpCode op, int a, int stackDelta)
    {
        Start(op);
        Add(a);
        Stack(stackDelta);
    }

    public void Emit(OpCode op, int a, int b, int stackDelta)
    {
        Start(op);
        Add(a);
        Add(b);
        Stack(stackDelta);
    }

    public void Emit(OpCode op, int a, int b, int c, int stackDelta)
    {
        Start(op);
        Add(a);
        Add(b);
        Add(c);
        Stack(stackDelta);
    }

    public void Emit(OpCode op, int a, int b, int c, int d, int stackDelta)
    {
        Start(op);
        Add(a);
        Add(b);
        Add(c);
        Add(d);
        Stack(stackDelta);
    }

    /// <summary>Appends one more operand to the instruction being emitted.</summary>
    public void Operand(int a) => Add(a);

    public int Constant(Value v)
    {
        _constants.Add(v);
        return _constantBase + _constants.Count - 1;
    }

    public int Object(object o)
    {
        _objects.Add(o);
        return _objectBase + _objects.Count - 1;
    }

    public int Span(TextSpan span)
    {
        // Consecutive instructions of one expression often share a span.
        if (_spans.Count > 0 && _spans.Last == span) return _spanBase + _spans.Count - 1;
        _spans.Add(span);
        return _spanBase + _spans.Count - 1;
    }

    /// <summary>
    /// Makes room for the code of a set of <paramref name="members"/> lazy members and of their
    /// stubs, so that a package set's thousands do not grow the buffers by doubling (each member
    /// takes about three ints of code and one object; each stub three ints and two objects).
    /// </summary>
    public void ReserveLazyMembers(int members)
    {
        var code = _length + 6 * members;
        if (code > _code.Length)
        {
            var bigger = new int[code];
            Array.Copy(_code, bigger, _length);
            _code = bigger;
        }
        _objects.EnsureCapacity(_objects.Count + 3 * members);
        _units.EnsureCapacity(_units.Count + members);
    }

    public int Cache() => _cacheBase + _caches++;

    /// <summary>The offset of the operand to patch with a label later (the last operand emitted).</summary>
    public int LastOperand => Position - 1;

    /// <summary>Points the label operand at <paramref name="operand"/> to the current position.</summary>
    public void Patch(int operand)
    {
        _code[_unitStart + operand] = Position;
        _barrier = _length;
    }

    /// <summary>Errors raised from <paramref name="start"/> to here get <paramref name="span"/> and a trace frame.</summary>
    public void Handler(int start, TextSpan span, string trace) =>
        _handlers.Add(new ErrorHandler(_codeBase + _unitStart + start, _codeBase + _length, Span(span), trace));

    /// <summary>Errors raised from <paramref name="start"/> to here get a trace frame without a position (a builtin's own frame).</summary>
    public void Handler(int start, string trace) =>
        _handlers.Add(new ErrorHandler(_codeBase + _unitStart + start, _codeBase + _length, -1, trace));

    /// <summary>Appends the units emitted to the chunk and points them at it.</summary>
    public void Finish()
    {
        var chunk = _chunk;
        // A large file's first batch: its chunk keeps the builder's arrays, which grew to hold
        // its code, instead of copies of them (those arrays are then the builder's no more).
        var adopt = chunk.CodeLength == 0 && _length >= AdoptLength;
        chunk.Append(_code, _length, _constants, _objects, _spans, _handlers, _caches, adopt);
        if (adopt)
        {
            if (chunk.Code == _code) _code = new int[256];
            if (chunk.Constants == _constants.Items) _constants.Release();
            if (chunk.Objects == _objects.Items) _objects.Release();
            if (chunk.Spans == _spans.Items) _spans.Release();
        }
        for (var i = 0; i < _units.Count; i++) _units[i].Chunk = chunk;
        // Drop the references into this source's objects; the buffers stay for the next source
        // unless a large one grew them (they would be kept for as long as the evaluator lives).
        Clear();
        _chunk = null!;
        if (_code.Length > LargeBuffer) _code = new int[256];
    }
}
