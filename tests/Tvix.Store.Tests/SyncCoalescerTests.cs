using Tvix.Store.Services;

namespace Tvix.Store.Tests;

/// <summary><see cref="SyncCoalescer"/>: callers share flushes, but never one that started before they asked.</summary>
public sealed class SyncCoalescerTests
{
    [Fact]
    public async Task ALoneCallerFlushesInline()
    {
        var flushes = 0;
        var coalescer = new SyncCoalescer(() => flushes++);
        var task = coalescer.FlushAsync();
        Assert.True(task.IsCompletedSuccessfully);
        await coalescer.FlushAsync();
        Assert.Equal(2, flushes);
    }

    [Fact]
    public async Task CallersArrivingDuringAFlushShareTheNextOne()
    {
        using var inFlush = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var flushes = 0;
        var coalescer = new SyncCoalescer(() =>
        {
            if (Interlocked.Increment(ref flushes) == 1)
            {
                inFlush.Set();
                release.Wait();
            }
        });
        var leader = Task.Run(coalescer.FlushAsync);
        inFlush.Wait();
        // These asked while the first flush ran, so it cannot cover them: they wait for a second, shared one.
        var joined = Enumerable.Range(0, 10).Select(_ => coalescer.FlushAsync()).ToList();
        Assert.All(joined, t => Assert.False(t.IsCompleted));
        release.Set();
        await leader;
        await Task.WhenAll(joined);
        Assert.Equal(2, flushes);
    }

    [Fact]
    public async Task AFailedFlushFailsItsCallersOnly()
    {
        var fail = true;
        var coalescer = new SyncCoalescer(() =>
        {
            if (fail) throw new IOException("write-back error");
        });
        var error = await Assert.ThrowsAsync<IOException>(coalescer.FlushAsync);
        Assert.Equal("write-back error", error.Message);
        fail = false;
        await coalescer.FlushAsync();
    }
}
