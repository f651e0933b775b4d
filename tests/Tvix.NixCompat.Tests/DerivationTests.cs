using System.Text;
using System.Text.Json;
using Tvix.NixCompat.Derivations;
using Tvix.Testing;

namespace Tvix.NixCompat.Tests;

public sealed class DerivationTests
{
    private static readonly StoreDirectory Store = StoreDirectory.Default;

    private static string DrvName(StorePath drvPath) => drvPath.Name[..^".drv".Length];

    [SharedFact]
    public void TvixFixturesRoundTripAndHaveTheirPathsAndJson()
    {
        var count = 0;
        foreach (var file in Directory.GetFiles(VectorFiles.Path("derivations", "tvix", "ok"), "*.drv").Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(file);
            var drv = Derivation.ParseAterm(bytes);
            Assert.Equal(bytes, drv.ToAterm());
            var expectedPath = StorePath.ParseBaseName(Path.GetFileName(file));
            Assert.Equal(expectedPath, drv.CalculateDerivationPath(DrvName(expectedPath)));

            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            drv.WriteShowDerivationJson(buffer, expectedPath);
            var expectedJson = File.ReadAllBytes(file + ".json");
            if (Encoding.UTF8.GetString(expectedJson).Contains('\uFFFD'))
            {
                // Non-UTF-8 fixtures: the raw bytes of the env value must appear in our JSON too.
                var chars = drv.Environment[ByteString.FromUtf8("chars")];
                Assert.True(buffer.WrittenSpan.IndexOf(chars.Span) >= 0);
            }
            else
            {
                using var ours = JsonDocument.Parse(buffer.WrittenMemory);
                using var theirs = JsonDocument.Parse(expectedJson);
                var expected = theirs.RootElement.TryGetProperty(Store.Print(expectedPath), out var inner) ? inner : theirs.RootElement;
                AssertJsonEqual(expected, ours.RootElement.GetProperty(Store.Print(expectedPath)));
            }
            count++;
        }
        Assert.Equal(10, count);
    }

    [SharedFact]
    public void DuplicateEnvironmentKeysAreRejected()
    {
        var bytes = File.ReadAllBytes(VectorFiles.Path("derivations", "tvix", "duplicate.drv"));
        var e = Assert.Throws<NixFormatException>(() => Derivation.ParseAterm(bytes));
        Assert.Contains("duplicate environment variable 'name'", e.Message);
    }

