using System.Text;
using Tvix.NixCompat.Derivations;

namespace Tvix.NixCompat.Tests;

/// <summary>
/// hashDerivationModulo of floating content-addressed derivations and their dependents. The
/// ATerms and hashes were produced by C++ Nix 2.8.0 (<c>nix-build --store DIR</c> with
/// <c>experimental-features = ca-derivations</c>, <c>builder = "builtin:buildenv"</c>): a
/// content-addressed <c>ca</c>, <c>after-ca</c> depending on it, <c>after-after-ca</c> on that.
/// After the build Nix records each output's realisation under the masked hash modulo
/// (<c>staticOutputHashes</c>) in its database, which is where the expected hashes come from;
/// a dependent's masked hash contains its input's unmasked hash modulo, so the chain checks both.
/// </summary>
public sealed class FloatingContentAddressedTests
{
    private const string CaAterm = "Derive([(\"out\",\"\",\"r:sha256\",\"\")],[],[],\"x86_64-linux\",\"builtin:buildenv\",[],[(\"builder\",\"builtin:buildenv\"),(\"derivations\",\"\"),(\"manifest\",\"/dummy\"),(\"name\",\"ca\"),(\"out\",\"/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9\"),(\"outputHashAlgo\",\"sha256\"),(\"outputHashMode\",\"recursive\"),(\"system\",\"x86_64-linux\")])";
    private const string AfterCaAterm = "Derive([(\"out\",\"\",\"\",\"\")],[(\"/nix/store/c0y0aij1x09c5x49bhfzr6dpysi14961-ca.drv\",[\"out\"])],[],\"x86_64-linux\",\"builtin:buildenv\",[],[(\"builder\",\"builtin:buildenv\"),(\"derivations\",\"\"),(\"manifest\",\"/0ddqr14nvkv93wb6czd5idlrk4nl9a54blyf8dlizkizq9rzh7vd\"),(\"name\",\"after-ca\"),(\"out\",\"\"),(\"system\",\"x86_64-linux\")])";
    private const string AfterAfterCaAterm = "Derive([(\"out\",\"\",\"\",\"\")],[(\"/nix/store/qrvzkbhqs8cl9s7vqjig002ya173z3c5-after-ca.drv\",[\"out\"])],[],\"x86_64-linux\",\"builtin:buildenv\",[],[(\"builder\",\"builtin:buildenv\"),(\"derivations\",\"\"),(\"manifest\",\"/03k3dwr5ffcy3wglj7b18m80fwsydy5kicd1qcfi6jmx7v97xpiz\"),(\"name\",\"after-after-ca\"),(\"out\",\"\"),(\"system\",\"x86_64-linux\")])";

    /// <summary>drv path, ATerm, the realisation hash Nix 2.8 recorded for its output <c>out</c>.</summary>
    private static readonly (string Path, string Aterm, string Realisation)[] Chain =
    [
        ("/nix/store/c0y0aij1x09c5x49bhfzr6dpysi14961-ca.drv", CaAterm, "ebb54f218c1a802b5667ec7dd7bf2c1fd29c16e0cde4093e3456e2d5e666ff36"),
        ("/nix/store/qrvzkbhqs8cl9s7vqjig002ya173z3c5-after-ca.drv", AfterCaAterm, "d22736dc26500b28a1e697f160e2c4f91a8a1b68ec17d86ad073055e80247acc"),
        ("/nix/store/n6h4awkc49vvr0fn7wx3r42ksacp4sf8-after-after-ca.drv", AfterAfterCaAterm, "8172e44f15ebb67b7bd94caadfb894bd785d488cb33d724587230d7f43838fc2"),
    ];

    private static Dictionary<StorePath, Derivation> Parse()
    {
        var result = new Dictionary<StorePath, Derivation>();
        foreach (var (path, aterm, _) in Chain) result.Add(StoreDirectory.Default.ParsePath(path), Derivation.ParseAterm(Encoding.UTF8.GetBytes(aterm)));
        return result;
    }

