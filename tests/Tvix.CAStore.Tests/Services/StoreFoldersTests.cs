using System.Text;
using Tvix.CAStore.Import;
using Tvix.CAStore.Services;
using Tvix.CAStore.Services.FileSystem;

namespace Tvix.CAStore.Tests.Services;

/// <summary>The file store's open folders (Linux): checks, publication and its failures, relative to them.</summary>
public sealed class StoreFoldersTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Objects => Path.Combine(_dir.Path, "blobs");

    private string Tmp => Path.Combine(_dir.Path, "tmp");

    private static B3Digest Digest(int seed) => B3Digest.Compute(Encoding.UTF8.GetBytes($"object {seed}"));

    private string FinalPath(B3Digest digest) => Path.Combine(Objects, digest.ToHex()[..2], digest.ToHex());

    /// <summary>A temporary file as a writer leaves it, and its NUL-terminated name.</summary>
    private byte[] Temporary(string name, string contents)
    {
        File.WriteAllText(Path.Combine(Tmp, name), contents);
        return Encoding.UTF8.GetBytes(name + "\0");
    }

    [Fact]
    public void RelativeNamesAreTheShardedLayoutsBelowTheObjectsFolder()
    {
        var digest = Digest(1);
        var hex = digest.ToHex();
        Span<byte> name = stackalloc byte[80];
        var length = StoreFolders.RelativeName(digest, legacy: false, name);
        Assert.Equal($"{hex[..2]}/{hex}\0", Encoding.ASCII.GetString(name[..length]));
        length = StoreFolders.RelativeName(digest, legacy: true, name);
        Assert.Equal($"{hex[..2]}/{hex[2..4]}/{hex}\0", Encoding.ASCII.GetString(name[..length]));
        Assert.Equal(FinalPath(digest), new ContentAddressedFiles(_dir.Path, "blobs").PathOf(digest));
    }

    [Fact]
    public void ReadsOfAStoreWithoutFoldersFindNothingAndMakeNothing()
    {
        if (!PosixFiles.IsAvailable) return;
        var folders = new StoreFolders(Objects, Tmp);
        Assert.False(folders.Exists(Digest(1), legacy: false));
        Assert.Null(folders.TryOpenRead(Digest(1), legacy: true));
        Assert.False(Directory.Exists(Objects));
        Assert.False(Directory.Exists(Tmp));
        // Made later (another process's first write): found from then on.
        var digest = Digest(2);
        Directory.CreateDirectory(Path.GetDirectoryName(FinalPath(digest))!);
        File.WriteAllText(FinalPath(digest), "stored");
        Assert.True(folders.Exists(digest, legacy: false));
        using var read = folders.TryOpenRead(digest, legacy: false);
        Assert.NotNull(read);
    }

    [Fact]
    public void TheLegacyLayoutIsFoundToo()
    {
        if (!PosixFiles.IsAvailable) return;
        var digest = Digest(3);
        var hex = digest.ToHex();
        Directory.CreateDirectory(Path.Combine(Objects, hex[..2], hex[2..4]));
        File.WriteAllText(Path.Combine(Objects, hex[..2], hex[2..4], hex), "old layout");
        var folders = new StoreFolders(Objects, Tmp);
        Assert.False(folders.Exists(digest, legacy: false));
        Assert.True(folders.Exists(digest, legacy: true));
        Assert.Null(folders.TryOpenRead(digest, legacy: false));
        using var read = folders.TryOpenRead(digest, legacy: true);
        Assert.NotNull(read);
    }

    [Fact]
    public void PreparingMakesBothFoldersAndSweepsStaleTemporaryFilesOnce()
    {
        if (!PosixFiles.IsAvailable) return;
        Directory.CreateDirectory(Tmp);
        var stale = Path.Combine(Tmp, "crashed.tmp");
        File.WriteAllText(stale, "partial");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - StaleTemporaryFiles.DefaultMaxAge - TimeSpan.FromMinutes(1));
        var folders = new StoreFolders(Objects, Tmp);
        var handle = folders.PrepareForWrites();
        Assert.True(Directory.Exists(Objects));
        Assert.False(File.Exists(stale));
        File.WriteAllText(stale, "partial");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - StaleTemporaryFiles.DefaultMaxAge - TimeSpan.FromMinutes(1));
        Assert.Same(handle, folders.PrepareForWrites());
        Assert.True(File.Exists(stale)); // swept once per instance, not per write
    }

    [Fact]
    public void PublishingMakesTheShardFolderAndMovesTheFile()
    {
        if (!PosixFiles.IsAvailable) return;
        var folders = new StoreFolders(Objects, Tmp);
        folders.PrepareForWrites();
        var digest = Digest(4);
        folders.Publish(Temporary("a.tmp", "contents"), digest);
        Assert.Equal("contents", File.ReadAllText(FinalPath(digest)));
        Assert.Empty(Directory.GetFiles(Tmp));
    }

    [Fact]
    public void PublishingOverAStoredObjectKeepsItAndDropsTheCopy()
    {
        if (!PosixFiles.IsAvailable) return;
        var folders = new StoreFolders(Objects, Tmp);
        folders.PrepareForWrites();
        var digest = Digest(5);
        folders.Publish(Temporary("first.tmp", "first"), digest);
        folders.Publish(Temporary("second.tmp", "second"), digest);
        Assert.Equal("first", File.ReadAllText(FinalPath(digest)));
        Assert.Empty(Directory.GetFiles(Tmp));
    }

    [Fact]
    public void PublishingAMissingTemporaryFileFailsAndNamesBothFiles()
    {
        if (!PosixFiles.IsAvailable) return;
        var folders = new StoreFolders(Objects, Tmp);
        folders.PrepareForWrites();
        var digest = Digest(6);
        var error = Assert.Throws<IOException>(() => folders.Publish(Encoding.UTF8.GetBytes("never-written.tmp\0"), digest));
        Assert.Contains(Path.Combine(Tmp, "never-written.tmp"), error.Message);
        Assert.Contains(FinalPath(digest), error.Message);
        Assert.False(File.Exists(FinalPath(digest)));
    }

    [Fact]
    public void PublishingWhereAFileBlocksTheShardFolderFailsAndLeavesTheTemporaryFile()
    {
        if (!PosixFiles.IsAvailable) return;
        var folders = new StoreFolders(Objects, Tmp);
        folders.PrepareForWrites();
        var digest = Digest(7);
        File.WriteAllText(Path.Combine(Objects, digest.ToHex()[..2]), "not a folder");
        var name = Temporary("blocked.tmp", "contents");
        Assert.Throws<IOException>(() => folders.Publish(name, digest));
        // The caller (the publisher) drops it; then nothing is left.
        Assert.True(File.Exists(Path.Combine(Tmp, "blocked.tmp")));
        folders.RemoveTemporary(name);
        Assert.Empty(Directory.GetFiles(Tmp));
    }

    [Fact]
    public void PublishingBeforeAnyWriteIsRefused()
    {
        if (!PosixFiles.IsAvailable) return;
        var folders = new StoreFolders(Objects, Tmp);
        Assert.Throws<InvalidOperationException>(() => folders.Publish(Encoding.UTF8.GetBytes("x.tmp\0"), Digest(8)));
        folders.RemoveTemporary(Encoding.UTF8.GetBytes("x.tmp\0")); // nothing to remove: no error either
    }
}

