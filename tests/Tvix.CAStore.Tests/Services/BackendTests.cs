using Tvix.CAStore.Services;
using Tvix.CAStore.Services.Combined;
using Tvix.CAStore.Services.FileSystem;
using Tvix.CAStore.Services.Memory;

namespace Tvix.CAStore.Tests.Services;

public sealed class MemoryBlobServiceTests : BlobServiceTests
{
    protected override IBlobService CreateService() => new MemoryBlobService();
}

public sealed class FileBlobServiceTests : BlobServiceTests
{
    protected override IBlobService CreateService() => new FileBlobService(Track(new TempDir()).Path);

    [Fact]
    public async Task BlobsAreShardedAndNoTemporaryFileRemains()
    {
        using var dir = new TempDir();
        var service = new FileBlobService(dir.Path);
        var digest = await service.PutAsync("hello"u8.ToArray());
        var hex = digest.ToHex();
        Assert.True(File.Exists(Path.Combine(dir.Path, "blobs", hex[..2], hex)));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "tmp")));
    }

    [Fact]
    public async Task ASmallBlobStoredAlreadyIsNotWrittenAgain()
    {
        using var dir = new TempDir();
        var data = Data(5_000, 7);
        var digest = await new FileBlobService(dir.Path).PutAsync(data);
        var path = Path.Combine(dir.Path, "blobs", digest.ToHex()[..2], digest.ToHex());
        var stored = File.GetLastWriteTimeUtc(path);
        Directory.Delete(Path.Combine(dir.Path, "tmp"));
        // A second service on the same folder: the writer finds the blob before creating a temporary file.
        Assert.Equal(digest, await new FileBlobService(dir.Path).PutAsync(data));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "tmp")));
        Assert.Equal(stored, File.GetLastWriteTimeUtc(path));
        Assert.Equal(data, await new FileBlobService(dir.Path).ReadAllBytesAsync(digest));
    }

    [Fact]
    public async Task OpenFileGivesTheBlobsFileOrNull()
    {
        using var dir = new TempDir();
        var service = new FileBlobService(dir.Path);
        var data = Data(3_000, 9);
        var digest = await service.PutAsync(data);
        Assert.Null(service.OpenFile(B3Digest.Compute("missing"u8)));
        using var handle = service.OpenFile(digest)!;
        var read = new byte[data.Length + 10];
        Assert.Equal(data.Length, RandomAccess.Read(handle, read, 0));
        Assert.Equal(data, read[..data.Length]);
    }

    [Fact]
    public async Task ABlobLargerThanTheInMemoryLimitIsStoredWhole()
    {
        using var dir = new TempDir();
        var service = new FileBlobService(dir.Path);
        var data = Data(700_000, 8);
        await using var writer = service.OpenWrite();
        for (var offset = 0; offset < data.Length; offset += 100_000) await writer.WriteAsync(data.AsMemory(offset, Math.Min(100_000, data.Length - offset)));
        var digest = await writer.CloseAsync();
        Assert.Equal(B3Digest.Compute(data), digest);
        Assert.Equal(data, await service.ReadAllBytesAsync(digest));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, "tmp")));
    }
}

public sealed class CombinedBlobServiceTests : BlobServiceTests
{
    protected override IBlobService CreateService() =>
        new CombinedBlobService(new MemoryBlobService(), new FileBlobService(Track(new TempDir()).Path));

    [Fact]
    public async Task ReadsFillTheNearStore()
    {
        var near = new MemoryBlobService();
        var far = new MemoryBlobService();
        var digest = await far.PutAsync("far away"u8.ToArray());
        var combined = new CombinedBlobService(near, far);
        Assert.False(await near.HasAsync(digest));
        Assert.True(await combined.HasAsync(digest));
        Assert.Equal("far away"u8.ToArray(), await combined.ReadAllBytesAsync(digest));
        Assert.True(await near.HasAsync(digest));
    }
}

public sealed class MemoryDirectoryServiceTests : DirectoryServiceTests
{
    protected override IDirectoryService CreateService() => new MemoryDirectoryService();
}

public sealed class FileDirectoryServiceTests : DirectoryServiceTests
{
    protected override IDirectoryService CreateService() => new FileDirectoryService(Track(new TempDir()).Path);

    [Fact]
    public async Task CorruptionIsReportedNotReturned()
    {
        using var dir = new TempDir();
        var service = new FileDirectoryService(dir.Path);
        var (_, a, b, _) = Diamond();
        await service.PutAsync(a);
        var hex = a.Digest.ToHex();
        var file = Path.Combine(dir.Path, "directories", hex[..2], hex);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllBytes(file, b.Encode());
        await Assert.ThrowsAsync<CAStoreValidationException>(async () => await service.GetAsync(a.Digest));
    }
}

public sealed class CachingDirectoryServiceTests : DirectoryServiceTests
{
    protected override IDirectoryService CreateService() =>
        new CachingDirectoryService(new MemoryDirectoryService(), new FileDirectoryService(Track(new TempDir()).Path));

    [Fact]
    public async Task ReadsFillTheNearStore()
    {
        var near = new MemoryDirectoryService();
        var far = new MemoryDirectoryService();
        var (leaf, a, _, _) = Diamond();
        await far.PutAsync(leaf);
        await far.PutAsync(a);
        var combined = new CachingDirectoryService(near, far);
        var count = 0;
        await foreach (var _ in combined.GetRecursiveAsync(a.Digest)) count++;
        Assert.Equal(2, count);
        Assert.NotNull(await near.GetAsync(a.Digest));
        Assert.NotNull(await near.GetAsync(leaf.Digest));
    }
}
