using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.CAStore.Services.Memory;
using Tvix.NixCompat;
using Tvix.Store.Nar;
using Tvix.Store.Services;

namespace Tvix.Store.Tests;

/// <summary>The behaviour every <see cref="IPathInfoService"/> backend shares; each backend derives a class from this one.</summary>
public abstract class PathInfoServiceTests
{
    protected readonly IBlobService Blobs = new MemoryBlobService();
    protected readonly IDirectoryService Directories = new MemoryDirectoryService();

    protected abstract IPathInfoService CreateService();

    private static StorePath MakePath(string name) => StoreDirectory.Default.MakeTextPathFromContents(name, System.Text.Encoding.UTF8.GetBytes(name), []);

    private async Task<PathInfo> FileInfoAsync(string name, string contents)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(contents);
        var digest = await Blobs.PutAsync(bytes);
        var node = new FileNode(digest, (ulong)bytes.Length, false);
        var nar = await new NarCalculator(Blobs, Directories).CalculateAsync(node);
        return new PathInfo(MakePath(name), node, nar);
    }

    private async Task<PathInfo> TreeInfoAsync(string name)
    {
        var inner = new CADirectoryBuilder().Add("f", new FileNode(await Blobs.PutAsync("inner"u8.ToArray()), 5, true)).Build();
        var root = new CADirectoryBuilder()
            .Add("a", inner.ToNode())
            .Add("b", new FileNode(await Blobs.PutAsync("b"u8.ToArray()), 1, false))
            .Add("l", new SymlinkNode("a/f"u8)).Build();
        var putter = Directories.CreatePutter();
        await putter.PutAsync(inner);
        await putter.PutAsync(root);
        await putter.CloseAsync();
        var nar = await new NarCalculator(Blobs, Directories).CalculateAsync(root.ToNode());
        return new PathInfo(MakePath(name), root.ToNode(), nar, [MakePath("dep")]);
    }

    [Fact]
    public async Task GetOfAnUnknownPathIsNull() =>
        Assert.Null(await CreateService().GetAsync(MakePath("nothing").Digest.ToArray()));

    [Fact]
    public async Task GetRejectsDigestsOfTheWrongLength() =>
        await Assert.ThrowsAsync<ArgumentException>(async () => await CreateService().GetAsync(new byte[32]));

    [Fact]
    public async Task PutThenGetRoundTripsAFile()
    {
        var service = CreateService();
        var info = await FileInfoAsync("hello", "hello world");
        await service.PutAsync(info);
        var back = await service.GetAsync(info.StorePath.Digest.ToArray());
        Assert.NotNull(back);
        Assert.Equal(info.StorePath, back.StorePath);
        Assert.Equal(info.Node, back.Node);
        Assert.Equal(info.Nar, back.Nar);
    }

    [Fact]
    public async Task PutThenGetRoundTripsATreeWithReferences()
    {
        var service = CreateService();
        var info = await TreeInfoAsync("tree");
        await service.PutAsync(info);
        var back = await service.GetAsync(info.StorePath.Digest.ToArray());
        Assert.Equal(info.Node, back!.Node);
        Assert.Equal(info.References, back.References);
    }

    [Fact]
    public async Task ListReturnsEveryPathPut()
    {
        var service = CreateService();
        var put = new List<StorePath>();
        for (var i = 0; i < 5; i++) put.Add((await service.PutAsync(await FileInfoAsync("p" + i, "contents " + i))).StorePath);
        var listed = new List<StorePath>();
        await foreach (var info in service.ListAsync()) listed.Add(info.StorePath);
        Assert.Equal(put.Order(), listed.Order());
    }

    [Fact]
    public async Task PutReplacesAnEarlierPathInfo()
    {
        var service = CreateService();
        var info = await FileInfoAsync("same", "x");
        await service.PutAsync(info);
        var signed = new PathInfo(info.StorePath, info.Node, info.Nar) { Signatures = [new PathSignature("k-1", new byte[64])] };
        await service.PutAsync(signed);
        var back = await service.GetAsync(info.StorePath.Digest.ToArray());
        Assert.Single(back!.Signatures);
        var count = 0;
        await foreach (var _ in service.ListAsync()) count++;
        Assert.Equal(1, count);
    }

    [Fact]
    public async Task PutRefusesAMissingBlob()
    {
        var service = CreateService();
        var node = new FileNode(B3Digest.Compute("never stored"u8), 12, false);
        var info = new PathInfo(MakePath("missing"), node, new NarSummary(1, NixHash.Compute(NixHashAlgorithm.Sha256, ""u8)));
        var error = await Assert.ThrowsAsync<MissingContentException>(async () => await service.PutAsync(info));
        Assert.Contains("is not in the castore", error.Message, StringComparison.Ordinal);
        Assert.Null(await service.GetAsync(info.StorePath.Digest.ToArray()));
    }

    [Fact]
    public async Task PutRefusesAMissingDirectory()
    {
        var service = CreateService();
        var node = new DirectoryNode(B3Digest.Compute("no such directory"u8), 3);
        var info = new PathInfo(MakePath("missing-dir"), node, new NarSummary(1, NixHash.Compute(NixHashAlgorithm.Sha256, ""u8)));
        await Assert.ThrowsAsync<MissingContentException>(async () => await service.PutAsync(info));
        Assert.Null(await service.GetAsync(info.StorePath.Digest.ToArray()));
    }

    [Fact]
    public async Task PutRefusesATreeWithAMissingBlobInside()
    {
        var service = CreateService();
        var root = new CADirectoryBuilder().Add("gone", new FileNode(B3Digest.Compute("absent"u8), 6, false)).Build();
        await Directories.PutAsync(root);
        var info = new PathInfo(MakePath("holey"), root.ToNode(), new NarSummary(1, NixHash.Compute(NixHashAlgorithm.Sha256, ""u8)));
        var error = await Assert.ThrowsAsync<MissingContentException>(async () => await service.PutAsync(info));
        Assert.Contains("blob", error.Message, StringComparison.Ordinal);
        Assert.Null(await service.GetAsync(info.StorePath.Digest.ToArray()));
    }

    [Fact]
    public async Task PutRefusesATreeWithAMissingSubdirectory()
    {
        var service = CreateService();
        var child = new CADirectoryBuilder().Add("x", new SymlinkNode("y"u8)).Build();
        var root = new CADirectoryBuilder().Add("child", child.ToNode()).Build();
        await Directories.PutAsync(root); // the child is never stored
        var info = new PathInfo(MakePath("holey-dir"), root.ToNode(), new NarSummary(1, NixHash.Compute(NixHashAlgorithm.Sha256, ""u8)));
        await Assert.ThrowsAsync<MissingContentException>(async () => await service.PutAsync(info));
        Assert.Null(await service.GetAsync(info.StorePath.Digest.ToArray()));
    }

    [Fact]
    public async Task CalculateNarMatchesTheRenderedNar()
    {
        var service = CreateService();
        var info = await TreeInfoAsync("calc");
        var rendered = new MemoryStream();
        await new NarRenderer(Blobs, Directories).WriteNarAsync(info.Node, rendered);
        var expected = new NarSummary((ulong)rendered.Length, NixHash.Compute(NixHashAlgorithm.Sha256, rendered.ToArray()));
        Assert.Equal(expected, await service.CalculateNarAsync(info.Node));
        Assert.Equal(expected, await service.CalculateNarAsync(info.Node)); // remembered
        await Assert.ThrowsAsync<MissingContentException>(async () => await service.CalculateNarAsync(new FileNode(B3Digest.Compute("?"u8), 1, false)));
    }

    [Fact]
    public async Task ConcurrentPutsAllLand()
    {
        var service = CreateService();
        var infos = new List<PathInfo>();
        for (var i = 0; i < 32; i++) infos.Add(await FileInfoAsync("c" + i, "c" + i));
        await Parallel.ForEachAsync(infos, async (info, ct) => await service.PutAsync(info, ct));
        foreach (var info in infos) Assert.NotNull(await service.GetAsync(info.StorePath.Digest.ToArray()));
    }
}

