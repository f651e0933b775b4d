using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using Tvix.CAStore.Import;
using Tvix.CAStore.Services;
using Tvix.CAStore.Services.FileSystem;
using Tvix.CAStore.Services.Memory;
using Tvix.CAStore.Tests.Services;

namespace Tvix.CAStore.Tests.Import;

public sealed class ImportExportTests
{
    [Fact]
    public void ImportThenExportIsTheIdentityOnRandomTrees()
    {
        var config = Config.QuickThrowOnFailure.WithMaxTest(30);
        Prop.ForAll(RandomTree.Directories(3).ToArbitrary(), tree =>
        {
            using var tmp = new TempDir();
            var source = Path.Combine(tmp.Path, "source");
            tree.WriteTo(source);
            var blobs = new MemoryBlobService();
            var dirs = new MemoryDirectoryService();
            var node = new FileSystemImporter(blobs, dirs).ImportAsync(source).GetAwaiter().GetResult();
            var copy = Path.Combine(tmp.Path, "copy");
            new FileSystemExporter(blobs, dirs).ExportAsync(node, copy).GetAwaiter().GetResult();
            var again = new FileSystemImporter(blobs, dirs).ImportAsync(copy).GetAwaiter().GetResult();
            Assert.Equal(RandomTree.Describe(source), RandomTree.Describe(copy));
            Assert.Equal(node, again);
        }).Check(config);
    }

    /// <summary>
    /// The importer stops reading a file once a short read ends exactly at the size the listing saw
    /// (no read that returns 0 to say so): files around the buffer size must still come out whole.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(4097)]
    [InlineData(8192)]
    [InlineData(8195)]
    public async Task FilesAroundTheBufferSizeAreImportedWhole(int size)
    {
        using var tmp = new TempDir();
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        var file = Path.Combine(tmp.Path, "dir", "f");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllBytesAsync(file, bytes);
        var blobs = new MemoryBlobService();
        var directories = new MemoryDirectoryService();
        var importer = new FileSystemImporter(blobs, directories, new ImportOptions { BufferSize = 4096 });

        // As the root (inspected on its own) and as a child (listed with its directory).
        var fromRoot = Assert.IsType<FileNode>(await importer.ImportAsync(file));
        var directory = Assert.IsType<DirectoryNode>(await importer.ImportAsync(Path.GetDirectoryName(file)!));
        var listed = (await directories.GetAsync(directory.Digest))!.Entries.Single().Node;

        Assert.Equal(B3Digest.Compute(bytes), fromRoot.Digest);
        Assert.Equal((ulong)size, fromRoot.Size);
        Assert.Equal(fromRoot, listed);
        Assert.Equal(bytes, await blobs.ReadAllBytesAsync(fromRoot.Digest));
    }

    [Fact]
    public async Task RootNodesOfEachKind()
    {
        using var tmp = new TempDir();
        var blobs = new MemoryBlobService();
        var dirs = new MemoryDirectoryService();
        var importer = new FileSystemImporter(blobs, dirs);

        var file = Path.Combine(tmp.Path, "file");
        await File.WriteAllBytesAsync(file, "Hello World!"u8.ToArray());
        var fileNode = Assert.IsType<FileNode>(await importer.ImportAsync(file));
        Assert.Equal(B3Digest.Compute("Hello World!"u8), fileNode.Digest);
        Assert.Equal(12UL, fileNode.Size);
        Assert.False(fileNode.Executable);

        var link = Path.Combine(tmp.Path, "link");
        File.CreateSymbolicLink(link, "file");
        Assert.Equal(new SymlinkNode("file"u8), await importer.ImportAsync(link));

        var empty = Path.Combine(tmp.Path, "empty");
        Directory.CreateDirectory(empty);
        Assert.Equal(CADirectory.Empty.ToNode(), await importer.ImportAsync(empty));

        var exporter = new FileSystemExporter(blobs, dirs);
        await exporter.ExportAsync(fileNode, Path.Combine(tmp.Path, "file2"));
        Assert.Equal("Hello World!", await File.ReadAllTextAsync(Path.Combine(tmp.Path, "file2")));
        await Assert.ThrowsAsync<IOException>(() => exporter.ExportAsync(fileNode, file));
    }

