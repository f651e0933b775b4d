using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Tvix.Benchmarks;

/// <summary>
/// Defaults for a small, shared machine: a short job (few launches and iterations) in-process
/// unless the command line asks for another job, allocations always reported, and the median
/// shown because the mean is pulled by load spikes from other processes.
/// </summary>
public sealed class QuickConfig : ManualConfig
{
    /// <summary>Creates the configuration.</summary>
    public QuickConfig()
    {
        Add(DefaultConfig.Instance);
        AddJob(Job.ShortRun
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(5)
            .WithToolchain(InProcessEmitToolchain.Instance)
            .AsDefault());
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
    }
}
