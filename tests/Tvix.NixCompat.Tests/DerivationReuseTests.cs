using System.Security.Cryptography;
using Tvix.NixCompat.Derivations;

namespace Tvix.NixCompat.Tests;

/// <summary>
/// A derivation that is cleared and refilled (as the evaluator's <c>derivationStrict</c> does for
/// thousands of derivations) instantiates exactly like a new one, although it keeps its working
/// buffers, output name sets and output keys from the previous round.
/// </summary>
public sealed class DerivationReuseTests
{
    private static readonly StoreDirectory Store = StoreDirectory.Default;

    /// <summary>A stand-in hash modulo per input path (what a host would have computed).</summary>
    private static DerivationHashModulo FakeHash(StorePath path) =>
        new(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(path.BaseName)), isDeferred: false);

    private static StorePath Input(int i) => Store.ParsePath($"/nix/store/{NixBase32.Encode(SHA256.HashData([(byte)i]).AsSpan(0, 20))}-in{i}.drv");

    /// <summary>Fills a derivation with outputs, inputs (through AddInputDerivationOutput) and variables that vary with <paramref name="seed"/>.</summary>
    private static void Fill(Derivation drv, int seed)
    {
        var outputs = (seed % 4) switch
        {
            0 => new[] { "out" },
            1 => new[] { "out", "dev", "doc" },
            2 => new[] { "bin", "out" },
            _ => new[] { "dev", "lib", "man", "out", "static" },
        };
        foreach (var name in outputs) drv.Outputs[name] = DerivationOutput.Deferred;
        for (var i = 0; i < seed % 5; i++)
        {
            drv.AddInputDerivationOutput(Input(seed + i), "out");
            if (i % 2 == 1) drv.AddInputDerivationOutput(Input(seed + i), "dev");
        }
        drv.System = "x86_64-linux";
        drv.Builder = "/bin/sh";
        drv.Arguments.Add("-c");
        drv.Arguments.Add($"echo {seed} > $out");
        drv.Environment["name"] = $"pkg-{seed}";
        drv.Environment["index"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Part of a larger array, as a host's packed values are.
        var packed = System.Text.Encoding.UTF8.GetBytes($"[[value {seed} with \"quotes\"]]");
        drv.Environment["packed"] = new ByteString(packed, 2, packed.Length - 4);
    }

    [Fact]
    public void ClearedDerivationInstantiatesLikeANewOne()
    {
        var reused = new Derivation();
        for (var seed = 0; seed < 40; seed++)
        {
            var fresh = new Derivation();
            Fill(fresh, seed);
            var freshAterm = new System.Buffers.ArrayBufferWriter<byte>();
            var expected = fresh.Instantiate($"pkg-{seed}", FakeHash, freshAterm);

            reused.Clear();
            Fill(reused, seed);
            var reusedAterm = new System.Buffers.ArrayBufferWriter<byte>();
            var actual = reused.Instantiate($"pkg-{seed}", FakeHash, reusedAterm);

            Assert.Equal(expected.Path, actual.Path);
            Assert.Equal(expected.HashModulo.Hash, actual.HashModulo.Hash);
            Assert.Equal(expected.References, actual.References);
            Assert.Equal(freshAterm.WrittenSpan.ToArray(), reusedAterm.WrittenSpan.ToArray());
            Assert.Equal(fresh.Outputs.Select(o => (o.Key, o.Value.Path)), reused.Outputs.Select(o => (o.Key, o.Value.Path)));
            Assert.Equal(fresh.ToAterm(), reused.ToAterm());
        }
    }

    [Fact]
    public void OnlyTheOutputSetsTheDerivationMadeAreReused()
    {
        var drv = new Derivation();
        var callers = new OutputNameSet(["out", "lib"]);
        drv.InputDerivations.Add(Input(1), callers);
        drv.AddInputDerivationOutput(Input(2), "dev");
        var made = drv.InputDerivations[Input(2)];
        drv.Clear();

        // The caller's set is left as it was; the derivation's own set is emptied and used again.
        Assert.Equal(new[] { "lib", "out" }, callers);
        drv.AddInputDerivationOutput(Input(3), "out");
        Assert.Same(made, drv.InputDerivations[Input(3)]);
        Assert.Equal(new[] { "out" }, drv.InputDerivations[Input(3)]);
    }

    [Fact]
    public void StorePathNamesWithoutAStringOfTheirOwn()
    {
        Span<byte> hash = stackalloc byte[32];
        hash.Fill(7);
        var dev = Store.MakeOutputPath("pkg-1", "dev", hash);
        var drv = new Derivation();
        Fill(drv, 0);
        var instantiated = drv.Instantiate("pkg-1", FakeHash);

        Assert.Equal("pkg-1-dev", dev.Name);
        Assert.Equal(dev.HashPart + "-pkg-1-dev", dev.BaseName);
        Assert.Equal("pkg-1.drv", instantiated.Path.Name);
        Assert.Equal(Store.ParsePath(Store.Print(instantiated.Path)).Name, instantiated.Path.Name);
        Assert.Equal(Store.MakeStorePath("output:dev", hash, "pkg-1-dev"), dev);
    }

    [Fact]
    public void ByteStringOverPartOfAnArrayIsTheSameStringAsACopy()
    {
        var array = "xxhello worldyy"u8.ToArray();
        var part = new ByteString(array, 2, 11);
        var copy = ByteString.CopyFrom("hello world"u8);

        Assert.Equal(copy, part);
        Assert.Equal(copy.GetHashCode(), part.GetHashCode());
        Assert.Equal(0, copy.CompareTo(part));
        Assert.Equal(11, part.Length);
        Assert.Equal("hello world", part.ToString());
        Assert.True(part.Memory.Span.SequenceEqual(copy.Span));
        Assert.Equal(ByteString.Empty, new ByteString(array, 15, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteString(array, 10, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ByteString(array, 16, 0));
    }
}