    [Fact]
    public void MaskedHashesAreTheRealisationsNixRecorded()
    {
        var drvs = Parse();
        var cache = new HashModuloCache(p => drvs[p]);
        foreach (var (path, _, realisation) in Chain)
        {
            var drvPath = StoreDirectory.Default.ParsePath(path);
            var masked = drvs[drvPath].CalculateMaskedHash(cache.Get);
            Assert.Equal(realisation, masked.ToString());
            Assert.True(masked.IsDeferred);
            Assert.True(cache.Get(drvPath).IsDeferred);
        }
        // The unmasked hash of the content-addressed derivation is the hash of its ATerm (it has no
        // inputs), which differs from the masked one by the placeholder in 'out'.
        var ca = StoreDirectory.Default.ParsePath(Chain[0].Path);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(CaAterm))), cache.Get(ca).ToString());
    }

    [Fact]
    public void InstantiateRebuildsWhatNixWrote()
    {
        var drvs = Parse();
        var cache = new HashModuloCache(p => drvs[p]);
        foreach (var (path, aterm, _) in Chain)
        {
            var drvPath = StoreDirectory.Default.ParsePath(path);
            // As derivationStrict builds it: outputs without paths, output variables not set.
            var drv = Derivation.ParseAterm(Encoding.UTF8.GetBytes(aterm));
            foreach (var name in drv.Outputs.Keys.ToList())
            {
                var output = drv.Outputs[name];
                drv.Outputs[name] = output.HashAlgorithm is { } algorithm ? DerivationOutput.Floating(algorithm, output.HashMode) : DerivationOutput.Deferred;
                drv.Environment.Remove(ByteString.FromUtf8(name));
            }
            var written = new System.Buffers.ArrayBufferWriter<byte>();
            var result = drv.Instantiate(drvPath.Name[..^4], cache.Get, written);
            Assert.Equal(aterm, Encoding.UTF8.GetString(written.WrittenSpan));
            Assert.Equal(drvPath, result.Path);
            Assert.Equal(cache.Get(drvPath), result.HashModulo);
            Assert.All(drv.Outputs.Values, o => Assert.Null(o.Path));
        }
    }

    [Fact]
    public void FixedOutputDependentsAreNotDeferred()
    {
        var drvs = Parse();
        var cache = new HashModuloCache(p => drvs[p]);
        var ca = StoreDirectory.Default.ParsePath(Chain[0].Path);
        var fod = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
        fod.AddInputDerivationOutput(ca, "out");
        fod.Outputs["out"] = DerivationOutput.FixedFromAttributes("sha256-WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=", null, "flat");
        var fixedResult = fod.Instantiate("fod", cache.Get);
        Assert.False(fixedResult.HashModulo.IsDeferred);
        Assert.NotNull(fod.Outputs["out"].Path);

        // A dependent of the fixed-output derivation gets real output paths again.
        var after = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
        after.AddInputDerivationOutput(fixedResult.Path, "out");
        after.Outputs["out"] = DerivationOutput.Deferred;
        var afterResult = after.Instantiate("after-fod", p => p.Equals(fixedResult.Path) ? fixedResult.HashModulo : cache.Get(p));
        Assert.False(afterResult.HashModulo.IsDeferred);
        Assert.NotNull(after.Outputs["out"].Path);
        Assert.Equal(StoreDirectory.Default.Print(after.Outputs["out"].Path!), after.Environment[ByteString.FromUtf8("out")].ToString());
    }

    [Fact]
    public void FloatingOutputsGetPlaceholdersAndMixingIsRefused()
    {
        var drv = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
        drv.Outputs["out"] = DerivationOutput.Floating(NixHashAlgorithm.Sha256, OutputHashMode.Recursive);
        drv.Outputs["dev"] = DerivationOutput.Floating(NixHashAlgorithm.Sha256, OutputHashMode.Recursive);
        drv.CalculateOutputPaths("multi", _ => throw new InvalidOperationException("no inputs"));
        Assert.Equal(Placeholders.Output("out"), drv.Environment[ByteString.FromUtf8("out")].ToString());
        Assert.Equal(Placeholders.Output("dev"), drv.Environment[ByteString.FromUtf8("dev")].ToString());
        Assert.True(drv.CalculateHashModulo(_ => throw new InvalidOperationException()).IsDeferred);

        var mixed = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
        mixed.Outputs["out"] = DerivationOutput.Floating(NixHashAlgorithm.Sha256, OutputHashMode.Recursive);
        mixed.Outputs["dev"] = DerivationOutput.Deferred;
        Assert.Equal("can't mix derivation output types",
            Assert.Throws<NixFormatException>(() => mixed.Instantiate("mixed", _ => throw new InvalidOperationException())).Message);
        var algorithms = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
        algorithms.Outputs["out"] = DerivationOutput.Floating(NixHashAlgorithm.Sha256, OutputHashMode.Recursive);
        algorithms.Outputs["dev"] = DerivationOutput.Floating(NixHashAlgorithm.Sha512, OutputHashMode.Recursive);
        Assert.Equal("all floating outputs must use the same hash type",
            Assert.Throws<NixFormatException>(() => algorithms.CalculateHashModulo(_ => throw new InvalidOperationException())).Message);
    }
}
