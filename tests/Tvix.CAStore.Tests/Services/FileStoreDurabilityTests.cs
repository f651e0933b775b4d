using Tvix.CAStore.Services;
using Tvix.CAStore.Services.FileSystem;

namespace Tvix.CAStore.Tests.Services;

/// <summary>The file backend's batched publication and its clean-up of a crash's temporary files.</summary>
public sealed class FileStoreDurabilityTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string TmpFolder => Path.Combine(_dir.Path, "tmp");

    private static byte[] Data(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task ManyConcurrentWritersShareBatchesAndAllLandUnderTheirNames()
    {
        var service = new FileBlobService(_dir.Path);
        // 300 writers, 100 distinct contents: duplicates race each other inside and across batches.
        var puts = Enumerable.Range(0, 300).Select(i => Task.Run(async () => (Seed: i % 100, Digest: await service.PutAsync(Data(i % 100, 1000 + i % 100)))));
        foreach (var (seed, digest) in await Task.WhenAll(puts))
        {
            Assert.Equal(B3Digest.Compute(Data(seed, 1000 + seed)), digest);
            Assert.Equal(Data(seed, 1000 + seed), await service.ReadAllBytesAsync(digest));
        }
        Assert.Empty(Directory.GetFiles(TmpFolder));
        Assert.Equal(100, Directory.GetFiles(Path.Combine(_dir.Path, "blobs"), "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task StaleTemporaryFilesAreRemovedOnTheFirstWriteAndFreshOnesKept()
    {
        Directory.CreateDirectory(TmpFolder);
        var stale = Path.Combine(TmpFolder, "crashed.tmp");
        var live = Path.Combine(TmpFolder, "in-progress.tmp");
        File.WriteAllText(stale, "left by a killed writer");
        File.WriteAllText(live, "another process is writing this");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - StaleTemporaryFiles.DefaultMaxAge - TimeSpan.FromMinutes(1));

        var service = new FileBlobService(_dir.Path);
        Assert.True(File.Exists(stale)); // nothing happens until the store is written to
        await service.PutAsync("x"u8.ToArray());
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live));
    }

    [Fact]
    public async Task APutSessionStoresItsDirectoriesWhenClosedAndNothingWhenRefused()
    {
        var service = new FileDirectoryService(_dir.Path);
        var leaf = new CADirectoryBuilder().Add("f", new FileNode(B3Digest.Compute("f"u8), 1, false)).Build();
        var root = new CADirectoryBuilder().Add("leaf", leaf.ToNode()).Build();

        var putter = service.CreatePutter();
        await putter.PutAsync(leaf);
        await putter.PutAsync(root);
        Assert.Equal(root.Digest, await putter.CloseAsync());
        Assert.NotNull(await service.GetAsync(leaf.Digest));
        Assert.NotNull(await service.GetAsync(root.Digest));

        // A session whose tree is not connected is refused at close, and what it held back is not stored.
        var lone = new CADirectoryBuilder().Add("g", new FileNode(B3Digest.Compute("g"u8), 1, false)).Build();
        var other = new CADirectoryBuilder().Add("h", new FileNode(B3Digest.Compute("h"u8), 1, false)).Build();
        var refused = service.CreatePutter();
        await refused.PutAsync(lone);
        await refused.PutAsync(other);
        await Assert.ThrowsAsync<CAStoreValidationException>(async () => await refused.CloseAsync());
        Assert.Null(await service.GetAsync(lone.Digest));
        Assert.Null(await service.GetAsync(other.Digest));
        Assert.Empty(Directory.GetFiles(TmpFolder));
    }

    [Fact]
    public async Task AFlushedPutSessionStoresWhatItHeldAndStillChecksTheTreeAtClose()
    {
        var service = new FileDirectoryService(_dir.Path);
        var leaf = new CADirectoryBuilder().Add("f", new FileNode(B3Digest.Compute("f"u8), 1, false)).Build();
        var root = new CADirectoryBuilder().Add("leaf", leaf.ToNode()).Build();
        var putter = service.CreatePutter();
        await putter.PutAsync(leaf);
        Assert.Null(await service.GetAsync(leaf.Digest)); // held back
        await putter.FlushAsync();
        Assert.NotNull(await service.GetAsync(leaf.Digest));
        await putter.PutAsync(root); // the flushed leaf still counts as put before it
        Assert.Equal(root.Digest, await putter.CloseAsync());
        Assert.NotNull(await service.GetAsync(root.Digest));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await putter.FlushAsync());

        // A flushed directory that ends up outside the tree still makes the close fail.
        var stray = new CADirectoryBuilder().Add("g", new FileNode(B3Digest.Compute("g"u8), 1, false)).Build();
        var other = new CADirectoryBuilder().Add("h", new FileNode(B3Digest.Compute("h"u8), 1, false)).Build();
        var refused = service.CreatePutter();
        await refused.PutAsync(stray);
        await refused.FlushAsync();
        await refused.PutAsync(other);
        await Assert.ThrowsAsync<CAStoreValidationException>(async () => await refused.CloseAsync());
        Assert.Null(await service.GetAsync(other.Digest));
    }

    [Fact]
    public async Task ObjectsInTheOlderTwoLevelLayoutAreStillRead()
    {
        var blob = "written by an older version"u8.ToArray();
        var digest = B3Digest.Compute(blob);
        var directory = new CADirectoryBuilder().Add("f", new FileNode(digest, (ulong)blob.Length, false)).Build();
        foreach (var (kind, hex, bytes) in new[] { ("blobs", digest.ToHex(), blob), ("directories", directory.Digest.ToHex(), directory.Encode()) })
        {
            var legacy = Path.Combine(_dir.Path, kind, hex[..2], hex[2..4]);
            Directory.CreateDirectory(legacy);
            File.WriteAllBytes(Path.Combine(legacy, hex), bytes);
        }
        var blobs = new FileBlobService(_dir.Path);
        Assert.True(await blobs.HasAsync(digest));
        Assert.Equal(blob, await blobs.ReadAllBytesAsync(digest));
        Assert.Equal(directory.Digest, (await new FileDirectoryService(_dir.Path).GetAsync(directory.Digest))!.Digest);
    }
}
