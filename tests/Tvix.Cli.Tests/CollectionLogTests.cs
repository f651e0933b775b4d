using Tvix.Cli.Commands;
using Xunit;

namespace Tvix.Cli.Tests;

public sealed class CollectionLogTests
{
    [Fact]
    public void LogsEachCollectionWithItsGenerationAndPause()
    {
        using var log = new CollectionLog();
        // A gen0 and then a full collection; the sentinel's finalizer logs each after it.
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var output = new StringWriter();
        log.Print(output);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains(" gen0 ", StringComparison.Ordinal) && l.Contains(" pause=", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" gen2 FullBlocking ", StringComparison.Ordinal) && l.Contains(" compacted", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.StartsWith("gc ", l, StringComparison.Ordinal));
    }

    [Fact]
    public void StopsLoggingOnceDisposed()
    {
        var log = new CollectionLog();
        log.Dispose();
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
        var output = new StringWriter();
        log.Print(output);

        Assert.Equal("", output.ToString());
    }
}
