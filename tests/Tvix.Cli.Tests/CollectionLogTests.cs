using Tvix.Cli.Commands;
using Xunit;

namespace Tvix.Cli.Tests;

// Alone: other tests' collections, on other threads, would be what the log reports.
[CollectionDefinition(nameof(CollectionLogTests), DisableParallelization = true)]
public sealed class CollectionLogTestsGroup;

[Collection(nameof(CollectionLogTests))]
public sealed class CollectionLogTests
{
    [Fact]
    public void LogsEachCollectionWithItsKindPauseAndMechanism()
    {
        using var log = new CollectionLog();
        // A gen0 and then a full collection; the sentinel's finalizer logs each after it.
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var output = new StringWriter();
        log.Print(output);

        // (A collection of the same kind right after ours would be reported in its place.)
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains(" Ephemeral ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(" gen2 FullBlocking ", StringComparison.Ordinal));
        Assert.All(lines, l =>
        {
            Assert.StartsWith("gc ", l, StringComparison.Ordinal);
            Assert.Contains(" pause=", l, StringComparison.Ordinal);
            Assert.True(l.Contains(" compacted", StringComparison.Ordinal) || l.Contains(" swept", StringComparison.Ordinal), l);
        });
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
