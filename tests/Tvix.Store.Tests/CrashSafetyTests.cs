using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.CAStore.Services.FileSystem;
using Tvix.CAStore.Services.Memory;
using Tvix.Store.Nar;
using Tvix.Store.Services;

namespace Tvix.Store.Tests;

/// <summary>Interrupted writes (failures, cancellation) never leave a path info that names missing content.</summary>
public sealed class CrashSafetyTests
{
    /// <summary>A blob service that fails (or cancels the operation) on the Nth write.</summary>
    private sealed class FailingBlobService(IBlobService inner, int failOnWrite, CancellationTokenSource? cancelInstead = null) : IBlobService
    {
        private int _writes;

        public ValueTask<bool> HasAsync(B3Digest digest, CancellationToken cancellationToken = default) => inner.HasAsync(digest, cancellationToken);

        public ValueTask<Stream?> OpenReadAsync(B3Digest digest, CancellationToken cancellationToken = default) => inner.OpenReadAsync(digest, cancellationToken);

        public BlobWriter OpenWrite()
        {
            if (Interlocked.Increment(ref _writes) == failOnWrite)
            {
                if (cancelInstead is null) throw new IOException("injected failure: the disk is full");
                cancelInstead.Cancel();
            }
            return inner.OpenWrite();
        }
    }

    private static void BuildTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "sub", "deeper"));
        for (var i = 0; i < 12; i++) File.WriteAllText(Path.Combine(root, i % 2 == 0 ? "sub" : "sub/deeper", $"file{i}"), new string('x', 1000 * i));
        File.WriteAllText(Path.Combine(root, "top"), "top");
    }

    private static async Task AssertEveryPathInfoIsCompleteAsync(TvixStore store)
    {
        await foreach (var info in store.PathInfos.ListAsync())
        {
            var summary = await new NarRenderer(store.Blobs, store.Directories).WriteNarAsync(info.Node, Stream.Null);
            Assert.Equal(info.Nar, summary);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(13)]
    public async Task AFailingBlobWriterLeavesNoPathInfo(int failOnWrite)
    {
        using var temp = new TempDir();
        BuildTree(temp.Combine("tree"));
        var blobs = new FailingBlobService(new MemoryBlobService(), failOnWrite);
        var store = TestStore.Create(blobs, new MemoryDirectoryService());
        var error = await Assert.ThrowsAsync<IOException>(() => store.AddPathAsync(temp.Combine("tree")));
        Assert.Contains("injected", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await TestStore.CountPathInfosAsync(store));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(9)]
    public async Task CancellationMidAddLeavesNoPathInfoOnDisk(int cancelOnWrite)
    {
        using var temp = new TempDir();
        BuildTree(temp.Combine("tree"));
        using var cts = new CancellationTokenSource();
        var castore = temp.Combine("castore");
        var blobs = new FailingBlobService(new FileBlobService(castore), cancelOnWrite, cts);
        var directories = new FileDirectoryService(castore);
        var pathInfos = new FilePathInfoService(temp.Combine("pathinfo"), blobs, directories);
        var store = new TvixStore(blobs, directories, pathInfos);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.AddPathAsync(temp.Combine("tree"), cancellationToken: cts.Token));
        Assert.Equal(0, await TestStore.CountPathInfosAsync(store));

        // A fresh process over the same folders: retrying works, and what is there is complete.
        var reopened = new TvixStore(new FileBlobService(castore), new FileDirectoryService(castore),
            new FilePathInfoService(temp.Combine("pathinfo"), new FileBlobService(castore), new FileDirectoryService(castore)));
        var info = await reopened.AddPathAsync(temp.Combine("tree"));
        Assert.Equal(1, await TestStore.CountPathInfosAsync(reopened));
        await AssertEveryPathInfoIsCompleteAsync(reopened);
        Assert.NotNull(await reopened.GetPathInfoAsync(info.StorePath));
    }

    [Fact]
    public async Task ANarCutShortLeavesNoPathInfo()
    {
        using var temp = new TempDir();
        BuildTree(temp.Combine("tree"));
        var source = TestStore.CreateMemory();
        var info = await source.AddPathAsync(temp.Combine("tree"));
        var nar = new MemoryStream();
        await source.DumpAsync(info.StorePath, nar);

        var target = TestStore.CreateMemory();
        await Assert.ThrowsAnyAsync<Exception>(() => target.ImportNarAsync(info.StorePath, new MemoryStream(nar.ToArray(), 0, (int)nar.Length / 2)));
        Assert.Null(await target.GetPathInfoAsync(info.StorePath));
        var imported = await target.ImportNarAsync(info.StorePath, new MemoryStream(nar.ToArray()));
        Assert.Equal(info.Node, imported.Node);
        await AssertEveryPathInfoIsCompleteAsync(target);
    }
}
