using System.Text;
using Tvix.CAStore;
using Tvix.NixCompat;

namespace Tvix.Store.Tests;

/// <summary>Paths inside store paths are walked as a filesystem walks them, symlinks included.</summary>
public sealed class SymlinkResolutionTests : IDisposable
{
    private readonly TempDir _temp = new();
    private readonly TvixStore _store = TestStore.CreateMemory();

    public void Dispose() => _temp.Dispose();

    private async Task<string> ReadAsync(StorePath path, string subpath)
    {
        using var reader = new StreamReader(await _store.OpenFileAsync(path, subpath));
        return await reader.ReadToEndAsync();
    }

    /// <summary>A store path holding a/b/f ("deep") and symlinks of every kind around it.</summary>
    private async Task<(StorePath Target, StorePath Links)> AddTreesAsync()
    {
        Directory.CreateDirectory(_temp.Combine("target/a/b"));
        File.WriteAllText(_temp.Combine("target/a/b/f"), "deep");
        var target = (await _store.AddPathAsync(_temp.Combine("target"))).StorePath;

        var links = _temp.Combine("links");
        Directory.CreateDirectory(Path.Combine(links, "a/b"));
        File.WriteAllText(Path.Combine(links, "a/b/f"), "mine");
        File.CreateSymbolicLink(Path.Combine(links, "dir"), "a/b");
        File.CreateSymbolicLink(Path.Combine(links, "a/up"), "../a/./b/f");
        File.CreateSymbolicLink(Path.Combine(links, "chain"), "dir");
        File.CreateSymbolicLink(Path.Combine(links, "other"), _store.StoreDirectory.Print(target) + "/a");
        File.CreateSymbolicLink(Path.Combine(links, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(links, "loop2"), "loop1");
        File.CreateSymbolicLink(Path.Combine(links, "outside"), "/etc/passwd");
        File.CreateSymbolicLink(Path.Combine(links, "escape"), "../../x");
        File.CreateSymbolicLink(Path.Combine(links, "missing"), _store.StoreDirectory.Path + "/00000000000000000000000000000000-gone");
        return (target, (await _store.AddPathAsync(links)).StorePath);
    }

    [Fact]
    public async Task SymlinksOnTheWayAreFollowedRelativeToTheirDirectory()
    {
        var (_, links) = await AddTreesAsync();
        Assert.Equal("mine", await ReadAsync(links, "dir/f"));
        Assert.Equal("mine", await ReadAsync(links, "chain/f"));
        Assert.Equal("mine", await ReadAsync(links, "a/up"));
        Assert.IsType<DirectoryNode>(await _store.ResolveAsync(links, "chain/./"));
    }

    [Fact]
    public async Task TheLastSymlinkIsFollowedOnlyWhenAsked()
    {
        var (_, links) = await AddTreesAsync();
        var link = Assert.IsType<SymlinkNode>(await _store.ResolveAsync(links, "dir"));
        Assert.Equal("a/b", Encoding.UTF8.GetString(link.Target.Span));
        Assert.IsType<DirectoryNode>(await _store.ResolveAsync(links, "dir", followFinalSymlink: true));
        Assert.IsType<FileNode>(await _store.ResolveAsync(links, "a/up", followFinalSymlink: true));
    }

    [Fact]
    public async Task AbsoluteTargetsLeadIntoTheStorePathTheyName()
    {
        var (_, links) = await AddTreesAsync();
        Assert.Equal("deep", await ReadAsync(links, "other/b/f"));
        var missing = await Assert.ThrowsAsync<FileNotFoundException>(() => _store.ResolveAsync(links, "missing/x"));
        Assert.Contains("-gone", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStorePathThatIsASymlinkResolvesFromTheStoreDirectory()
    {
        var (target, _) = await AddTreesAsync();
        var root = _temp.Combine("rootlink");
        File.CreateSymbolicLink(root, target.BaseName + "/a/b");
        var rootLink = (await _store.AddPathAsync(root)).StorePath;
        Assert.Equal("deep", await ReadAsync(rootLink, "f"));
        Assert.IsType<SymlinkNode>(await _store.ResolveAsync(rootLink, ""));
    }

    [Fact]
    public async Task LoopsAndWaysOutOfTheStoreAreErrors()
    {
        var (_, links) = await AddTreesAsync();
        var loop = await Assert.ThrowsAsync<IOException>(() => _store.ResolveAsync(links, "loop1/x"));
        Assert.Contains("too many levels of symbolic links", loop.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<IOException>(() => _store.OpenFileAsync(links, "loop2"));
        var outside = await Assert.ThrowsAsync<IOException>(() => _store.OpenFileAsync(links, "outside"));
        Assert.Contains("/etc/passwd", outside.Message, StringComparison.Ordinal);
        var escape = await Assert.ThrowsAsync<IOException>(() => _store.ResolveAsync(links, "escape/y"));
        Assert.Contains("leads out of", escape.Message, StringComparison.Ordinal);
    }
}