    [SharedFact]
    public void Nix28CasesRecomputeEverything()
    {
        int cases = 0, derivations = 0, outputPaths = 0, masked = 0, json = 0, deferredCount = 0;
        foreach (var caseDir in Directory.GetDirectories(VectorFiles.Path("derivations", "nix28")).Order(StringComparer.Ordinal))
        {
            var expected = VectorFiles.Json(Path.GetFileName(caseDir) is var n ? ["derivations", "nix28", n, "expected.json"] : []);
            if (expected.GetProperty("expectError").GetBoolean()) continue;
            cases++;
            var parsed = new Dictionary<StorePath, Derivation>();
            foreach (var file in Directory.GetFiles(Path.Combine(caseDir, "drvs")))
                parsed.Add(StorePath.ParseBaseName(Path.GetFileName(file)), Derivation.ParseAterm(File.ReadAllBytes(file)));
            var cache = new HashModuloCache(p => parsed[p]);
            DerivationHashModulo Lookup(StorePath p) => cache.Get(p);

            foreach (var entry in expected.GetProperty("derivations").EnumerateObject())
            {
                var drvPath = Store.ParsePath(entry.Name);
                var rawAterm = File.ReadAllBytes(Path.Combine(caseDir, "drvs", drvPath.BaseName));
                var expectedAterm = entry.Value.OptionalString("aterm") is { } text ? Encoding.UTF8.GetBytes(text) : Convert.FromBase64String(entry.Value.GetProperty("atermBase64").GetString()!);
                Assert.Equal(expectedAterm, rawAterm);
                var drv = parsed[drvPath];
                Assert.Equal(rawAterm, drv.ToAterm());
                Assert.Equal(drvPath, drv.CalculateDerivationPath(DrvName(drvPath)));
                foreach (var output in entry.Value.GetProperty("outputs").EnumerateObject())
                {
                    var path = drv.Outputs[output.Name].Path;
                    Assert.Equal(output.Value.GetString(), path is null ? "" : Store.Print(path));
                }
                derivations++;

                // Deferred: a floating content-addressed derivation or one depending on such.
                var deferred = false;
                foreach (var o in drv.Outputs.Values) deferred |= o.Path is null;
                Assert.Equal(deferred, Lookup(drvPath).IsDeferred);
                if (deferred) deferredCount++;

                if (entry.Value.TryGetProperty("hashDerivationModulo", out var modulo))
                {
                    var ours = Lookup(drvPath).ToString();
                    foreach (var o in modulo.EnumerateObject()) Assert.Equal(o.Value.GetString(), ours);
                }
                if (entry.Value.TryGetProperty("outputPathHash", out var outputPathHash))
                {
                    var maskedHash = drv.CalculateMaskedHash(Lookup);
                    Assert.Equal(outputPathHash.GetString(), maskedHash.ToString());
                    var maskedText = entry.Value.OptionalString("maskedAterm") is { } mt ? Encoding.UTF8.GetBytes(mt) : Convert.FromBase64String(entry.Value.GetProperty("maskedAtermBase64").GetString()!);
                    Assert.Equal(maskedText, drv.ToMaskedAterm(Lookup));
                    masked++;
                }

                // The glue's flow: outputs without paths, CalculateOutputPaths, same ATerm as Nix wrote;
                // and Instantiate, which does it all in one pass.
                var rebuilt = WithoutOutputPaths(rawAterm);
                rebuilt.CalculateOutputPaths(DrvName(drvPath), Lookup);
                Assert.Equal(drvPath, rebuilt.CalculateDerivationPath(DrvName(drvPath), out var rebuiltAterm));
                Assert.Equal(rawAterm, rebuiltAterm);
                var instantiated = WithoutOutputPaths(rawAterm);
                var atermBuffer = new System.Buffers.ArrayBufferWriter<byte>();
                var result = instantiated.Instantiate(DrvName(drvPath), Lookup, atermBuffer);
                Assert.Equal(drvPath, result.Path);
                Assert.Equal(rawAterm, atermBuffer.WrittenSpan.ToArray());
                Assert.Equal(Lookup(drvPath), result.HashModulo);
                Assert.Equal(drv.References().Order().Distinct(), result.References);
                // The overload that gives a view of the ATerm (what the glue writes to the store).
                var withSpan = WithoutOutputPaths(rawAterm).Instantiate(DrvName(drvPath), Lookup, out ReadOnlySpan<byte> atermSpan);
                Assert.Equal(rawAterm, atermSpan.ToArray());
                Assert.Equal(drvPath, withSpan.Path);
                Assert.Equal(result.HashModulo, withSpan.HashModulo);
                Assert.Equal(result.References, withSpan.References);
                outputPaths++;

                if (entry.Value.TryGetProperty("show-derivation", out var show))
                {
                    var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                    drv.WriteShowDerivationJson(buffer, drvPath);
                    using var ours = JsonDocument.Parse(buffer.WrittenMemory);
                    AssertJsonEqual(show, ours.RootElement.GetProperty(entry.Name));
                    AssertSameKeyOrder(show, ours.RootElement.GetProperty(entry.Name));
                    json++;
                }
            }
        }
        Assert.Equal((88, 113), (cases, derivations));
        Assert.Equal((113, 81, 112, 4), (outputPaths, masked, json, deferredCount));
    }