    [Fact]
    public async Task DirectoryNodeCountsEntriesRecursively()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(Path.Combine(tmp.Path, "t", "sub", "subsub"));
        await File.WriteAllTextAsync(Path.Combine(tmp.Path, "t", "sub", "f"), "x");
        await File.WriteAllTextAsync(Path.Combine(tmp.Path, "t", "g"), "y");
        var node = Assert.IsType<DirectoryNode>(await new FileSystemImporter(new MemoryBlobService(), new MemoryDirectoryService()).ImportAsync(Path.Combine(tmp.Path, "t")));
        Assert.Equal(4UL, node.Size); // sub, g, and below sub: subsub, f
    }

    [Fact]
    public async Task SpecialFilesAreAClearError()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var tmp = new TempDir();
        var tree = Path.Combine(tmp.Path, "tree");
        Directory.CreateDirectory(tree);
        var socketPath = Path.Combine(tree, "sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var e = await Assert.ThrowsAsync<UnsupportedFileTypeException>(() =>
            new FileSystemImporter(new MemoryBlobService(), new MemoryDirectoryService()).ImportAsync(tree));
        Assert.Equal("socket", e.FileType);
        Assert.Contains("sock", e.Message);
        Assert.Throws<UnsupportedFileTypeException>(() =>
            new FileSystemImporter(new MemoryBlobService(), new MemoryDirectoryService()).ImportAsync("/dev/null").GetAwaiter().GetResult());
    }

    [Fact]
    public async Task TwoImportersOfTheSameTreeIntoOneStoreBothSucceed()
    {
        using var tmp = new TempDir();
        var source = Path.Combine(tmp.Path, "source");
        var tree = RandomTree.Directories(3).Sample(1, 1).Single();
        tree.WriteTo(source);
        File.WriteAllBytes(Path.Combine(source, "big"), new byte[3 * 1024 * 1024 + 5]);
        var store = Path.Combine(tmp.Path, "store");

        // Separate service instances over one folder, as two processes would have.
        Task<Node> Import() => Task.Run(() => new FileSystemImporter(new FileBlobService(store), new FileDirectoryService(store)).ImportAsync(source));
        var results = await Task.WhenAll(Import(), Import(), Import());
        Assert.Equal(results[0], results[1]);
        Assert.Equal(results[0], results[2]);

        var copy = Path.Combine(tmp.Path, "copy");
        await new FileSystemExporter(new FileBlobService(store), new FileDirectoryService(store)).ExportAsync(results[0], copy);
        Assert.Equal(RandomTree.Describe(source), RandomTree.Describe(copy));
        Assert.Empty(Directory.GetFiles(Path.Combine(store, "tmp")));
    }

    [Fact]
    public async Task ExportReportsMissingData()
    {
        using var tmp = new TempDir();
        var blobs = new MemoryBlobService();
        var dirs = new MemoryDirectoryService();
        var exporter = new FileSystemExporter(blobs, dirs);
        await Assert.ThrowsAsync<CAStoreValidationException>(() =>
            exporter.ExportAsync(new FileNode(B3Digest.Compute("absent"u8), 6, false), Path.Combine(tmp.Path, "a")));
        await Assert.ThrowsAsync<CAStoreValidationException>(() =>
            exporter.ExportAsync(new DirectoryNode(B3Digest.Compute("absent"u8), 0), Path.Combine(tmp.Path, "b")));
        var digest = await blobs.PutAsync("short"u8.ToArray());
        await Assert.ThrowsAsync<CAStoreValidationException>(() =>
            exporter.ExportAsync(new FileNode(digest, 99, false), Path.Combine(tmp.Path, "c")));
    }
}

