using System.Runtime.CompilerServices;

namespace Tvix.Eval.Runtime;

/// <summary>
/// Copies of a few values. <see cref="Span{T}.CopyTo"/> of a type holding references is a call
/// into the runtime's bulk copy with write barriers, which costs more than a handful of plain
/// stores: environments, a closure's bound arguments and a builtin's partial arguments are 1 to
/// 4 values, copied per call.
/// </summary>
internal static class ValueCopy
{
    private const int LoopLimit = 16;

    /// <summary>Copies <paramref name="from"/> to the start of <paramref name="to"/> (which must be long enough).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(ReadOnlySpan<Value> from, Span<Value> to)
    {
        if (from.Length > LoopLimit || from.Length > to.Length)
        {
            from.CopyTo(to);
            return;
        }
        for (var i = 0; i < from.Length; i++) to[i] = from[i];
    }
}