    /// <summary>A derivation as derivationStrict sees it before its outputs are computed.</summary>
    private static Derivation WithoutOutputPaths(byte[] aterm)
    {
        var drv = Derivation.ParseAterm(aterm);
        foreach (var name in drv.Outputs.Keys.ToList())
        {
            var o = drv.Outputs[name];
            drv.Outputs[name] = o.IsFixed ? DerivationOutput.Fixed(o.Hash!, o.HashMode)
                : o.HashAlgorithm is { } algorithm ? DerivationOutput.Floating(algorithm, o.HashMode)
                : DerivationOutput.Deferred;
            drv.Environment.Remove(ByteString.FromUtf8(name));
        }
        return drv;
    }

    [Fact]
    public void ShowDerivationJsonHasNixLayout()
    {
        var drv = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
        drv.Outputs["out"] = DerivationOutput.Deferred;
        drv.Environment["a\"b"] = "line\nnext\u0001";
        drv.CalculateOutputPaths("demo", _ => throw new InvalidOperationException("no inputs"));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var drvPath = drv.CalculateDerivationPath("demo");
        drv.WriteShowDerivationJson(buffer, drvPath);
        var outPath = Store.Print(drv.Outputs["out"].Path!);
        var expected = "{\n  \"" + Store.Print(drvPath) + "\": {\n    \"outputs\": {\n      \"out\": {\n        \"path\": \"" + outPath +
                       "\"\n      }\n    },\n    \"inputSrcs\": [],\n    \"inputDrvs\": {},\n    \"system\": \"x86_64-linux\",\n    \"builder\": \"/bin/sh\",\n    \"args\": [],\n    \"env\": {\n      \"a\\\"b\": \"line\\nnext\\u0001\",\n      \"out\": \"" + outPath + "\"\n    }\n  }\n}\n";
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Theory]
    [InlineData("0123abcd", "sha256", null, "hash '0123abcd' has wrong length for hash type 'sha256'")]
    [InlineData("sha512-58IrmUxZ2c8rSOVJseJGZmNgRZMNPafBrLKZ0cO3+TH5Sq5B7dosKyB6NuEPi8uNRSI+VIePWzFufOO2vAGWKQ==", "sha256", null,
        "hash 'sha512-58IrmUxZ2c8rSOVJseJGZmNgRZMNPafBrLKZ0cO3+TH5Sq5B7dosKyB6NuEPi8uNRSI+VIePWzFufOO2vAGWKQ==' should have type 'sha256'")]
    [InlineData("sha256-WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=", null, "weird", "invalid value 'weird' for 'outputHashMode' attribute")]
    [InlineData("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", "sha3", null,
        "hash '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' does not include a type, nor is the type otherwise known from context")]
    [InlineData("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", null, null,
        "hash '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03' does not include a type, nor is the type otherwise known from context")]
    [InlineData("", null, null, "empty hash requires explicit hash type")]
    public void FixedOutputAttributesFailLikeNix(string hash, string? algo, string? mode, string message)
    {
        // The messages of the nix28 FOD error cases 072-076.
        var e = Assert.Throws<NixFormatException>(() => DerivationOutput.FixedFromAttributes(hash, algo, mode));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void FixedOutputAttributesAcceptWhatNixAccepts()
    {
        var zero = DerivationOutput.FixedFromAttributes("", "sha256", "recursive");
        Assert.Equal(new byte[32], zero.Hash!.Digest.ToArray());
        Assert.Equal(OutputHashMode.Recursive, zero.HashMode);
        var sri = DerivationOutput.FixedFromAttributes("sha256-WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=", null, "flat");
        Assert.Equal("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03", sri.HashField);
        Assert.Equal("sha256", sri.HashAlgorithmField);
    }

    [SharedTheory]
    [InlineData("009-name-208-error")]
    [InlineData("011-name-space-error")]
    [InlineData("012-name-empty-error")]
    [InlineData("013-name-unicode-error")]
    public void InvalidDerivationNamesFailWithNixsMessage(string caseName)
    {
        // These cases are `derivation { system = "x86_64-linux"; builder = "/bin/sh"; name = N; }`:
        // build the same derivation as derivationStrict does and expect Nix's error, hash included.
        var expected = VectorFiles.Json("derivations", "nix28", caseName, "expected.json");
        var source = File.ReadAllText(VectorFiles.Path("derivations", "nix28", caseName, "default.nix"));
        var name = System.Text.RegularExpressions.Regex.Match(source, "name = \"([^\"]*)\"").Groups[1].Value;
        var drv = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
        drv.Environment["builder"] = "/bin/sh";
        drv.Environment["name"] = name;
        drv.Environment["system"] = "x86_64-linux";
        drv.Outputs["out"] = DerivationOutput.Deferred;
        var e = Assert.Throws<NixFormatException>(() =>
        {
            drv.CalculateOutputPaths(name, _ => throw new InvalidOperationException("no inputs"));
            drv.CalculateDerivationPath(name);
        });
        Assert.Equal(expected.GetProperty("error").GetString()!.Split('\n')[0], "error: " + e.Message);
    }

    [Fact]
    public void AnotherStoreDirectoryWorksEndToEnd()
    {
        var gnu = new StoreDirectory("/gnu/store");
        var dep = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
        dep.Outputs["out"] = DerivationOutput.Deferred;
        dep.CalculateOutputPaths("dep", _ => throw new InvalidOperationException(), gnu);
        var depPath = dep.CalculateDerivationPath("dep", out var depAterm, gnu);
        Assert.StartsWith("Derive([(\"out\",\"/gnu/store/", Encoding.UTF8.GetString(depAterm));
        var depModulo = dep.CalculateHashModulo(_ => throw new InvalidOperationException(), gnu);

        var drv = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
        drv.AddInputDerivationOutput(depPath, "out");
        drv.Environment["dep"] = gnu.Print(dep.Outputs["out"].Path!);
        drv.Outputs["out"] = DerivationOutput.Deferred;
        drv.CalculateOutputPaths("top", p => p.Equals(depPath) ? depModulo : throw new InvalidOperationException(), gnu);
        var aterm = drv.ToAterm(gnu);
        var reparsed = Derivation.ParseAterm(aterm, gnu);
        Assert.Equal(aterm, reparsed.ToAterm(gnu));
        Assert.Equal(drv.CalculateDerivationPath("top", gnu), reparsed.CalculateDerivationPath("top", gnu));
        // The same derivation in /nix/store has other paths, and /nix/store cannot read this ATerm.
        Assert.Throws<NixFormatException>(() => Derivation.ParseAterm(aterm));
        var nix = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
        nix.Outputs["out"] = DerivationOutput.Deferred;
        nix.CalculateOutputPaths("dep", _ => throw new InvalidOperationException());
        Assert.NotEqual(dep.Outputs["out"].Path, nix.Outputs["out"].Path);
    }

    [Fact]
    public void HashModuloCacheHandlesLongChainsAndCycles()
    {
        // A chain of 20 000 derivations, each depending on the previous one.
        var drvs = new Dictionary<StorePath, Derivation>();
        var eager = new HashModuloCache(_ => throw new InvalidOperationException("everything is added"));
        StorePath? previous = null;
        for (var i = 0; i < 20_000; i++)
        {
            var drv = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
            if (previous != null) drv.AddInputDerivationOutput(previous, "out");
            drv.Outputs["out"] = DerivationOutput.Deferred;
            drv.CalculateOutputPaths("n" + i, p => eager.Get(p));
            var path = drv.CalculateDerivationPath("n" + i);
            eager.Add(path, drv.CalculateHashModulo(p => eager.Get(p)));
            drvs[path] = drv;
            previous = path;
        }
        var lazy = new HashModuloCache(p => drvs[p]);
        Assert.Equal(eager.Get(previous!), lazy.Get(previous!));
        Assert.Equal(20_000, lazy.Count);

        // A diamond: top -> left, right; left -> bottom; right -> bottom.
        var diamond = new Dictionary<StorePath, Derivation>();
        StorePath Node(string name, params StorePath[] inputs)
        {
            var drv = new Derivation { System = "x86_64-linux", Builder = "/bin/sh" };
            foreach (var input in inputs) drv.AddInputDerivationOutput(input, "out");
            drv.Outputs["out"] = DerivationOutput.Deferred;
            drv.CalculateOutputPaths(name, p => eager.Get(p));
            var path = drv.CalculateDerivationPath(name);
            eager.Add(path, drv.CalculateHashModulo(p => eager.Get(p)));
            diamond[path] = drv;
            return path;
        }
        var bottom = Node("bottom");
        var top = Node("top", Node("left", bottom), Node("right", bottom));
        Assert.Equal(eager.Get(top), new HashModuloCache(p => diamond[p]).Get(top));
        // An input that is also an input of a sibling: top -> b, c; c -> b.
        var b2 = Node("b2");
        var top2 = Node("top2", b2, Node("c2", b2));
        Assert.Equal(eager.Get(top2), new HashModuloCache(p => diamond[p]).Get(top2));

        // A (malicious) cycle is an error, not a hang.
        var a = StorePath.ParseBaseName("00000000000000000000000000000000-a.drv");
        var b = StorePath.ParseBaseName("11111111111111111111111111111111-b.drv");
        var da = new Derivation();
        da.AddInputDerivationOutput(b, "out");
        var db = new Derivation();
        db.AddInputDerivationOutput(a, "out");
        var cyclic = new HashModuloCache(p => p.Equals(a) ? da : db);
        Assert.Throws<NixFormatException>(() => cyclic.Get(a));
    }

    [Fact]
    public void MalformedAtermsAreRejected()
    {
        foreach (var text in new[]
                 {
                     "", "Derive(", "Derive([],[],[],\"\",\"\",[],[])x", "Derive([],[],[],\"\",\"\",[],[]", "Derive([],[],[],\"\",\"\",[],[(\"a\")])",
                     "Derive([(\"out\",\"/nix/store/bad\",\"\",\"\")],[],[],\"\",\"\",[],[])",
                     "Derive([(\"out\",\"\",\"sha257\",\"\")],[],[],\"\",\"\",[],[])",
                     "Derive([],[],[\"/nix/store/00000000000000000000000000000000-a\",\"/nix/store/00000000000000000000000000000000-a\"],\"\",\"\",[],[])",
                     "Derive([],[],[],\"unterminated,\"\",[],[])",
                 })
        {
            Assert.Throws<NixFormatException>(() => Derivation.ParseAterm(Encoding.UTF8.GetBytes(text)));
        }
    }

    internal static void AssertJsonEqual(JsonElement expected, JsonElement actual)
    {
        Assert.Equal(expected.ValueKind, actual.ValueKind);
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var e = expected.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                var a = actual.EnumerateObject().ToDictionary(p => p.Name, p => p.Value);
                Assert.Equal(e.Keys.Order(StringComparer.Ordinal), a.Keys.Order(StringComparer.Ordinal));
                foreach (var (k, v) in e) AssertJsonEqual(v, a[k]);
                break;
            case JsonValueKind.Array:
                Assert.Equal(expected.GetArrayLength(), actual.GetArrayLength());
                foreach (var (x, y) in expected.EnumerateArray().Zip(actual.EnumerateArray())) AssertJsonEqual(x, y);
                break;
            case JsonValueKind.String:
                Assert.Equal(expected.GetString(), actual.GetString());
                break;
            default:
                Assert.Equal(expected.GetRawText(), actual.GetRawText());
                break;
        }
    }

    private static void AssertSameKeyOrder(JsonElement expected, JsonElement actual)
    {
        if (expected.ValueKind != JsonValueKind.Object) return;
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name), actual.EnumerateObject().Select(p => p.Name));
        foreach (var p in expected.EnumerateObject()) AssertSameKeyOrder(p.Value, actual.GetProperty(p.Name));
    }
}
