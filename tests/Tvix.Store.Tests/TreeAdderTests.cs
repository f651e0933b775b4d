using System.Security.Cryptography;
using Tvix.CAStore;
using Tvix.CAStore.Import;
using Tvix.CAStore.Services;
using Tvix.CAStore.Services.FileSystem;
using Tvix.CAStore.Services.Memory;
using Tvix.NixCompat;
using Tvix.NixCompat.Nar;
using Tvix.Store.Import;
using Tvix.Store.Nar;

namespace Tvix.Store.Tests;

/// <summary>
/// Adding a tree reads each file once into 1 MiB NAR chunks; small files are stored by the walk,
/// large ones by the NAR pipe's thread. These check the NAR and the blobs across chunk boundaries,
/// and that failures on either thread end the add cleanly.
/// </summary>
public sealed class TreeAdderTests
{
    private static void BuildTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "a", "b"));
        var random = new Random(7);
        // Around the in-memory limit (256 KiB) and the chunk size (1 MiB), so pieces straddle chunks.
        int[] sizes = [0, 1, 7, 8, 4095, 262_144, 262_145, 300_001, 1_048_576, 1_048_589, 3 * 1_048_576 + 5];
        for (var i = 0; i < sizes.Length; i++)
        {
            var bytes = new byte[sizes[i]];
            random.NextBytes(bytes);
            var path = Path.Combine(root, i % 3 == 0 ? "a" : i % 3 == 1 ? "a/b" : "", $"f{i}");
            File.WriteAllBytes(path, bytes);
            if (i % 4 == 1 && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }
        File.CreateSymbolicLink(Path.Combine(root, "a", "link"), "b/f1");
        Directory.CreateDirectory(Path.Combine(root, "empty"));
    }

    [Fact]
    public async Task TheNarHashAndTheStoredTreeMatchAnIndependentDumpAcrossChunkBoundaries()
    {
        using var temp = new TempDir();
        var tree = temp.Combine("tree");
        BuildTree(tree);
        var storeRoot = temp.Combine("store");
        var store = TestStore.Create(new FileBlobService(storeRoot), new FileDirectoryService(storeRoot));

        var info = await store.AddPathAsync(tree);

        using var dumped = new MemoryStream();
        await NarDumper.DumpToStreamAsync(tree, dumped);
        Assert.Equal((ulong)dumped.Length, info.Nar.Size);
        Assert.Equal(SHA256.HashData(dumped.ToArray()), info.Nar.Sha256.Digest.ToArray());
        using var rendered = new MemoryStream();
        await new NarRenderer(store.Blobs, store.Directories).WriteNarAsync(info.Node, rendered);
        Assert.Equal(dumped.ToArray(), rendered.ToArray());
        Assert.Empty(Directory.GetFiles(Path.Combine(storeRoot, "tmp")));
    }

    [Fact]
    public async Task ALargeFileAsTheRootIsAddedFlatAndRecursively()
    {
        using var temp = new TempDir();
        var file = temp.Combine("big");
        var bytes = new byte[2 * 1_048_576 + 3];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(file, bytes);
        var store = TestStore.CreateMemory();

        var flat = await store.AddPathAsync(file, new AddPathOptions { Method = ContentAddressMethod.Flat });
        Assert.Equal(SHA256.HashData(bytes), flat.ContentAddress!.Hash.Digest.ToArray());
        var recursive = await store.AddPathAsync(file);
        using var dumped = new MemoryStream();
        await NarDumper.DumpToStreamAsync(file, dumped);
        Assert.Equal(SHA256.HashData(dumped.ToArray()), recursive.Nar.Sha256.Digest.ToArray());
        Assert.Equal(bytes, await store.Blobs.ReadAllBytesAsync(((FileNode)recursive.Node).Digest));
    }

    /// <summary>Blobs whose writer fails once more than <c>limit</c> bytes were written to it (on whichever thread writes).</summary>
    private sealed class FailingLargeBlobs(int limit) : IBlobService
    {
        private readonly MemoryBlobService _inner = new();

        public ValueTask<bool> HasAsync(B3Digest digest, CancellationToken cancellationToken = default) => _inner.HasAsync(digest, cancellationToken);

        public ValueTask<Stream?> OpenReadAsync(B3Digest digest, CancellationToken cancellationToken = default) => _inner.OpenReadAsync(digest, cancellationToken);

        public BlobWriter OpenWrite() => new Writer(_inner.OpenWrite(), limit);

        private sealed class Writer(BlobWriter inner, int limit) : BlobWriter
        {
            private long _written;

            protected override void WriteCore(ReadOnlySpan<byte> buffer)
            {
                _written += buffer.Length;
                if (_written > limit) throw new IOException("injected failure: the disk is full");
                inner.Write(buffer);
            }

            protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
            {
                WriteCore(buffer.Span);
                return ValueTask.CompletedTask;
            }

            protected override async ValueTask CommitAsync(B3Digest digest, long length, CancellationToken cancellationToken) =>
                Assert.Equal(digest, await inner.CloseAsync(cancellationToken));

            protected override void Abort() => inner.Dispose();
        }
    }

    [Fact]
    public async Task AFailingLargeBlobWriteOnThePipeThreadFailsTheAddAndStoresNoPathInfo()
    {
        using var temp = new TempDir();
        var tree = temp.Combine("tree");
        BuildTree(tree);
        var store = TestStore.Create(new FailingLargeBlobs(2 * 1_048_576), new MemoryDirectoryService());

        var error = await Assert.ThrowsAsync<IOException>(() => store.AddPathAsync(tree));
        Assert.Contains("injected", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await TestStore.CountPathInfosAsync(store));
    }

    [Fact]
    public async Task ASpecialFileAfterLargeFilesFailsTheAddAndLeavesNoTemporaryFiles()
    {
        if (!OperatingSystem.IsLinux()) return; // mkfifo
        using var temp = new TempDir();
        var tree = temp.Combine("tree");
        BuildTree(tree);
        var fifo = System.Diagnostics.Process.Start("mkfifo", Path.Combine(tree, "zz-pipe"));
        await fifo.WaitForExitAsync();
        Assert.Equal(0, fifo.ExitCode);
        var storeRoot = temp.Combine("store");
        var store = TestStore.Create(new FileBlobService(storeRoot), new FileDirectoryService(storeRoot));

        await Assert.ThrowsAsync<UnsupportedFileTypeException>(() => store.AddPathAsync(tree));
        Assert.Equal(0, await TestStore.CountPathInfosAsync(store));
        // Blobs written before the failure may be stored (harmless); none is left half-written. The
        // walk may reach the FIFO before the pipe's work thread has started any blob: then there is
        // no temporary folder at all.
        var tmp = Path.Combine(storeRoot, "tmp");
        if (Directory.Exists(tmp)) Assert.Empty(Directory.GetFiles(tmp));
    }

    /// <summary>
    /// The adder takes a file's size from the listing (no <c>fstat</c>), so a file that shrank since
    /// must fail the add, not leave a NAR that announces more bytes than follow.
    /// </summary>
    [Theory]
    [InlineData(1, 0)]
    [InlineData(4096, 100)]
    [InlineData(1_048_577, 1_048_576)]
    public async Task AFileThatShrankAfterItWasListedFailsTheAdd(int listed, int now)
    {
        using var temp = new TempDir();
        var file = temp.Combine("f");
        File.WriteAllBytes(file, new byte[listed]);
        var entry = LocalFileEntry.Get(file);
        File.WriteAllBytes(file, new byte[now]);
        var store = TestStore.CreateMemory();

        var adder = new TreeAdder(store.Blobs, store.Directories, Stream.Null, null, null, CancellationToken.None);
        await using (adder)
        {
            var error = Assert.Throws<IOException>(() => adder.Walk(entry));
            Assert.Contains("became shorter", error.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A file that grew after it was listed is added as it was listed: the NAR stays well-formed and matches the blob.</summary>
    [Fact]
    public async Task AFileThatGrewAfterItWasListedIsAddedWithItsListedBytes()
    {
        using var temp = new TempDir();
        var file = temp.Combine("f");
        var bytes = new byte[1_048_580];
        new Random(5).NextBytes(bytes);
        File.WriteAllBytes(file, bytes.AsSpan(0, 1_048_577).ToArray());
        var entry = LocalFileEntry.Get(file);
        File.WriteAllBytes(file, bytes);
        var store = TestStore.CreateMemory();

        using var nar = new MemoryStream();
        var adder = new TreeAdder(store.Blobs, store.Directories, nar, null, null, CancellationToken.None);
        Node root;
        await using (adder)
        {
            adder.Walk(entry);
            root = await adder.CompleteAsync(CancellationToken.None);
        }

        var listed = bytes.AsSpan(0, 1_048_577).ToArray();
        var node = Assert.IsType<FileNode>(root);
        Assert.Equal((ulong)listed.Length, node.Size);
        Assert.Equal(listed, await store.Blobs.ReadAllBytesAsync(node.Digest));
        File.WriteAllBytes(file, listed);
        using var dumped = new MemoryStream();
        await NarDumper.DumpToStreamAsync(file, dumped);
        Assert.Equal(dumped.ToArray(), nar.ToArray());
    }

    /// <summary>
    /// With the hash warm-up, the first file large enough for the wide kernels starts their compilation
    /// on the pool while the pipe's thread hashes: the blobs and the NAR are the same as without it.
    /// </summary>
    [Fact]
    public async Task TheHashWarmupChangesNothingButWhenTheKernelsAreCompiled()
    {
        using var temp = new TempDir();
        var random = new Random(9);
        foreach (var (name, length) in new[] { ("a", 100), ("b", 16 * 1024 + 1), ("c", 300_000), ("d", 2_000_000) })
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            File.WriteAllBytes(temp.Combine(name), bytes);
        }
        var entry = LocalFileEntry.Get(temp.Path);

        async Task<(Node Root, byte[] Nar)> AddAsync(HashWarmup? warmup)
        {
            var store = TestStore.CreateMemory();
            using var nar = new MemoryStream();
            var adder = new TreeAdder(store.Blobs, store.Directories, nar, null, null, CancellationToken.None, warmup);
            await using (adder)
            {
                adder.Walk(entry);
                return (await adder.CompleteAsync(CancellationToken.None), nar.ToArray());
            }
        }

        var warmup = new HashWarmup();
        warmup.StartNarHash();
        var (withRoot, withNar) = await AddAsync(warmup);
        var (withoutRoot, withoutNar) = await AddAsync(null);
        Assert.Equal(withoutRoot, withRoot);
        Assert.Equal(withoutNar, withNar);
        using var dumped = new MemoryStream();
        await NarDumper.DumpToStreamAsync(temp.Path, dumped);
        Assert.Equal(dumped.ToArray(), withNar);
    }
}
