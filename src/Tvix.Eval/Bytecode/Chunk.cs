using System.Text;
using Tvix.Eval.Runtime;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Bytecode;

/// <summary>
/// Where an error raised by the instructions in <c>[Start, End)</c> gets a position (if it has
/// none yet) and a trace frame: the parts of a string interpolation.
/// </summary>
internal readonly record struct ErrorHandler(int Start, int End, int Span, string Trace);

/// <summary>
/// The bytecode of one source: the instructions (<see cref="OpCode"/>) of all its units of
/// evaluation (the file, each thunk's expression, each lambda body — see <see cref="CodeNode"/>),
/// laid out one after the other, and the constants, objects and source spans they refer to by
/// index, the error handlers, and the inline caches of its attribute selections. Units share all
/// of it, so a unit costs its instructions and one small object. Immutable, except the caches.
/// </summary>
internal sealed class Chunk(SourceText source, int[] code, Value[] constants, object[] objects, TextSpan[] spans, ErrorHandler[] handlers, int cacheCount, bool isStub = false)
{
    /// <summary>Whether this is the stub of units whose code is not emitted yet (see <see cref="Lowering.Lower"/>).</summary>
    public readonly bool IsStub = isStub;
    public readonly SourceText Source = source;
    public readonly int[] Code = code;
    public readonly Value[] Constants = constants;
    public readonly object[] Objects = objects;
    public readonly TextSpan[] Spans = spans;
    public readonly ErrorHandler[] Handlers = handlers;
    /// <summary>One per <see cref="OpCode.SelectSym"/> that starts a selection: the set it last searched and where the name was.</summary>
    public readonly LookupCache[] Caches = cacheCount == 0 ? [] : new LookupCache[cacheCount];

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
        foreach (var h in Handlers)
        {
            if (pc < h.Start || pc >= h.End) continue;
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
