using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Tvix.NixCompat.Nar;
using Tvix.Testing;

namespace Tvix.NixCompat.Tests;

public sealed class NarTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("tvix-nar-test-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static async Task<byte[]> DumpAsync(string path)
    {
        var output = new MemoryStream();
        await NarDumper.DumpToStreamAsync(path, output);
        return output.ToArray();
    }

    // Into a FileStream: on Linux the direct file-descriptor writer.
    private async Task<byte[]> DumpToFileAsync(string path)
    {
        var file = Path.Join(_temp, Guid.NewGuid().ToString("N") + ".nar");
        await using (var output = File.Create(file))
            await NarDumper.DumpToStreamAsync(path, output);
        return await File.ReadAllBytesAsync(file);
    }

    // The portable dumper (.NET's file API), which other platforms use.
    private static async Task<byte[]> DumpPortableAsync(string path)
    {
        var output = new MemoryStream();
        await using (var writer = new NarWriter(output))
        {
            await ManagedNarDumper.DumpAsync(path, writer, default);
            await writer.CompleteAsync();
        }
        return output.ToArray();
    }

    private static async Task<(NarReadResult Result, NarListingNode Root)> ListAsync(byte[] nar, NixHashAlgorithm? algorithm = null)
    {
        var listing = new NarListingBuilder();
        var result = await NarReader.ReadAsync(new MemoryStream(nar), listing, algorithm);
        return (result, listing.Root!);
    }

    private static string ListingJson(NarListingNode root)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        root.WriteJson(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [SharedFact]
    public async Task CasesDumpRestoreHashAndListLikeNix()
    {
        var count = 0;
        foreach (var jsonFile in Directory.GetFiles(VectorFiles.Path("nar", "cases"), "*.json").Order(StringComparer.Ordinal))
        {
            var c = VectorFiles.Json("nar", "cases", Path.GetFileName(jsonFile));
            var name = c.GetProperty("name").GetString()!;
            var expectedNar = File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(jsonFile)!, c.GetProperty("nar").GetString()!));
            var tree = TestTree.FromJson(c.GetProperty("tree"));

            // The tree written straight to a NarWriter, and the same tree dumped from disk.
            Assert.Equal(expectedNar, await tree.ToNarAsync());
            var onDisk = Path.Join(_temp, name);
            tree.Materialize(onDisk);
            Assert.Equal(expectedNar, await DumpAsync(onDisk));
            Assert.Equal(expectedNar, await DumpToFileAsync(onDisk));
            Assert.Equal(expectedNar, await DumpPortableAsync(onDisk));

            // Reading hashes and sizes it; restoring and dumping again gives the same bytes.
            var (result, root) = await ListAsync(expectedNar, NixHashAlgorithm.Sha256);
            Assert.Equal(c.GetProperty("narSize").GetInt64(), result.Size);
            Assert.Equal(c.GetProperty("narHashNix").GetString(), result.Hash!.ToSri());
            foreach (var h in c.GetProperty("narHash").EnumerateObject())
            {
                var hash = NixHash.Compute(NixHashAlgorithms.Parse(h.Name), expectedNar);
                Assert.Equal(h.Value.GetProperty("nixbase32").GetString(), hash.ToNixBase32());
            }
            var restored = Path.Join(_temp, name + "-restored");
            await NarReader.ReadAsync(new MemoryStream(expectedNar), new NarRestorer(restored));
            Assert.Equal(expectedNar, await DumpAsync(restored));
            var restoredPortably = Path.Join(_temp, name + "-restored-portably");
            await NarReader.ReadAsync(new MemoryStream(expectedNar), new NarRestorer(restoredPortably, portable: true));
            Assert.Equal(expectedNar, await DumpPortableAsync(restoredPortably));

            using (var expectedListing = JsonDocument.Parse(c.GetProperty("nixNarLs").GetRawText()))
            using (var ours = JsonDocument.Parse(ListingJson(root)))
                DerivationTests.AssertJsonEqual(expectedListing.RootElement, ours.RootElement);

            // Store paths of `nix-store --add` and `--add-fixed`.
            var store = StoreDirectory.Default;
            foreach (var p in c.GetProperty("storePaths").EnumerateObject())
            {
                var parts = p.Name.Split('_');
                StorePath path;
                if (p.Name == "add") path = store.MakeSourcePath(name, result.Hash.Digest);
                else if (parts[0] == "addFixedRecursive")
                    path = store.MakeFixedOutputPath(name, NixHash.Compute(NixHashAlgorithms.Parse(parts[1]), expectedNar), recursive: true);
                else
                    path = store.MakeFixedOutputPath(name, NixHash.Compute(NixHashAlgorithms.Parse(parts[1]), ((TestTree.File)tree).Contents), recursive: false);
                Assert.Equal(p.Value.GetString(), store.Print(path));
            }
            count++;
        }
        Assert.Equal(21, count);
    }

    [SharedFact]
    public async Task InvalidNarsAreRejectedWithoutWritingOutsideTheDestination()
    {
        var count = 0;
        foreach (var c in VectorFiles.Json("nar", "invalid", "invalid.json").EnumerateArray())
        {
            Assert.True(c.GetProperty("shouldReject").GetBoolean());
            var bytes = File.ReadAllBytes(VectorFiles.Path("nar", "invalid", c.GetProperty("nar").GetString()!));
            await Assert.ThrowsAsync<NixFormatException>(() => ListAsync(bytes));
            var box = Path.Join(_temp, "box" + count);
            Directory.CreateDirectory(box);
            await Assert.ThrowsAsync<NixFormatException>(() => NarReader.ReadAsync(new MemoryStream(bytes), new NarRestorer(Path.Join(box, "dest"))));
            Assert.All(Directory.GetFileSystemEntries(box), e => Assert.Equal("dest", Path.GetFileName(e)));
            var portableBox = Path.Join(_temp, "portable-box" + count);
            Directory.CreateDirectory(portableBox);
            await Assert.ThrowsAsync<NixFormatException>(() => NarReader.ReadAsync(new MemoryStream(bytes), new NarRestorer(Path.Join(portableBox, "dest"), portable: true)));
            Assert.All(Directory.GetFileSystemEntries(portableBox), e => Assert.Equal("dest", Path.GetFileName(e)));
            count++;
        }
        Assert.Equal(14, count);
    }

    [SharedFact]
    public async Task TvixNarsParseAndListLikeNix()
    {
        var count = 0;
        foreach (var c in VectorFiles.Json("nar", "tvix", "metadata.json").EnumerateArray())
        {
            var bytes = File.ReadAllBytes(VectorFiles.Path("nar", "tvix", c.GetProperty("nar").GetString()!));
            var (result, root) = await ListAsync(bytes, NixHashAlgorithm.Sha256);
            Assert.Equal(c.GetProperty("narSize").GetInt64(), result.Size);
            Assert.Equal(c.GetProperty("narHash").GetProperty("base16").GetString(), result.Hash!.ToBase16());
            using var expected = JsonDocument.Parse(c.GetProperty("nixNarLs").GetRawText());
            using var ours = JsonDocument.Parse(ListingJson(root));
            DerivationTests.AssertJsonEqual(expected.RootElement, ours.RootElement);
            // Reading into a writer reproduces the NAR.
            var copy = new MemoryStream();
            await using (var writer = new NarWriter(copy))
            {
                await NarReader.ReadAsync(new MemoryStream(bytes), writer);
                await writer.CompleteAsync();
            }
            Assert.Equal(bytes, copy.ToArray());
            count++;
        }
        Assert.Equal(6, count);
    }

    [Fact]
    public void RandomTreesSurviveWriteReadWrite() =>
        Prop.ForAll<int>(seed =>
        {
            var nar = TestTree.Random(new Random(seed), 0).ToNarAsync().GetAwaiter().GetResult();
            var copy = new MemoryStream();
            var writer = new NarWriter(copy);
            NarReader.ReadAsync(new MemoryStream(nar), writer).GetAwaiter().GetResult();
            writer.CompleteAsync().AsTask().GetAwaiter().GetResult();
            return copy.ToArray().AsSpan().SequenceEqual(nar);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void RandomTreesRestoreAndDumpToTheSameNar() =>
        Prop.ForAll<int>(seed =>
        {
            var nar = TestTree.Random(new Random(seed), 0).ToNarAsync().GetAwaiter().GetResult();
            var dest = Path.Join(_temp, "r" + seed + "-" + Guid.NewGuid().ToString("N"));
            NarReader.ReadAsync(new MemoryStream(nar), new NarRestorer(dest)).GetAwaiter().GetResult();
            return DumpAsync(dest).GetAwaiter().GetResult().AsSpan().SequenceEqual(nar);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(30));

    [Fact]
    public void ReaderThrowsOnlyFormatErrorsOnCorruptOrTruncatedNars() =>
        Prop.ForAll<int, int, byte>((seed, position, value) =>
        {
            var nar = TestTree.Random(new Random(seed), 0).ToNarAsync().GetAwaiter().GetResult();
            var at = Math.Abs(position % nar.Length);
            var corrupt = (byte[])nar.Clone();
            corrupt[at] ^= value == 0 ? (byte)1 : value;
            foreach (var bytes in new[] { corrupt, nar[..at] })
            {
                try
                {
                    NarReader.ReadAsync(new MemoryStream(bytes), new NarListingBuilder()).GetAwaiter().GetResult();
                }
                catch (NixFormatException)
                {
                }
            }
            return true;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void ReaderThrowsOnlyFormatErrorsOnRandomBytes() =>
        Prop.ForAll<byte[]>(bytes =>
        {
            var withMagic = new byte[8 + 16 + bytes.Length];
            withMagic[0] = 13;
            "nix-archive-1"u8.CopyTo(withMagic.AsSpan(8));
            bytes.CopyTo(withMagic.AsSpan(24));
            foreach (var input in new[] { bytes, withMagic })
            {
                try
                {
                    NarReader.ReadAsync(new MemoryStream(input), new NarListingBuilder()).GetAwaiter().GetResult();
                }
                catch (NixFormatException)
                {
                }
            }
            return true;
        }).QuickCheckThrowOnFailure();

    private static byte[] Nar(params object[] tokens)
    {
        var output = new MemoryStream();
        foreach (var token in tokens)
        {
            var bytes = token as byte[] ?? Encoding.UTF8.GetBytes((string)token);
            output.Write(BitConverter.GetBytes((ulong)bytes.Length));
            output.Write(bytes);
            output.Write(new byte[(8 - bytes.Length % 8) % 8]);
        }
        return output.ToArray();
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("/etc")]
    public async Task TraversalNamesNeverLeaveTheDestination(string name)
    {
        var nar = Nar("nix-archive-1", "(", "type", "directory", "entry", "(", "name", name, "node",
            "(", "type", "regular", "contents", "pwned", ")", ")", ")");
        var box = Path.Join(_temp, "box");
        Directory.CreateDirectory(box);
        await Assert.ThrowsAsync<NixFormatException>(() => NarReader.ReadAsync(new MemoryStream(nar), new NarRestorer(Path.Join(box, "inner", "dest"))));
        Assert.Empty(Directory.GetFiles(_temp, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task SymlinkThenEntryOfTheSameNameIsRejected()
    {
        // A symlink "a" pointing outside, then "a" again as a directory with a file: duplicate names.
        var nar = Nar("nix-archive-1", "(", "type", "directory",
            "entry", "(", "name", "a", "node", "(", "type", "symlink", "target", "/tmp", ")", ")",
            "entry", "(", "name", "a", "node", "(", "type", "directory",
            "entry", "(", "name", "x", "node", "(", "type", "regular", "contents", "pwned", ")", ")", ")", ")", ")");
        var dest = Path.Join(_temp, "dest");
        await Assert.ThrowsAsync<NixFormatException>(() => NarReader.ReadAsync(new MemoryStream(nar), new NarRestorer(dest)));
        Assert.False(File.Exists("/tmp/x") && File.ReadAllText("/tmp/x") == "pwned");
    }

    [Fact]
    public async Task HugeLengthsAreRejectedWithoutAllocating()
    {
        var nar = Nar("nix-archive-1", "(", "type", "symlink", "target");
        var huge = nar.Concat(BitConverter.GetBytes(ulong.MaxValue)).ToArray();
        await Assert.ThrowsAsync<NixFormatException>(() => ListAsync(huge));
        var file = Nar("nix-archive-1", "(", "type", "regular", "contents").Concat(BitConverter.GetBytes(1UL << 40)).ToArray();
        await Assert.ThrowsAsync<NixFormatException>(() => ListAsync(file));
    }

    [Fact]
    public async Task TrailingDataIsRejectedUnlessAllowed()
    {
        var nar = await new TestTree.Link("x").ToNarAsync();
        var withTrailer = nar.Concat(new byte[] { 1, 2, 3 }).ToArray();
        await Assert.ThrowsAsync<NixFormatException>(() => ListAsync(withTrailer));
        var input = new MemoryStream(withTrailer);
        var result = await NarReader.ReadAsync(input, new NarListingBuilder(), allowTrailingData: true);
        Assert.Equal(nar.Length, result.Size);
    }

    [Fact]
    public async Task WriterRefusesUnsortedEntriesAndShortFiles()
    {
        await using var writer = new NarWriter(Stream.Null);
        await writer.BeginDirectoryAsync(default);
        await writer.BeginEntryAsync("b"u8.ToArray(), default);
        await writer.SymlinkAsync("x"u8.ToArray(), default);
        await writer.EndEntryAsync(default);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.BeginEntryAsync("a"u8.ToArray(), default).AsTask());
        await writer.BeginEntryAsync("c"u8.ToArray(), default);
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.RegularFileAsync(false, 10, new MemoryStream(new byte[3]), -1, default).AsTask());
    }

    [Fact]
    public async Task FifosAreRefusedInsteadOfBlocking()
    {
        if (!OperatingSystem.IsLinux()) return;
        var dir = Path.Join(_temp, "withfifo");
        Directory.CreateDirectory(dir);
        var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Join(dir, "pipe"));
        await mkfifo.WaitForExitAsync();
        Assert.Equal(0, mkfifo.ExitCode);
        var e = await Assert.ThrowsAsync<IOException>(() => DumpAsync(dir));
        Assert.Contains("unsupported type", e.Message);
    }

    [Fact]
    public async Task HashingStreamGivesNarHashAndSize()
    {
        var tree = TestTree.Random(new Random(7), 0);
        var nar = await tree.ToNarAsync();
        using var hashing = new HashingStream(NixHashAlgorithm.Sha256);
        await using (var writer = new NarWriter(hashing))
        {
            await tree.WriteToAsync(writer);
            await writer.CompleteAsync();
        }
        Assert.Equal(nar.Length, hashing.BytesWritten);
        Assert.Equal(NixHash.Compute(NixHashAlgorithm.Sha256, nar), hashing.GetHash());
    }
}
