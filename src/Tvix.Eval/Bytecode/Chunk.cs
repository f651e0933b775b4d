using System.Text;
using Tvix.Eval.Runtime;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Bytecode;

/// <summary>
/// Where an error raised by the instructions in <c>[Start, End)</c> gets a position (if it has
/// none yet) and a trace frame: the parts of a string interpolation, an inlined builtin call.
/// A negative <c>Span</c> adds the frame without a position.
/// </summary>
internal readonly record struct ErrorHandler(int Start, int End, int Span, string Trace);

/// <summary>
/// The bytecode of one source: the instructions (<see cref="OpCode"/>) of all its units of
/// evaluation (the file, each thunk's expression, each lambda body — see <see cref="CodeNode"/>),
/// laid out one after the other, and the constants, objects and source spans they refer to by
/// index, the error handlers, and the inline caches of its attribute selections. Units share all
/// of it, so a unit costs its instructions and one small object.
/// </summary>
/// <remarks>
/// Units emitted on their first run (see <see cref="Lowering.Lower"/>) are appended
/// (<see cref="Append"/>): an array that is full is replaced by a larger copy. What is there is
/// never changed (except the caches and the slots of units not emitted yet), so a run that
/// still holds an earlier array reads the same code, constants and objects.
/// </remarks>
internal sealed class Chunk(SourceText source)
{
    public readonly SourceText Source = source;
    // Empty arrays of their own, not `[]`: Array.Empty<T> over this assembly's structs runs a
    // static constructor that no ReadyToRun image holds, four JIT compilations at start-up.
    public int[] Code = [];
    public Value[] Constants = new Value[0];
    public object[] Objects = [];
    public TextSpan[] Spans = new TextSpan[0];
    public ErrorHandler[] Handlers = new ErrorHandler[0];
    /// <summary>One per <see cref="OpCode.SelectSym"/>: the names of the set it last searched and where the name was.</summary>
    public LookupCache[] Caches = new LookupCache[0];

    /// <summary>How much of each array is used (the rest is room for units emitted later).</summary>
    public int CodeLength, ConstantCount, ObjectCount, SpanCount, HandlerCount, CacheCount;

    // Arrays and Array.Copy, not spans: CoreLib's Span<T> members over this assembly's structs
    // are not in any ReadyToRun image and would be JIT-compiled on the first run.
    /// <summary>
    /// Appends the code and tables of units emitted together (their indices already count what is
    /// here). With <paramref name="adopt"/>, an empty chunk may keep the arrays themselves rather
    /// than copies, where they are at least half full (the builder then replaces the ones kept,
    /// see <see cref="ChunkBuilder.Finish"/>).
    /// </summary>
    public void Append(int[] code, int codeLength, GrowableArray<Value> constants, GrowableArray<object> objects, GrowableArray<TextSpan> spans, GrowableArray<ErrorHandler> handlers, int caches, bool adopt = false)
    {
        CodeLength = Add(ref Code, CodeLength, code, codeLength, adopt);
        ConstantCount = Add(ref Constants, ConstantCount, constants.Items, constants.Count, adopt);
        ObjectCount = Add(ref Objects, ObjectCount, objects.Items, objects.Count, adopt);
        SpanCount = Add(ref Spans, SpanCount, spans.Items, spans.Count, adopt);
        HandlerCount = Add(ref Handlers, HandlerCount, handlers.Items, handlers.Count);
        if (caches > 0)
        {
            var needed = CacheCount + caches;
            if (needed > Caches.Length)
            {
                var bigger = new LookupCache[CacheCount == 0 ? needed : Grown(Caches.Length, needed)];
                Array.Copy(Caches, bigger, CacheCount);
                Caches = bigger;
            }
            CacheCount = needed;
        }
    }

    private static int Add<T>(ref T[] array, int count, T[] items, int itemCount, bool adopt = false)
    {
        if (itemCount == 0) return count;
        if (adopt && count == 0 && itemCount * 2 >= items.Length)
        {
            // A big file's code: its copy would cost more than the room left in the array.
            array = items;
            return itemCount;
        }
        var needed = count + itemCount;
        if (needed > array.Length)
        {
            // The first append (a file's own code) is sized exactly; later ones leave room.
            var bigger = new T[count == 0 ? needed : Grown(array.Length, needed)];
            Array.Copy(array, bigger, count);
            array = bigger;
        }
        Array.Copy(items, 0, array, count, itemCount);
        return needed;
    }

    private static int Grown(int length, int needed) => Math.Max(needed, length + length / 2);

    /// <summary>
    /// Gives an error raised by the instruction at <paramref name="pc"/> the position and trace
    /// frames the expressions around it add, innermost first. Runs as an exception filter, so it
    /// never catches (returns false).
    /// </summary>
    public bool Annotate(NixEvalException e, int pc)
    {
        var op = (OpCode)Code[pc];
        if (OpInfo.PositionsErrors(op))
        {
            var span = Spans[Code[pc + 1]];
            e.AtPosition(Source, span);
            if (op == OpCode.Call && e.WantsTrace) e.Traced("from call site", Source, span);
        }
        else if (op == OpCode.WithLookup)
        {
            e.AtPosition(Source, ((WithLookupNode)Objects[Code[pc + 1]]).Span);
        }
        var handlers = Handlers;
        for (var i = 0; i < HandlerCount; i++)
        {
            var h = handlers[i];
            if (pc < h.Start || pc >= h.End) continue;
            if (h.Span < 0) { e.Traced(h.Trace, null, default); continue; }
            e.AtPosition(Source, Spans[h.Span]);
            e.Traced(h.Trace, Source, Spans[h.Span]);
        }
        return false;
    }

    /// <summary>A readable listing of the instructions in <c>[start, end)</c> (for tests and debugging).</summary>
    public string Disassemble(int start, int end)
    {
        var sb = new StringBuilder();
        for (var pc = start; pc < end;)
        {
            var op = (OpCode)Code[pc];
            sb.Append((pc - start).ToString("D4")).Append(' ').Append(op);
            var n = OpInfo.OperandCount(op);
            for (var i = 1; i <= n; i++) sb.Append(' ').Append(Code[pc + i]);
            sb.Append('\n');
            pc += 1 + n;
        }
        return sb.ToString();
    }
}
