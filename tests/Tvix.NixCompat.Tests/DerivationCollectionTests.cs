using FsCheck;
using FsCheck.Fluent;
using Tvix.NixCompat.Derivations;

namespace Tvix.NixCompat.Tests;

/// <summary>
/// The sorted-array collections of <see cref="Derivation"/> keep the order (and the set semantics)
/// of the SortedDictionary/SortedSet they replaced: ordinal names, store paths by base name.
/// </summary>
public sealed class DerivationCollectionTests
{
    [Fact]
    public void OutputsAreOrderedOrdinallyAndReplaceInPlace()
    {
        var outputs = new DerivationOutputs();
        foreach (var name in new[] { "out", "dev", "Man", "bin", "doc" }) outputs[name] = DerivationOutput.Deferred;
        var path = StoreDirectory.Default.ParsePath("/nix/store/00000000000000000000000000000000-x");
        outputs["dev"] = DerivationOutput.InputAddressed(path);

        Assert.Equal(new[] { "Man", "bin", "dev", "doc", "out" }, outputs.Keys);
        Assert.Equal(path, outputs["dev"].Path);
        Assert.False(outputs.TryAdd("out", DerivationOutput.Deferred));
        Assert.Throws<ArgumentException>(() => outputs.Add("doc", DerivationOutput.Deferred));
        Assert.True(outputs.Remove("bin"));
        Assert.False(outputs.Remove("bin"));
        Assert.Equal(new[] { "Man", "dev", "doc", "out" }, outputs.Select(pair => pair.Key));
        Assert.Throws<KeyNotFoundException>(() => outputs["bin"]);
    }

    [Fact]
    public void ClearedDerivationIsFilledAgainLikeANewOne()
    {
        // One instance takes every fixture in turn (cleared in between, so each keeps the arrays
        // the previous one grew) and must write each fixture's ATerm byte for byte.
        var reused = new Derivation();
        var files = Directory.GetFiles(VectorFiles.Path("derivations", "tvix", "ok"), "*.drv").Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(files);
        foreach (var file in files.Concat(files.Reverse()))
        {
            var bytes = File.ReadAllBytes(file);
            var original = Derivation.ParseAterm(bytes);
            reused.Clear();
            Assert.Equal(0, reused.Outputs.Count + reused.InputDerivations.Count + reused.InputSources.Count + reused.Arguments.Count + reused.Environment.Count);
            foreach (var (name, output) in original.Outputs) reused.Outputs[name] = output;
            foreach (var (path, outputs) in original.InputDerivations) reused.InputDerivations.Add(path, new OutputNameSet(outputs));
            foreach (var source in original.InputSources) reused.InputSources.Add(source);
            reused.System = original.System;
            reused.Builder = original.Builder;
            foreach (var argument in original.Arguments) reused.Arguments.Add(argument);
            foreach (var (key, value) in original.Environment) reused.Environment[key] = value;
            Assert.Equal(bytes, reused.ToAterm());
        }
    }

    [Fact]
    public void InputDerivationsMergeOutputNames()
    {
        var drv = new Derivation();
        var a = StoreDirectory.Default.ParsePath("/nix/store/11111111111111111111111111111111-a.drv");
        var b = StoreDirectory.Default.ParsePath("/nix/store/01111111111111111111111111111111-b.drv");
        drv.AddInputDerivationOutput(a, "out");
        drv.AddInputDerivationOutput(b, "out");
        drv.AddInputDerivationOutput(a, "dev");
        drv.AddInputDerivationOutput(a, "out");

        Assert.Equal(new[] { b, a }, drv.InputDerivations.Keys);
        Assert.Equal(new[] { "dev", "out" }, drv.InputDerivations[a]);
        Assert.Equal(new[] { "out" }, drv.InputDerivations[b]);
        Assert.False(drv.InputDerivations.TryAdd(a, new OutputNameSet(new[] { "lib" })));
    }

    [Fact]
    public void CollectionsMatchTheFrameworkSortedCollections()
    {
        Prop.ForAll<int>(seed =>
        {
            var random = new Random(seed);
            var paths = new StorePathSet();
            var expectedPaths = new SortedSet<StorePath>();
            var names = new OutputNameSet();
            var expectedNames = new SortedSet<string>(StringComparer.Ordinal);
            var arguments = new DerivationArguments();
            var expectedArguments = new List<ByteString>();
            for (var i = random.Next(40); i > 0; i--)
            {
                var digest = new byte[20];
                digest[random.Next(3)] = (byte)random.Next(4);
                var path = new StorePath(digest, "p" + random.Next(3));
                if (random.Next(4) == 0) Assert.Equal(expectedPaths.Remove(path), paths.Remove(path));
                else Assert.Equal(expectedPaths.Add(path), paths.Add(path));
                var name = ((char)('A' + random.Next(60))).ToString();
                Assert.Equal(expectedNames.Add(name), names.Add(name));
                var argument = ByteString.FromUtf8(name);
                arguments.Add(argument);
                expectedArguments.Add(argument);
            }
            return expectedPaths.SequenceEqual(paths) && expectedNames.SequenceEqual(names)
                && expectedArguments.SequenceEqual(arguments) && paths.Count == expectedPaths.Count
                && expectedPaths.All(paths.Contains) && expectedNames.All(names.Contains);
        }).QuickCheckThrowOnFailure();
    }
}
