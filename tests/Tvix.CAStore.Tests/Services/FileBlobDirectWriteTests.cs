using Tvix.CAStore.Services;
using Tvix.CAStore.Services.FileSystem;

namespace Tvix.CAStore.Tests.Services;

/// <summary>
/// Blobs large enough to be written with direct I/O (aligned buffers on the store's writing thread,
/// the unaligned last piece through the page cache): contents, sizes around the buffer and
/// alignment boundaries, many at once, and abandoned writes.
/// </summary>
public sealed class FileBlobDirectWriteTests : IDisposable
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

    /// <summary>Writes in pieces of <paramref name="piece"/> bytes (so buffers fill across writes) and closes.</summary>
    private static async Task<B3Digest> WriteInPiecesAsync(IBlobService service, byte[] data, int piece)
    {
        await using var writer = service.OpenWrite();
        for (var i = 0; i < data.Length; i += piece) writer.Write(data.AsSpan(i, Math.Min(piece, data.Length - i)));
        return await writer.CloseAsync();
    }

    [Theory]
    [InlineData(16 * 1024)] // a held blob just large enough to go direct
    [InlineData(16 * 1024 + 1)]
    [InlineData(256 * 1024 + 1)] // one byte over what is held in memory
    [InlineData(DirectWrites.BufferSize - 1)]
    [InlineData(DirectWrites.BufferSize)]
    [InlineData(DirectWrites.BufferSize + 1)]
    [InlineData(3 * DirectWrites.BufferSize + DirectWrites.Alignment)]
    [InlineData(3 * DirectWrites.BufferSize + DirectWrites.Alignment + 7)]
    public async Task LargeBlobsReadBackWhole(int length)
    {
        var data = Data(length, length);
        foreach (var piece in new[] { 4093, 65536, length })
        {
            // A fresh store per piece size: the second write would otherwise find the blob stored.
            var root = Path.Combine(_dir.Path, $"p{piece}");
            var store = new FileBlobService(root);
            var digest = await WriteInPiecesAsync(store, data, piece);
            Assert.Equal(B3Digest.Compute(data), digest);
            Assert.Equal(data, await store.ReadAllBytesAsync(digest));
            Assert.Empty(Directory.GetFiles(Path.Combine(root, "tmp")));
        }
    }

    [Fact]
    public async Task ABlobOfManyBuffersWrittenFasterThanTheDiskReadsBackWhole()
    {
        // Written in one go, the buffers queue up behind the first write and go out several per call.
        var service = new FileBlobService(_dir.Path);
        var data = Data(5, 21 * DirectWrites.BufferSize + DirectWrites.Alignment + 3);
        var digest = await WriteInPiecesAsync(service, data, data.Length);
        Assert.Equal(B3Digest.Compute(data), digest);
        Assert.Equal(data, await service.ReadAllBytesAsync(digest));
        Assert.Empty(Directory.GetFiles(TmpFolder));
    }

    [Fact]
    public void GatheredWritesLandInOrderAtTheirOffset()
    {
        if (!Tvix.CAStore.Import.PosixFiles.IsAvailable) return; // pwritev
        var path = Path.Combine(_dir.Path, "gathered");
        // Pinned, as the store's buffers are: their addresses go to the kernel.
        var pieces = new[] { Pinned(Data(1, 4096)), Pinned(Data(2, 10_000)), Pinned(Data(3, 1)) };
        using (var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write))
        {
            Assert.Equal(0, Tvix.CAStore.Import.PosixFiles.TryWriteAtGathered(handle, pieces.Select(p => new Memory<byte>(p)).ToArray(), 100));
        }
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(100 + 4096 + 10_000 + 1, bytes.Length);
        Assert.Equal(new byte[100], bytes[..100]);
        Assert.Equal(pieces.SelectMany(p => p).ToArray(), bytes[100..]);
    }

    private static byte[] Pinned(byte[] bytes)
    {
        var pinned = GC.AllocateUninitializedArray<byte>(bytes.Length, pinned: true);
        bytes.CopyTo(pinned, 0);
        return pinned;
    }

    [Fact]
    public async Task ManyLargeBlobsAtOnceAllLandWhole()
    {
        // More concurrent writers than buffers: some wait for one (or fall back to the page cache).
        var service = new FileBlobService(_dir.Path);
        var lengths = Enumerable.Range(0, 24).Select(i => DirectWrites.BufferSize / 2 + i * 100_003).ToArray();
        var puts = lengths.Select((length, i) => Task.Run(() => WriteInPiecesAsync(service, Data(i, length), 100_000)));
        var digests = await Task.WhenAll(puts);
        for (var i = 0; i < lengths.Length; i++)
        {
            Assert.Equal(B3Digest.Compute(Data(i, lengths[i])), digests[i]);
            Assert.Equal(Data(i, lengths[i]), await service.ReadAllBytesAsync(digests[i]));
        }
        Assert.Empty(Directory.GetFiles(TmpFolder));
    }

    [Fact]
    public async Task AnAbandonedLargeWriteLeavesNothingAndTheStoreWritesOn()
    {
        var service = new FileBlobService(_dir.Path);
        // Several abandoned writers, each left holding a partly filled buffer: all buffers come back.
        for (var i = 0; i < 12; i++)
        {
            var writer = service.OpenWrite();
            writer.Write(Data(i, 2 * DirectWrites.BufferSize + 12345));
            await writer.DisposeAsync();
        }
        var data = Data(99, 5 * DirectWrites.BufferSize + 3);
        var digest = await WriteInPiecesAsync(service, data, DirectWrites.BufferSize);
        Assert.Equal(data, await service.ReadAllBytesAsync(digest));
        // The abandoned writers' temporary files were removed when they were disposed.
        Assert.Empty(Directory.GetFiles(TmpFolder));
        Assert.Single(Directory.GetFiles(Path.Combine(_dir.Path, "blobs"), "*", SearchOption.AllDirectories));
    }
}
