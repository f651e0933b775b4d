using Tvix.CAStore.Services;

namespace Tvix.CAStore.Tests.Services;

/// <summary>The behaviour every <see cref="IBlobService"/> backend shares; a backend's test class derives from this.</summary>
public abstract class BlobServiceTests : IDisposable
{
    protected abstract IBlobService CreateService();

    private readonly List<IDisposable> _cleanup = [];

    protected T Track<T>(T disposable) where T : IDisposable
    {
        _cleanup.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        foreach (var d in _cleanup) d.Dispose();
    }

    protected static byte[] Data(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task MissingBlobIsAbsent()
    {
        var service = CreateService();
        var digest = B3Digest.Compute("nope"u8);
        Assert.False(await service.HasAsync(digest));
        Assert.Null(await service.OpenReadAsync(digest));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1024)]
    [InlineData(1024 * 1024 + 7)]
    public async Task PutThenReadBack(int length)
    {
        var service = CreateService();
        var data = Data(length);
        var digest = await service.PutAsync(data);
        Assert.Equal(B3Digest.Compute(data), digest);
        Assert.True(await service.HasAsync(digest));
        Assert.Equal(data, await service.ReadAllBytesAsync(digest));
    }

    [Fact]
    public async Task ReadStreamIsSeekable()
    {
        var service = CreateService();
        var data = Data(100_000);
        var digest = await service.PutAsync(data);
        await using var stream = (await service.OpenReadAsync(digest))!;
        Assert.True(stream.CanSeek);
        Assert.Equal(data.Length, stream.Length);
        stream.Seek(54_321, SeekOrigin.Begin);
        var buffer = new byte[100];
        await stream.ReadExactlyAsync(buffer);
        Assert.Equal(data.AsSpan(54_321, 100).ToArray(), buffer);
    }

    [Fact]
    public async Task WriterHashesWhatItReceivesInPieces()
    {
        var service = CreateService();
        var data = Data(70_000, 2);
        await using var writer = service.OpenWrite();
        writer.Write(data.AsSpan(0, 10));
        await writer.WriteAsync(data.AsMemory(10, 50_000));
        writer.Write(data, 50_010, data.Length - 50_010);
        Assert.Equal(data.Length, writer.BytesWritten);
        Assert.Equal(B3Digest.Compute(data), await writer.CloseAsync());
        Assert.Throws<ObjectDisposedException>(() => writer.Write(data.AsSpan(0, 1)));
        Assert.Equal(data, await service.ReadAllBytesAsync(B3Digest.Compute(data)));
    }

    [Fact]
    public async Task AbandonedWriteStoresNothing()
    {
        var service = CreateService();
        var data = Data(5000, 3);
        await using (var writer = service.OpenWrite())
        {
            await writer.WriteAsync(data);
        }
        Assert.False(await service.HasAsync(B3Digest.Compute(data)));
    }

    [Fact]
    public async Task ConcurrentWritersOfTheSameContentBothSucceed()
    {
        var service = CreateService();
        var data = Data(300_000, 4);
        var writes = Enumerable.Range(0, 8).Select(_ => Task.Run(async () => await service.PutAsync(data))).ToArray();
        var digests = await Task.WhenAll(writes);
        Assert.All(digests, d => Assert.Equal(B3Digest.Compute(data), d));
        Assert.Equal(data, await service.ReadAllBytesAsync(digests[0]));
    }

    [Fact]
    public async Task CancelledWriteThrows()
    {
        var service = CreateService();
        await using var writer = service.OpenWrite();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await writer.WriteAsync(new byte[10], new CancellationToken(canceled: true)));
    }
}
