using Tvix.NixCompat.BinaryCache;
using Tvix.NixCompat.Derivations;
using Tvix.Testing;

namespace Tvix.NixCompat.Tests;

public sealed class ContentAddressTests
{
    [SharedFact]
    public void NarCasePathInfoCaGivesTheAddedPath()
    {
        var count = 0;
        foreach (var file in Directory.GetFiles(VectorFiles.Path("nar", "cases"), "*.json"))
        {
            var c = VectorFiles.Json("nar", "cases", Path.GetFileName(file));
            var ca = ContentAddress.Parse(c.GetProperty("pathInfoCa").GetString()!);
            Assert.Equal(c.GetProperty("pathInfoCa").GetString(), ca.ToString());
            var path = ca.ComputeStorePath(c.GetProperty("name").GetString()!, StoreDirectory.Default);
            Assert.Equal(c.GetProperty("storePaths").GetProperty("add").GetString(), StoreDirectory.Default.Print(path));
            count++;
        }
        Assert.Equal(21, count);
    }

    [SharedFact]
    public void NarInfoContentAddressesGiveTheirStorePaths()
    {
        var count = 0;
        foreach (var c in VectorFiles.Cases("narinfo", "nix28", "cases.json"))
        {
            var fields = c.GetProperty("fields");
            if (fields.OptionalString("CA") is not { } text) continue;
            var ca = ContentAddress.Parse(text);
            Assert.Equal(text, ca.ToString());
            var storePath = StoreDirectory.Default.ParsePath(fields.GetProperty("StorePath").GetString()!);
            Assert.Equal(storePath, ca.ComputeStorePath(storePath.Name, StoreDirectory.Default));
            count++;
        }
        Assert.True(count > 0);
    }

    [Fact]
    public void MalformedContentAddressesAreRejected()
    {
        foreach (var text in new[] { "", "fixed:", "text:md5:4425hx5d1mc9y39llj4k4nm55i", "source:sha256:00", "fixed:r:sha257:00" })
            Assert.Throws<NixFormatException>(() => ContentAddress.Parse(text));
    }

    [SharedFact]
    public void PlaceholdersMatchNix()
    {
        // The floating CA derivation (case 130) has placeholder(out) as its out variable, and its
        // dependent (131) refers to it through the downstream placeholder.
        Assert.Equal("/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9", Placeholders.Output("out"));
        var ca = StorePath.ParseBaseName("951z0fxmjf0xnalgws50cjjjsqd1ph3y-ca.drv");
        Assert.Equal("/088c0dc59gvv7ysm05m8z18q35xrlmpydy6dpv3slrl5bdjp37pi", Placeholders.Downstream(ca, "out"));
        var count = 0;
        foreach (var caseName in new[] { "090-placeholder-out", "091-placeholder-multi" })
        {
            var dir = VectorFiles.Path("derivations", "nix28", caseName, "drvs");
            foreach (var file in Directory.GetFiles(dir))
            {
                var aterm = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(file));
                var drv = Derivation.ParseAterm(File.ReadAllBytes(file));
                foreach (var output in drv.Outputs.Keys)
                {
                    if (aterm.Contains(Placeholders.Output(output))) count++;
                }
            }
        }
        Assert.True(count >= 2, $"placeholders found {count}");
    }

    [SharedFact]
    public void CacheInfoRoundTrips()
    {
        var text = File.ReadAllText(VectorFiles.Path("narinfo", "nix28", "cache-none", "nix-cache-info"));
        var info = NixCacheInfo.Parse(text);
        Assert.Equal("/nix/store", info.StoreDir);
        Assert.Equal(text, info.Render());
        var full = NixCacheInfo.Parse("StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n");
        Assert.Equal("StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 40\n", full.Render());
    }
}