public sealed class ReimportTests
{
    [Fact]
    public async Task ReimportingLeavesStoredBlobsAlone()
    {
        using var tmp = new TempDir();
        var source = Path.Combine(tmp.Path, "source");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "small"), "small");
        await File.WriteAllBytesAsync(Path.Combine(source, "large"), new byte[600_000]);
        var store = Path.Combine(tmp.Path, "store");
        var dirs = new MemoryDirectoryService();
        var options = new ImportOptions { BufferSize = 64 * 1024 };
        var first = await new FileSystemImporter(new FileBlobService(store), dirs, options).ImportAsync(source);
        var blobFiles = Directory.GetFiles(Path.Combine(store, "blobs"), "*", SearchOption.AllDirectories);
        Assert.Equal(2, blobFiles.Length);
        var written = blobFiles.ToDictionary(f => f, File.GetLastWriteTimeUtc);
        Directory.Delete(Path.Combine(store, "tmp"), recursive: true);
        // A new service on the same folder, as a second process would have: it creates the temporary folder on its first write.
        var second = await new FileSystemImporter(new FileBlobService(store), dirs, options).ImportAsync(source);
        Assert.Equal(first, second);
        Assert.Equal(written, Directory.GetFiles(Path.Combine(store, "blobs"), "*", SearchOption.AllDirectories).ToDictionary(f => f, File.GetLastWriteTimeUtc));
        // The small file is found stored before a temporary file is made; the large one is streamed
        // to a temporary file again, which is dropped when its name turns out to exist.
        Assert.Empty(Directory.GetFiles(Path.Combine(store, "tmp")));
        Assert.Equal(first, await new FileSystemImporter(new FileBlobService(store), dirs, new ImportOptions()).ImportAsync(source));
    }
}

public sealed class CorruptBlobTests
{
    [Fact]
    public async Task ExportDetectsARottenBlob()
    {
        using var tmp = new TempDir();
        var store = Path.Combine(tmp.Path, "store");
        var blobs = new FileBlobService(store);
        var digest = await blobs.PutAsync("original"u8.ToArray());
        var hex = digest.ToHex();
        var blobPath = Path.Combine(store, "blobs", hex[..2], hex);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(blobPath));
            File.SetUnixFileMode(blobPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        await File.WriteAllTextAsync(blobPath, "rotten!!");
        var e = await Assert.ThrowsAsync<CAStoreValidationException>(() =>
            new FileSystemExporter(blobs, new MemoryDirectoryService()).ExportAsync(new FileNode(digest, 8, false), Path.Combine(tmp.Path, "out")));
        Assert.Contains("corrupt", e.Message);
    }
}

public sealed class CancellationTests
{
    [Fact]
    public async Task ImportAndExportObserveCancellation()
    {
        using var tmp = new TempDir();
        var source = Path.Combine(tmp.Path, "source");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "f"), "x");
        var blobs = new MemoryBlobService();
        var dirs = new MemoryDirectoryService();
        var cancelled = new CancellationToken(canceled: true);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new FileSystemImporter(blobs, dirs).ImportAsync(source, cancelled));
        var node = await new FileSystemImporter(blobs, dirs).ImportAsync(source);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new FileSystemExporter(blobs, dirs).ExportAsync(node, Path.Combine(tmp.Path, "out"), cancelled));
    }
}

public sealed class RawNameTests
{
    /// <summary>Unix names are bytes: one that is not UTF-8 is exported and imported exactly, not as U+FFFD.</summary>
    [Tvix.Testing.LinuxFact]
    public async Task NamesAndTargetsThatAreNotUtf8SurviveExportAndImport()
    {
        using var tmp = new TempDir();
        var blobs = new MemoryBlobService();
        var dirs = new MemoryDirectoryService();
        byte[] latin1 = [(byte)'c', (byte)'a', (byte)'f', 0xE9];
        byte[] invalid = [0xFF, (byte)'x', 0xC3];
        var file = new FileNode(await blobs.PutAsync("contents"u8.ToArray()), 8, true);
        var sub = new CADirectoryBuilder().Add(latin1, file).Build();
        var root = new CADirectoryBuilder().Add(invalid, sub.ToNode()).Add(latin1, new SymlinkNode(invalid)).Build();
        await dirs.PutAsync(sub);
        await dirs.PutAsync(root);

        var exported = Path.Combine(tmp.Path, "out");
        await new FileSystemExporter(blobs, dirs).ExportAsync(root.ToNode(), exported);
        var imported = await new FileSystemImporter(blobs, dirs).ImportAsync(exported);
        Assert.Equal(root.ToNode(), imported);
        // .NET itself sees the names only as replacement characters: two entries, neither readable by name.
        Assert.All(Directory.GetFileSystemEntries(exported), e => Assert.Contains('\uFFFD', Path.GetFileName(e)));
    }
}