public sealed class MemoryPathInfoServiceTests : PathInfoServiceTests
{
    protected override IPathInfoService CreateService() => new MemoryPathInfoService(Blobs, Directories);
}

public sealed class FilePathInfoServiceTests : PathInfoServiceTests, IDisposable
{
    private readonly TempDir _temp = new();

    protected override IPathInfoService CreateService() => new FilePathInfoService(_temp.Combine("pathinfo"), Blobs, Directories);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PathInfosPersistAcrossInstancesAsOneFilePerPath()
    {
        var digest = await Blobs.PutAsync("persist"u8.ToArray());
        var node = new FileNode(digest, 7, false);
        var nar = await CreateService().CalculateNarAsync(node);
        var path = StoreDirectory.Default.MakeTextPathFromContents("persist", "persist"u8, []);
        await CreateService().PutAsync(new PathInfo(path, node, nar));
        Assert.Equal(node, (await CreateService().GetAsync(path.Digest.ToArray()))!.Node);
        Assert.True(File.Exists(_temp.Combine(Path.Combine("pathinfo", path.HashPart))));
        Assert.Empty(Directory.EnumerateFiles(_temp.Combine(Path.Combine("pathinfo", "tmp"))));
    }

    [Fact]
    public async Task CorruptFilesAreReportedWithTheirPath()
    {
        var path = StoreDirectory.Default.MakeTextPathFromContents("corrupt", "corrupt"u8, []);
        Directory.CreateDirectory(_temp.Combine("pathinfo"));
        await File.WriteAllBytesAsync(_temp.Combine(Path.Combine("pathinfo", path.HashPart)), [1, 2, 3, 4]);
        var error = await Assert.ThrowsAsync<PathInfoValidationException>(async () => await CreateService().GetAsync(path.Digest.ToArray()));
        Assert.Contains(path.HashPart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileUnderAnotherPathsNameIsRejected()
    {
        var digest = await Blobs.PutAsync("a"u8.ToArray());
        var node = new FileNode(digest, 1, false);
        var nar = await CreateService().CalculateNarAsync(node);
        var a = StoreDirectory.Default.MakeTextPathFromContents("a", "a"u8, []);
        var b = StoreDirectory.Default.MakeTextPathFromContents("b", "b"u8, []);
        await CreateService().PutAsync(new PathInfo(a, node, nar));
        File.Copy(_temp.Combine(Path.Combine("pathinfo", a.HashPart)), _temp.Combine(Path.Combine("pathinfo", b.HashPart)));
        await Assert.ThrowsAsync<PathInfoValidationException>(async () => await CreateService().GetAsync(b.Digest.ToArray()));
    }
}
