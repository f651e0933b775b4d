using System.Text.Json;
using Tvix.CAStore;
using Tvix.CAStore.Services.FileSystem;
using Tvix.NixCompat.Nar;
using Tvix.NixCompat;
using Tvix.Store.Import;
using Tvix.Store.Nar;
using Tvix.Testing;

namespace Tvix.Store.Tests;

/// <summary>NARs and store paths against what C++ Nix 2.8 produced for the same trees.</summary>
public sealed class NarVectorTests
{
    public static IEnumerable<object[]> Cases => NarVectors.CaseNames();

    [SharedTheory]
    [MemberData(nameof(Cases))]
    public async Task IngestThenRenderIsByteIdentical(string name)
    {
        var expected = NarVectors.Case(name);
        var nar = NarVectors.Nar(name);
        var store = TestStore.CreateMemory();
        var ingested = await new NarIngester(store.Blobs, store.Directories).IngestAsync(new MemoryStream(nar));
        Assert.Equal((ulong)expected.GetProperty("narSize").GetInt64(), ingested.Nar.Size);
        Assert.Equal(expected.GetProperty("narHashNix").GetString(), ingested.Nar.Sha256.ToSri());

        var rendered = new MemoryStream();
        var summary = await new NarRenderer(store.Blobs, store.Directories).WriteNarAsync(ingested.Root, rendered);
        Assert.Equal(nar, rendered.ToArray());
        Assert.Equal(ingested.Nar, summary);
    }

