using Tvix.CAStore.Services;

namespace Tvix.CAStore.Tests.Services;

/// <summary>The behaviour every <see cref="IDirectoryService"/> backend shares; a backend's test class derives from this.</summary>
public abstract class DirectoryServiceTests : IDisposable
{
    protected abstract IDirectoryService CreateService();

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

    private static readonly FileNode Keep = new(B3Digest.Empty, 0, false);

    /// <summary>A diamond: root has "a" and "b", which both contain the same "leaf" directory.</summary>
    internal static (CADirectory Leaf, CADirectory A, CADirectory B, CADirectory Root) Diamond()
    {
        var leaf = new CADirectoryBuilder().Add(".keep", Keep).Build();
        var a = new CADirectoryBuilder().Add("leaf", leaf.ToNode()).Add("f", new FileNode(B3Digest.Compute("x"u8), 1, true)).Build();
        var b = new CADirectoryBuilder().Add("leaf", leaf.ToNode()).Add("l", new SymlinkNode("../a"u8)).Build();
        var root = new CADirectoryBuilder().Add("a", a.ToNode()).Add("b", b.ToNode()).Add("empty", CADirectory.Empty.ToNode()).Build();
        return (leaf, a, b, root);
    }

    [Fact]
    public async Task MissingDirectoryIsAbsent()
    {
        var service = CreateService();
        Assert.Null(await service.GetAsync(B3Digest.Compute("nope"u8)));
        await foreach (var _ in service.GetRecursiveAsync(B3Digest.Compute("nope"u8))) Assert.Fail("nothing should be yielded");
    }

    [Fact]
    public async Task PutThenGet()
    {
        var service = CreateService();
        var (_, a, _, _) = Diamond();
        Assert.Equal(a.Digest, await service.PutAsync(a));
        var back = await service.GetAsync(a.Digest);
        Assert.NotNull(back);
        Assert.Equal(a.Encode(), back.Encode());
        Assert.Equal(CADirectory.Empty.Digest, await service.PutAsync(CADirectory.Empty));
        Assert.Empty((await service.GetAsync(CADirectory.Empty.Digest))!.Entries);
    }

    [Fact]
    public async Task PutterStoresATreeAndGetRecursiveYieldsItRootFirst()
    {
        var service = CreateService();
        var (leaf, a, b, root) = Diamond();
        var putter = service.CreatePutter();
        foreach (var d in new[] { leaf, a, CADirectory.Empty, leaf, b, root }) await putter.PutAsync(d);
        Assert.Equal(root.Digest, await putter.CloseAsync());

        var seen = new List<B3Digest>();
        await foreach (var d in service.GetRecursiveAsync(root.Digest)) seen.Add(d.Digest);
        Assert.Equal(root.Digest, seen[0]);
        Assert.Equal(5, seen.Count);
        Assert.Equal(5, seen.Distinct().Count());
        Assert.Contains(leaf.Digest, seen);
        // Breadth-first: every parent comes before its children.
        Assert.True(seen.IndexOf(a.Digest) < seen.IndexOf(leaf.Digest));
        Assert.True(seen.IndexOf(b.Digest) < seen.IndexOf(leaf.Digest));
    }

    [Fact]
    public async Task PutterRejectsAParentBeforeItsChildren()
    {
        var service = CreateService();
        var (leaf, a, _, _) = Diamond();
        var putter = service.CreatePutter();
        await Assert.ThrowsAsync<CAStoreValidationException>(async () => await putter.PutAsync(a));
        Assert.Null(await service.GetAsync(a.Digest));
        await putter.PutAsync(leaf);
        await putter.PutAsync(a);
        Assert.Equal(a.Digest, await putter.CloseAsync());
    }

    [Fact]
    public async Task PutterRejectsAWrongChildSize()
    {
        var service = CreateService();
        var (leaf, _, _, _) = Diamond();
        var liar = new CADirectoryBuilder().Add("leaf", new DirectoryNode(leaf.Digest, leaf.Size + 1)).Build();
        var putter = service.CreatePutter();
        await putter.PutAsync(leaf);
        var e = await Assert.ThrowsAsync<CAStoreValidationException>(async () => await putter.PutAsync(liar));
        Assert.Contains("size", e.Message);
    }

    [Fact]
    public async Task PutterRejectsDisconnectedAndEmptySessions()
    {
        var service = CreateService();
        var (leaf, _, b, _) = Diamond();
        var putter = service.CreatePutter();
        await putter.PutAsync(CADirectory.Empty);
        await putter.PutAsync(leaf);
        await putter.PutAsync(b);
        await Assert.ThrowsAsync<CAStoreValidationException>(async () => await putter.CloseAsync());
        await Assert.ThrowsAsync<CAStoreValidationException>(async () => await service.CreatePutter().CloseAsync());
    }

    [Fact]
    public async Task GetRecursiveReportsAMissingChild()
    {
        var service = CreateService();
        var (_, a, _, _) = Diamond();
        await service.PutAsync(a); // without its "leaf" child
        await Assert.ThrowsAsync<CAStoreValidationException>(async () =>
        {
            await foreach (var _ in service.GetRecursiveAsync(a.Digest))
            {
            }
        });
    }
}
