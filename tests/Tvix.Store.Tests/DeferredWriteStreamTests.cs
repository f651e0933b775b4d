using Tvix.Store.Import;

namespace Tvix.Store.Tests;

/// <summary>The NAR hash's stream is made at the first write, on the writing thread, and only once.</summary>
public sealed class DeferredWriteStreamTests
{
    [Fact]
    public void TheTargetIsMadeAtTheFirstWriteOnTheWritingThreadAndKept()
    {
        var made = 0;
        int? madeOn = null;
        var target = new MemoryStream();
        var stream = new DeferredWriteStream(() =>
        {
            made++;
            madeOn = Environment.CurrentManagedThreadId;
            return target;
        });
        stream.Flush(); // nothing written: nothing made
        Assert.Equal(0, made);
        var writer = new Thread(() =>
        {
            stream.Write([1, 2, 3], 0, 3);
            stream.Write([4]);
        });
        writer.Start();
        writer.Join();
        Assert.Equal(1, made);
        Assert.Equal(writer.ManagedThreadId, madeOn);
        Assert.Same(target, stream.Target);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, target.ToArray());
    }

    [Fact]
    public void WithoutWritesTheTargetIsMadeWhenAskedFor()
    {
        var stream = new DeferredWriteStream(() => new MemoryStream([9]));
        Assert.Equal(new byte[] { 9 }, ((MemoryStream)stream.Target).ToArray());
        Assert.Same(stream.Target, stream.Target);
    }
}
