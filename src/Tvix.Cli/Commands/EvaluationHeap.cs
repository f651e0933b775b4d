namespace Tvix.Cli.Commands;

/// <summary>
/// Lets an evaluation allocate its first <see cref="Budget"/> bytes without a garbage collection.
/// </summary>
/// <remarks>
/// What a nixpkgs evaluation allocates mostly stays alive to the end (the package set's thunks
/// and attribute sets), so an early young-generation collection copies nearly everything it
/// looks at, and also scans every old object that forcing a thunk wrote a young value into:
/// <c>tvix instantiate -A firefox</c> spent about a quarter of its CPU in three such collections
/// that freed little (docs/performance.md, R13). One package's instantiation allocates 70 to
/// 125 MB (hello 67, numpy 83, git 94, firefox 121), and the runtime's own first budget on a
/// machine with a large cache is already 80 to 120 MB, so peak memory stays as it was for those;
/// a larger evaluation gets one collection when the budget is used up and the runtime's usual
/// policy from then on. 128 MB rather than more: a NixOS system's peak was 649 MB with 256 MB
/// (what the budget's end left committed), 508 MB with 128 MB, at the same CPU (session 8).
/// </remarks>
internal static class EvaluationHeap
{
    public const long Budget = 128L << 20;

    /// <summary>Starts the collection-free budget (nothing happens where the runtime cannot give it).</summary>
    public static void Reserve()
    {
        try
        {
            GC.TryStartNoGCRegion(Budget);
        }
        catch (ArgumentOutOfRangeException)
        {
            // More than this runtime can set aside for new objects: its defaults apply.
        }
        catch (InvalidOperationException)
        {
            // Already in such a region (a host that runs several commands in one process).
        }
    }
}
