using System.Runtime;

namespace Tvix.Cli.Commands;

/// <summary>
/// With <c>TVIX_SHOW_STATS=1</c> (as C++ Nix's <c>NIX_SHOW_STATS</c>), a command prints what the
/// runtime spent at exit, so that changes are measured the same way each time: collections per
/// generation and their pause time, bytes allocated, heap size, methods JIT-compiled, CPU time.
/// </summary>
internal static class RunStatistics
{
    public static void PrintIfRequested(TextWriter stderr)
    {
        if (Environment.GetEnvironmentVariable("TVIX_SHOW_STATS") is { Length: > 0 } value && value != "0") Print(stderr);
    }

    // Apart and never inlined: its GC and process types are loaded before it runs, which every
    // command paid at exit when this was one method with the check.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Print(TextWriter stderr)
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        stderr.WriteLine(
            $"stats: gc gen0={GC.CollectionCount(0)} gen1={GC.CollectionCount(1)} gen2={GC.CollectionCount(2)} " +
            $"pause={GC.GetTotalPauseDuration().TotalMilliseconds:F0}ms allocated={GC.GetTotalAllocatedBytes() >> 20}MB " +
            $"heap={info.HeapSizeBytes >> 20}MB committed={info.TotalCommittedBytes >> 20}MB latency={GCSettings.LatencyMode} " +
            $"jitted={System.Runtime.JitInfo.GetCompiledMethodCount()} jit={System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds:F0}ms " +
            $"cpu={process.TotalProcessorTime.TotalMilliseconds:F0}ms peak-rss={process.PeakWorkingSet64 >> 20}MB");
    }
}