/// <summary>The file blob service's commit path: small blobs awaited through the publisher's queue entry, and its failures.</summary>
public sealed class FileBlobCommitTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Data(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(20_000)] // held, then written with direct I/O: the commit waits for those writes first
    [InlineData(300_000)] // too large to hold: a temporary file from the start
    public async Task ABlobIsStoredWithOrWithoutACancellableWait(int length)
    {
        var service = new FileBlobService(_dir.Path);
        var data = Data(length, length);
        using var cancellation = new CancellationTokenSource();
        Assert.Equal(B3Digest.Compute(data), await service.PutAsync(data, cancellation.Token));
        Assert.Equal(B3Digest.Compute(data), await service.PutAsync(data)); // stored already: nothing written
        Assert.Equal(data, await service.ReadAllBytesAsync(B3Digest.Compute(data)));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "tmp")));
    }

    [Theory]
    [InlineData(262_144, 1000)] // held to the last byte: hashed in one go at close
    [InlineData(262_145, 1000)] // one byte over: the held bytes are hashed first, then the rest as it comes
    [InlineData(300_000, 65_536)]
    [InlineData(300_000, 100_000)]
    [InlineData(1_000_000, 262_145)] // the first piece is too large to hold
    public async Task ADigestIsTheSameWhetherTheBlobWasHeldOrNot(int length, int piece)
    {
        var service = new FileBlobService(_dir.Path);
        var data = Data(length, length);
        await using var writer = service.OpenWrite();
        for (var offset = 0; offset < length; offset += piece)
        {
            var part = data.AsMemory(offset, Math.Min(piece, length - offset));
            if (offset / piece % 2 == 0) writer.Write(part.Span);
            else await writer.WriteAsync(part);
        }
        Assert.Equal(B3Digest.Compute(data), await writer.CloseAsync());
        Assert.Equal(data, await service.ReadAllBytesAsync(B3Digest.Compute(data)));
    }

    [Fact]
    public async Task AFailedPublicationFailsTheCloseAndLeavesNoTemporaryFile()
    {
        var data = Data(9, 1000);
        var digest = B3Digest.Compute(data);
        // A file where the blob's shard folder should be: the rename into it cannot succeed.
        Directory.CreateDirectory(Path.Combine(_dir.Path, "blobs"));
        File.WriteAllText(Path.Combine(_dir.Path, "blobs", digest.ToHex()[..2]), "in the way");
        var service = new FileBlobService(_dir.Path);
        await Assert.ThrowsAnyAsync<IOException>(async () => await service.PutAsync(data));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "tmp")));
        Assert.False(await service.HasAsync(digest));
        // Other blobs are unaffected.
        var other = Data(10, 1000);
        Assert.Equal(B3Digest.Compute(other), await service.PutAsync(other));
    }

    [Fact]
    public async Task ClosingTwiceFailsThroughTheReturnedTask()
    {
        var service = new FileBlobService(_dir.Path);
        await using var writer = service.OpenWrite();
        writer.Write(Data(11, 10));
        await writer.CloseAsync();
        var second = writer.CloseAsync(); // does not throw here: the task carries the failure
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await second);
    }
}
