using System.Text.Json;
using Tvix.NixCompat;
using Tvix.NixCompat.BinaryCache;
using Tvix.Testing;

namespace Tvix.Store.Tests;

/// <summary>Binary-cache entries written by Nix 2.8 become path infos (and back) with the same fingerprint and signatures.</summary>
public sealed class NarInfoBridgeTests
{
    public static IEnumerable<object[]> NarInfos()
    {
        if (TestPaths.SharedDir is null) return [["(absent)"]];
        return Directory.EnumerateFiles(TestPaths.Shared("vectors", "narinfo", "nix28", "cache-none"), "*.narinfo")
            .Order(StringComparer.Ordinal).Select(static f => new object[] { Path.GetFileName(f) });
    }

    [SharedTheory]
    [MemberData(nameof(NarInfos))]
    public async Task CacheEntriesImportWithTheirMetadata(string file)
    {
        var cache = TestPaths.Shared("vectors", "narinfo", "nix28", "cache-none");
        var narInfo = NarInfo.Parse(await File.ReadAllTextAsync(Path.Combine(cache, file)));
        var expected = JsonDocument.Parse(await File.ReadAllBytesAsync(TestPaths.Shared("vectors", "narinfo", "nix28", "cases.json"))).RootElement
            .GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("cache").GetString() == "cache-none" && c.GetProperty("narinfo").GetString() == file);

        var store = TestStore.CreateMemory();
        await using var nar = File.OpenRead(Path.Combine(cache, narInfo.Url));
        var ingested = await new Nar.NarIngester(store.Blobs, store.Directories).IngestAsync(nar);
        Assert.Equal(narInfo.NarHash, ingested.Nar.Sha256);
        Assert.Equal((ulong)narInfo.NarSize, ingested.Nar.Size);

        var pathInfo = narInfo.ToPathInfo(ingested.Root);
        await store.PathInfos.PutAsync(pathInfo);
        var stored = (await store.GetPathInfoAsync(narInfo.StorePath))!;
        Assert.Equal(expected.GetProperty("fingerprint").GetString(), stored.Fingerprint(StoreDirectory.Default));
        Assert.Equal(narInfo.Fingerprint(), stored.Fingerprint(StoreDirectory.Default));
        Assert.Equal(narInfo.Signatures, stored.Signatures.Select(s => s.ToString()));
        Assert.Equal(narInfo.Deriver, stored.Deriver);
        Assert.Equal(narInfo.ContentAddress ?? "", stored.ContentAddress?.ToString() ?? "");

        var back = stored.ToNarInfo();
        Assert.Equal(narInfo.Fingerprint(), back.Fingerprint());
        Assert.Equal(narInfo.Signatures, back.Signatures);
        Assert.Equal(narInfo.References, back.References);
    }
}