    [SharedTheory]
    [MemberData(nameof(Cases))]
    public async Task RenderingLocalBlobsIntoAFileOrAStreamIsByteIdentical(string name)
    {
        // Local blob files go to a NAR writer as bare handles: kernel-copied into a file, read into a stream.
        var nar = NarVectors.Nar(name);
        using var temp = new TempDir();
        var store = TestStore.Create(new FileBlobService(temp.Combine("castore")), new FileDirectoryService(temp.Combine("castore")));
        var ingested = await new NarIngester(store.Blobs, store.Directories).IngestAsync(new MemoryStream(nar));
        var renderer = new NarRenderer(store.Blobs, store.Directories);

        var inMemory = new MemoryStream();
        await using (var writer = new NarWriter(inMemory))
        {
            await renderer.WriteAsync(ingested.Root, writer);
            await writer.CompleteAsync();
        }
        Assert.Equal(nar, inMemory.ToArray());

        var file = temp.Combine("out.nar");
        await using (var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        await using (var writer = new NarWriter(output))
        {
            await renderer.WriteAsync(ingested.Root, writer);
            await writer.CompleteAsync();
        }
        Assert.Equal(nar, await File.ReadAllBytesAsync(file));
    }

    [SharedTheory]
    [MemberData(nameof(Cases))]
    public async Task ImportNarThenDumpMatchesNix(string name)
    {
        var nar = NarVectors.Nar(name);
        var store = TestStore.CreateMemory();
        var storePath = StorePath.ParseBaseName(Path.GetFileName(NarVectors.Case(name).GetProperty("storePaths").GetProperty("add").GetString()!));
        var info = await store.ImportNarAsync(storePath, new MemoryStream(nar));
        var dumped = new MemoryStream();
        var summary = await store.DumpAsync(storePath, dumped);
        Assert.Equal(nar, dumped.ToArray());
        Assert.Equal(info.Nar, summary);
        Assert.Equal(info.Nar, await store.PathInfos.CalculateNarAsync(info.Node));
    }

    [SharedTheory]
    [MemberData(nameof(Cases))]
    public async Task AddedTreesGetNixStorePaths(string name)
    {
        var vector = NarVectors.Case(name);
        using var temp = new TempDir();
        var path = temp.Combine(name);
        NarVectors.BuildTree(vector.GetProperty("tree"), path);
        var store = TestStore.CreateMemory();

        var checkedCount = 0;
        foreach (var expected in vector.GetProperty("storePaths").EnumerateObject())
        {
            var options = expected.Name switch
            {
                "add" => new AddPathOptions(),
                _ when expected.Name.StartsWith("addFixedRecursive_", StringComparison.Ordinal) =>
                    new AddPathOptions { HashAlgorithm = NixHashAlgorithms.Parse(expected.Name.AsSpan("addFixedRecursive_".Length)) },
                _ when expected.Name.StartsWith("addFixedFlat_", StringComparison.Ordinal) =>
                    new AddPathOptions { Method = ContentAddressMethod.Flat, HashAlgorithm = NixHashAlgorithms.Parse(expected.Name.AsSpan("addFixedFlat_".Length)) },
                _ => throw new InvalidOperationException("unknown storePaths key " + expected.Name),
            };
            var info = await store.AddPathAsync(path, options);
            Assert.Equal(expected.Value.GetString(), store.StoreDirectory.Print(info.StorePath));
            Assert.Equal(vector.GetProperty("narHashNix").GetString(), info.Nar.Sha256.ToSri());
            Assert.Equal((ulong)vector.GetProperty("narSize").GetInt64(), info.Nar.Size);
            if (expected.Name == "add") Assert.Equal(vector.GetProperty("pathInfoCa").GetString(), info.ContentAddress!.ToString());

            var dumped = new MemoryStream();
            await store.DumpAsync(info.StorePath, dumped);
            Assert.Equal(NarVectors.Nar(name), dumped.ToArray());
            checkedCount++;
        }
        Assert.True(checkedCount >= 5);
    }

    public static IEnumerable<object[]> TvixNars()
    {
        if (TestPaths.SharedDir is null) return [["(absent)"]];
        return JsonDocument.Parse(File.ReadAllBytes(TestPaths.Shared("vectors", "nar", "tvix", "metadata.json"))).RootElement
            .EnumerateArray().Select(static e => new object[] { e.GetProperty("nar").GetString()! });
    }

    [SharedTheory]
    [MemberData(nameof(TvixNars))]
    public async Task TvixNarsRoundTrip(string file)
    {
        var meta = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Shared("vectors", "nar", "tvix", "metadata.json"))).RootElement
            .EnumerateArray().Single(e => e.GetProperty("nar").GetString() == file);
        var nar = File.ReadAllBytes(TestPaths.Shared("vectors", "nar", "tvix", file));
        var store = TestStore.CreateMemory();
        var ingested = await new NarIngester(store.Blobs, store.Directories).IngestAsync(new MemoryStream(nar));
        Assert.Equal((ulong)meta.GetProperty("narSize").GetInt64(), ingested.Nar.Size);
        Assert.Equal(meta.GetProperty("narHash").GetProperty("sri").GetString(), ingested.Nar.Sha256.ToSri());
        var rendered = new MemoryStream();
        await new NarRenderer(store.Blobs, store.Directories).WriteNarAsync(ingested.Root, rendered);
        Assert.Equal(nar, rendered.ToArray());
    }

    public static IEnumerable<object[]> InvalidNars()
    {
        if (TestPaths.SharedDir is null) return [["(absent)"]];
        return JsonDocument.Parse(File.ReadAllBytes(TestPaths.Shared("vectors", "nar", "invalid", "invalid.json"))).RootElement
            .EnumerateArray().Select(static e => new object[] { e.GetProperty("nar").GetString()! });
    }

    [SharedTheory]
    [MemberData(nameof(InvalidNars))]
    public async Task InvalidNarsAreRejectedAndNothingIsStored(string file)
    {
        var nar = File.ReadAllBytes(TestPaths.Shared("vectors", "nar", "invalid", file));
        var store = TestStore.CreateMemory();
        var storePath = StorePath.ParseBaseName("00000000000000000000000000000000-invalid");
        var error = await Assert.ThrowsAnyAsync<Exception>(() => store.ImportNarAsync(storePath, new MemoryStream(nar)));
        Assert.True(error is NixFormatException or CAStoreValidationException or EndOfStreamException, error.GetType() + ": " + error.Message);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Null(await store.GetPathInfoAsync(storePath));
        Assert.Equal(0, await TestStore.CountPathInfosAsync(store));
    }

    [SharedFact]
    public async Task TruncatedNarsAreRejectedAtEveryLength()
    {
        var nar = NarVectors.Nar("directory-mixed");
        var store = TestStore.CreateMemory();
        var storePath = StorePath.ParseBaseName("00000000000000000000000000000000-truncated");
        for (var length = 0; length < nar.Length; length += 7)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => store.ImportNarAsync(storePath, new MemoryStream(nar, 0, length)));
        }
        Assert.Equal(0, await TestStore.CountPathInfosAsync(store));
    }

    [SharedFact]
    public async Task TextPathsMatchNix()
    {
        var vectors = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Shared("vectors", "storepaths", "text.json"))).RootElement.GetProperty("cases");
        var store = TestStore.CreateMemory();
        var count = 0;
        foreach (var c in vectors.EnumerateArray())
        {
            var references = c.GetProperty("references").EnumerateArray().Select(r => store.StoreDirectory.ParsePath(r.GetString()!)).ToArray();
            foreach (var reference in references)
                if (await store.GetPathInfoAsync(reference) is null) await store.AddTextAsync(reference.Name, "ref"u8.ToArray());
            var info = await store.AddTextAsync(c.GetProperty("name").GetString()!, System.Text.Encoding.UTF8.GetBytes(c.GetProperty("content").GetString()!), references);
            Assert.Equal(c.GetProperty("path").GetString(), store.StoreDirectory.Print(info.StorePath));
            Assert.Equal(references.Order().ToArray(), info.References.ToArray());
            var read = await store.OpenFileAsync(info.StorePath, "");
            Assert.Equal(c.GetProperty("content").GetString(), new StreamReader(read).ReadToEnd());
            count++;
        }
        Assert.True(count > 3);
    }
}
