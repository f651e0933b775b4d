using Microsoft.Extensions.DependencyInjection;
using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.NixCompat;
using Tvix.Store.Import;
using Tvix.Store.Services;
using Tvix.Testing;

namespace Tvix.Store.Tests;

public sealed class TvixStoreTests
{
    [Fact]
    public async Task AStorePathWithTheSameDigestButAnotherNameIsNotHeld()
    {
        var store = TestStore.CreateMemory();
        var held = StorePath.ParseBaseName("00000000000000000000000000000000-held");
        var info = await store.AddTextAsync("x", "x"u8.ToArray());
        await store.PathInfos.PutAsync(new PathInfo(held, info.Node, info.Nar));
        Assert.NotNull(await store.GetPathInfoAsync(held));
        Assert.Null(await store.GetPathInfoAsync(StorePath.ParseBaseName("00000000000000000000000000000000-other")));
    }

    [Fact]
    public async Task ContainsPathAnswersForMemoryAndFileStores()
    {
        using var temp = new TempDir();
        var file = StoreServiceFactory.CreateStore(new StoreOptions
        {
            BlobServiceUrl = "file://" + temp.Combine("castore"),
            DirectoryServiceUrl = "file://" + temp.Combine("castore"),
            PathInfoServiceUrl = "file://" + temp.Combine("pathinfo"),
        });
        Assert.IsType<FilePathInfoService>(file.PathInfos);
        foreach (var store in new[] { TestStore.CreateMemory(), file })
        {
            var info = await store.AddTextAsync("x", "x"u8.ToArray());
            Assert.True(await store.ContainsPathAsync(info.StorePath));
            var absent = StorePath.ParseBaseName("00000000000000000000000000000000-x");
            Assert.False(await store.ContainsPathAsync(absent));
            await store.PathInfos.PutAsync(new PathInfo(absent, info.Node, info.Nar));
            Assert.True(await store.ContainsPathAsync(absent));
        }
        // A new store over the same files sees what the first one stored.
        var again = StoreServiceFactory.CreateStore(new StoreOptions
        {
            BlobServiceUrl = "file://" + temp.Combine("castore"),
            DirectoryServiceUrl = "file://" + temp.Combine("castore"),
            PathInfoServiceUrl = "file://" + temp.Combine("pathinfo"),
        });
        Assert.True(await again.ContainsPathAsync(StorePath.ParseBaseName("00000000000000000000000000000000-x")));
    }

