using System.Text.Json;
using Tvix.Eval;
using Tvix.Testing;
using Xunit;

namespace Tvix.Glue.Tests;

/// <summary>
/// The glue gives the evaluator the castore's BLAKE3 for <c>hashString</c>, <c>hashFile</c> and
/// <c>convertHash</c> (behind Nix's <c>blake3-hashes</c> feature), checked against the BLAKE3
/// test vectors and b3sum's output in ../shared/vectors/blake3.
/// </summary>
public sealed class Blake3BuiltinTests
{
    private static JsonDocument Load(string name) => JsonDocument.Parse(File.ReadAllBytes(TestPaths.Shared("vectors", "blake3", name)));

    private static string Quote(string s) => "\"" + s + "\"";

    [SharedFact]
    public void HashStringMatchesB3sum()
    {
        var host = new GlueTestHost(features: ["blake3-hashes"]);
        using var doc = Load("extra_vectors.json");
        var n = 0;
        foreach (var c in doc.RootElement.GetProperty("string_cases").EnumerateArray())
        {
            var input = c.GetProperty("input_utf8").GetString()!;
            if (input.Contains('"') || input.Contains('\\') || input.Contains('$')) continue;
            Assert.Equal(Quote(c.GetProperty("hash_32").GetString()!), host.EvalStrict($"builtins.hashString \"blake3\" \"{input}\""));
            n++;
        }
        Assert.True(n >= 3, $"only {n} string cases");
    }

    [SharedFact]
    public void HashFileMatchesTheOfficialVectors()
    {
        var host = new GlueTestHost(features: ["blake3-hashes"]);
        using var doc = Load("test_vectors.json");
        var dir = Directory.CreateTempSubdirectory("tvix-blake3-");
        try
        {
            foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            {
                var length = c.GetProperty("input_len").GetInt32();
                var file = Path.Combine(dir.FullName, $"in-{length}");
                File.WriteAllBytes(file, Enumerable.Range(0, length).Select(i => (byte)(i % 251)).ToArray());
                var expected = c.GetProperty("hash").GetString()![..64]; // the default 32-byte output
                Assert.Equal(Quote(expected), host.EvalStrict($"builtins.hashFile \"blake3\" {file}"));
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [SharedFact]
    public void ConvertHashRoundTripsBlake3()
    {
        var host = new GlueTestHost(features: ["blake3-hashes"]);
        using var doc = Load("extra_vectors.json");
        var hex = doc.RootElement.GetProperty("string_cases")[1].GetProperty("hash_32").GetString()!;
        var sri = host.EvalStrict($"builtins.convertHash {{ hash = \"blake3:{hex}\"; toHashFormat = \"sri\"; }}");
        Assert.Equal(Quote("blake3-" + Convert.ToBase64String(Convert.FromHexString(hex))), sri);
        var nix32 = host.EvalStrict($"builtins.convertHash {{ hash = {sri}; toHashFormat = \"nix32\"; }}");
        Assert.Equal(Quote(hex), host.EvalStrict($"builtins.convertHash {{ hash = {nix32}; hashAlgo = \"blake3\"; toHashFormat = \"base16\"; }}"));
    }

    [Fact]
    public void WithoutTheFeatureBlake3IsRefusedAsInNix()
    {
        var host = new GlueTestHost();
        var e = Assert.Throws<NixEvalException>(() => host.EvalStrict("builtins.hashString \"blake3\" \"abc\""));
        Assert.Equal("experimental Nix feature 'blake3-hashes' is disabled; add '--extra-experimental-features blake3-hashes' to enable it", e.Message);
    }

    [Fact]
    public void TheFeatureReachesTheEvaluatorFromTheBuilder()
    {
        var options = new TvixBuilder().EnableExperimentalFeature("blake3-hashes").BuildOptions();
        Assert.Contains("blake3-hashes", options.ExperimentalFeatures);
        Assert.Contains(options.ExtraHashAlgorithms, a => a.Name == "blake3" && a.DigestSize == 32);
    }
}
