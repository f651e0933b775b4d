using BenchmarkDotNet.Running;

namespace Tvix.Benchmarks;

/// <summary>
/// Entry point: BenchmarkDotNet's switcher, so any subset runs with <c>--filter</c>. Without
/// arguments it lists the benchmarks instead of running them all (a full run takes long).
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line.</summary>
    public static void Main(string[] args)
    {
        var switcher = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly);
        if (args.Length == 0)
        {
            Console.WriteLine("usage: dotnet run -c Release --project benchmarks/Tvix.Benchmarks -- --filter '*Fib*' [--job short]");
            switcher.Run(["--list", "flat"], new QuickConfig());
            return;
        }
        switcher.Run(args, new QuickConfig());
    }
}