    [Fact]
    public async Task FilterLeavesEntriesOutAndChangesThePath()
    {
        using var temp = new TempDir();
        var root = temp.Combine("src");
        Directory.CreateDirectory(Path.Combine(root, "keep"));
        Directory.CreateDirectory(Path.Combine(root, ".git"));
        File.WriteAllText(Path.Combine(root, "keep", "a"), "a");
        File.WriteAllText(Path.Combine(root, ".git", "HEAD"), "ref");
        var store = TestStore.CreateMemory();
        var seen = new List<(string, PathEntryType)>();
        var filtered = await store.AddPathAsync(root, new AddPathOptions
        {
            Name = "source",
            Filter = (path, type) =>
            {
                seen.Add((path, type));
                return Path.GetFileName(path) != ".git";
            },
        });
        Directory.Delete(Path.Combine(root, ".git"), recursive: true);
        var plain = await store.AddPathAsync(root, new AddPathOptions { Name = "source" });
        Assert.Equal(plain.StorePath, filtered.StorePath);
        Assert.Contains((Path.Combine(root, ".git"), PathEntryType.Directory), seen);
        Assert.Contains((Path.Combine(root, "keep", "a"), PathEntryType.Regular), seen);
        Assert.DoesNotContain(seen, s => s.Item1.EndsWith("HEAD", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExpectedHashIsChecked()
    {
        using var temp = new TempDir();
        File.WriteAllText(temp.Combine("f"), "contents");
        var store = TestStore.CreateMemory();
        var wrong = NixHash.Compute(NixHashAlgorithm.Sha256, "other"u8);
        var error = await Assert.ThrowsAsync<NixFormatException>(() => store.AddPathAsync(temp.Combine("f"), new AddPathOptions { ExpectedHash = wrong }));
        Assert.Contains("hash mismatch", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await TestStore.CountPathInfosAsync(store));
    }

    [Fact]
    public async Task BadNamesAndFlatDirectoriesAreRefusedBeforeAnythingIsStored()
    {
        using var temp = new TempDir();
        Directory.CreateDirectory(temp.Combine("dir"));
        var store = TestStore.CreateMemory();
        await Assert.ThrowsAsync<ArgumentException>(() => store.AddPathAsync(temp.Combine("dir"), new AddPathOptions { Name = "bad name" }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AddPathAsync(temp.Combine("dir"), new AddPathOptions { Method = ContentAddressMethod.Flat }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.AddTextAsync("a/b", "x"u8.ToArray()));
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.AddPathAsync(temp.Combine("missing")));
        Assert.Equal(0, await TestStore.CountPathInfosAsync(store));
    }

    [Fact]
    public async Task ImportNarChecksTheContentAddressAndNarHash()
    {
        var source = TestStore.CreateMemory();
        var text = await source.AddTextAsync("t", "hello"u8.ToArray());
        var nar = new MemoryStream();
        await source.DumpAsync(text.StorePath, nar);

        var target = TestStore.CreateMemory();
        var wrongPath = StorePath.ParseBaseName("00000000000000000000000000000000-t");
        await Assert.ThrowsAsync<NixFormatException>(() => target.ImportNarAsync(wrongPath, new MemoryStream(nar.ToArray()), new ImportNarOptions { ContentAddress = text.ContentAddress }));
        await Assert.ThrowsAsync<NixFormatException>(() => target.ImportNarAsync(text.StorePath, new MemoryStream(nar.ToArray()),
            new ImportNarOptions { ExpectedNarHash = NixHash.Compute(NixHashAlgorithm.Sha256, "x"u8) }));
        Assert.Equal(0, await TestStore.CountPathInfosAsync(target));
        var imported = await target.ImportNarAsync(text.StorePath, new MemoryStream(nar.ToArray()),
            new ImportNarOptions { ContentAddress = text.ContentAddress, ExpectedNarHash = text.Nar.Sha256 });
        Assert.Equal(text.Node, imported.Node);
    }

    [SharedFact]
    public async Task ImportNarVerifiesEveryKindOfContentAddress()
    {
        // A 'nix-store --add-fixed [--recursive] ALGO' path for each method and algorithm, imported from Nix's own NAR.
        var vector = NarVectors.Case("regular-hello");
        var nar = NarVectors.Nar("regular-hello");
        var checkedCount = 0;
        foreach (var expected in vector.GetProperty("storePaths").EnumerateObject())
        {
            if (expected.Name == "add") continue;
            var flat = expected.Name.StartsWith("addFixedFlat_", StringComparison.Ordinal);
            var algorithm = NixHashAlgorithms.Parse(expected.Name.AsSpan(expected.Name.IndexOf('_') + 1));
            var store = TestStore.CreateMemory();
            var storePath = store.StoreDirectory.ParsePath(expected.Value.GetString()!);
            var contentHash = flat
                ? NixHash.Compute(algorithm, Convert.FromBase64String(vector.GetProperty("tree").GetProperty("contentsBase64").GetString()!))
                : NixHash.Compute(algorithm, nar);
            var ca = new ContentAddress(flat ? ContentAddressMethod.Flat : ContentAddressMethod.Recursive, contentHash);
            var info = await store.ImportNarAsync(storePath, new MemoryStream(nar), new ImportNarOptions { ContentAddress = ca });
            Assert.Equal(ca, info.ContentAddress);

            // The same path with a content address whose hash does not fit the contents is refused.
            var wrong = new ContentAddress(ca.Method, NixHash.Compute(algorithm, "not the contents"u8));
            var other = TestStore.CreateMemory();
            await Assert.ThrowsAsync<NixFormatException>(() => other.ImportNarAsync(wrong.ComputeStorePath(storePath.Name, other.StoreDirectory), new MemoryStream(nar),
                new ImportNarOptions { ContentAddress = wrong }));
            Assert.Equal(0, await TestStore.CountPathInfosAsync(other));
            checkedCount++;
        }
        Assert.Equal(8, checkedCount);
    }

    [Fact]
    public async Task ResolveWalksSubpathsAndRefusesDotDot()
    {
        using var temp = new TempDir();
        Directory.CreateDirectory(temp.Combine("t/a/b"));
        File.WriteAllText(temp.Combine("t/a/b/f"), "deep");
        var store = TestStore.CreateMemory();
        var info = await store.AddPathAsync(temp.Combine("t"));
        using (var reader = new StreamReader(await store.OpenFileAsync(info.StorePath, "a/b/f")))
            Assert.Equal("deep", await reader.ReadToEndAsync());
        Assert.IsType<DirectoryNode>(await store.ResolveAsync(info.StorePath, "a/./b/"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ResolveAsync(info.StorePath, "a/../a"));
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.ResolveAsync(info.StorePath, "a/nope"));
        await Assert.ThrowsAsync<FileNotFoundException>(() => store.ResolveAsync(info.StorePath, "a/b/f/g"));
        await Assert.ThrowsAsync<IOException>(() => store.OpenFileAsync(info.StorePath, "a"));
        var (parsed, subpath) = store.ParsePathWithSubpath(store.StoreDirectory.Print(info.StorePath) + "/a/b");
        Assert.Equal(info.StorePath, parsed);
        Assert.Equal("a/b", subpath);
        Assert.Throws<NixFormatException>(() => store.ParsePathWithSubpath("/elsewhere/x"));
    }

    [Fact]
    public async Task ExportMaterialisesTheTree()
    {
        using var temp = new TempDir();
        Directory.CreateDirectory(temp.Combine("t"));
        File.WriteAllText(temp.Combine("t/f"), "f");
        var store = TestStore.CreateMemory();
        var info = await store.AddPathAsync(temp.Combine("t"));
        await store.ExportAsync(info.StorePath, temp.Combine("out"));
        Assert.Equal("f", File.ReadAllText(temp.Combine("out/f")));
    }

    [Fact]
    public async Task DependencyInjectionWiresTheWholeStore()
    {
        using var temp = new TempDir();
        var services = new ServiceCollection().AddTvixStore(o =>
        {
            o.BlobServiceUrl = "file://" + temp.Combine("castore");
            o.DirectoryServiceUrl = "file://" + temp.Combine("castore");
            o.PathInfoServiceUrl = "file://" + temp.Combine("pathinfo");
            o.StoreDirectory = "/tvix/store";
        }).BuildServiceProvider();
        var store = services.GetRequiredService<TvixStore>();
        Assert.Same(services.GetRequiredService<IPathInfoService>(), store.PathInfos);
        Assert.Same(services.GetRequiredService<IBlobService>(), store.Blobs);
        Assert.IsType<FilePathInfoService>(store.PathInfos);
        var info = await store.AddTextAsync("hello", "hi"u8.ToArray());
        Assert.StartsWith("/tvix/store/", store.StoreDirectory.Print(info.StorePath), StringComparison.Ordinal);

        var again = StoreServiceFactory.CreateStore(new StoreOptions
        {
            BlobServiceUrl = "file://" + temp.Combine("castore"),
            DirectoryServiceUrl = "file://" + temp.Combine("castore"),
            PathInfoServiceUrl = "file://" + temp.Combine("pathinfo"),
            StoreDirectory = "/tvix/store",
        });
        Assert.NotNull(await again.GetPathInfoAsync(info.StorePath));
    }

    [Theory]
    [InlineData("")]
    [InlineData("nope://x")]
    [InlineData("file://relative")]
    [InlineData("memory://host")]
    [InlineData("file:///x?y")]
    public void BadUrlsAreRefusedWithTheAcceptedForms(string url)
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddTvixStore(o => o.PathInfoServiceUrl = url));
        Assert.Contains("memory://", error.Message, StringComparison.Ordinal);
    }
}
