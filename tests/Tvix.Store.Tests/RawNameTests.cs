using Tvix.CAStore;
using Tvix.NixCompat;
using Tvix.NixCompat.Nar;
using Tvix.Testing;

namespace Tvix.Store.Tests;

/// <summary>
/// Names and symlink targets that are not UTF-8 (any bytes but '/' and NUL are valid on Unix, and
/// Nix keeps them) survive export to disk, adding from disk, and dumping, byte for byte.
/// </summary>
public sealed class RawNameTests
{
    private static readonly byte[] Latin1Name = [(byte)'c', (byte)'a', (byte)'f', 0xE9];
    private static readonly byte[] BadLinkName = [(byte)'l', 0xFF, 0xFE];

    /// <summary>A NAR of a directory holding a file and a symlink whose names (and the target) are not UTF-8.</summary>
    private static async Task<byte[]> NarWithRawNamesAsync()
    {
        var output = new MemoryStream();
        await using (var writer = new NarWriter(output))
        {
            await writer.BeginDirectoryAsync(default);
            await writer.BeginEntryAsync(Latin1Name, default);
            await writer.RegularFileAsync(false, "latin-1 name"u8.ToArray());
            await writer.EndEntryAsync(default);
            await writer.BeginEntryAsync(BadLinkName, default);
            await writer.SymlinkAsync(Latin1Name, default);
            await writer.EndEntryAsync(default);
            await writer.EndDirectoryAsync(default);
            await writer.CompleteAsync();
        }
        return output.ToArray();
    }

    [LinuxFact]
    public async Task NamesThatAreNotUtf8RoundTripThroughTheFilesystem()
    {
        using var temp = new TempDir();
        var nar = await NarWithRawNamesAsync();
        var store = TestStore.CreateMemory();
        var imported = await store.ImportNarAsync(StorePath.ParseBaseName("00000000000000000000000000000000-raw"), new MemoryStream(nar));

        var exported = temp.Combine("raw");
        await store.ExportAsync(imported.StorePath, exported);
        var added = await store.AddPathAsync(exported);

        Assert.Equal(imported.Nar, added.Nar);
        Assert.Equal(imported.Node, added.Node);
        var dumped = new MemoryStream();
        await store.DumpAsync(added.StorePath, dumped);
        Assert.Equal(nar, dumped.ToArray());
        var directory = await store.Directories.GetAsync(((DirectoryNode)added.Node).Digest);
        Assert.True(directory!.TryGetNode(BadLinkName, out var link));
        Assert.Equal(Latin1Name, ((SymlinkNode)link).Target.ToArray());
    }
}
