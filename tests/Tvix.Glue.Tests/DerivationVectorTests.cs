using System.Text;
using System.Text.Json;
using Tvix.Eval;
using Tvix.NixCompat;
using Tvix.Testing;

namespace Tvix.Glue.Tests;

/// <summary>
/// Every case of ../shared/vectors/derivations/nix28: evaluating <c>default.nix</c> with the glue
/// gives the same top-level paths as nix-instantiate 2.8, the same outputs and byte-identical
/// ATerms for every <c>.drv</c> in the closure; the error cases fail with Nix's message.
/// </summary>
public sealed class DerivationVectorTests
{
    private static string CasesDir => TestPaths.Shared("vectors", "derivations", "nix28");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        if (TestPaths.SharedDir == null) { data.Add("absent"); return data; }
        foreach (var dir in Directory.GetDirectories(CasesDir).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(dir));
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(Cases))]
    public void Case(string name)
    {
        var dir = CaseFiles.Materialize(Path.Combine(CasesDir, name));
        using var caseJson = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(CasesDir, name, "case.json")));
        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(CasesDir, name, "expected.json")));
        var features = new List<string>();
        foreach (var f in caseJson.RootElement.GetProperty("experimentalFeatures").EnumerateArray()) features.Add(f.GetString()!);
        var host = new GlueTestHost(features);

        if (caseJson.RootElement.GetProperty("expectError").GetBoolean())
        {
            var error = Assert.Throws<NixEvalException>(() => host.InstantiateFile(Path.Combine(dir, "default.nix")));
            var nixMessage = expected.RootElement.GetProperty("error").GetString()!;
            var firstLine = nixMessage.Split('\n')[0];
            if (firstLine.StartsWith("error: ", StringComparison.Ordinal)) firstLine = firstLine["error: ".Length..];
            var current = InCurrentNixsWords(firstLine);
            Assert.True(error.Message.Contains(firstLine, StringComparison.Ordinal) || (current != null && error.Message.Contains(current, StringComparison.Ordinal)),
                $"expected '{firstLine}'{(current != null ? $" or '{current}'" : "")}, got '{error.Message}'");
            return;
        }

        var topLevel = host.InstantiateFile(Path.Combine(dir, "default.nix"));
        var expectedTop = new List<string>();
        foreach (var t in expected.RootElement.GetProperty("topLevel").EnumerateArray()) expectedTop.Add(t.GetString()!);
        Assert.Equal(expectedTop, topLevel);

        foreach (var drv in expected.RootElement.GetProperty("derivations").EnumerateObject())
        {
            var path = host.State.StoreDirectory.ParsePath(drv.Name);
            var aterm = host.Store.ReadText(path);
            Assert.True(aterm != null, $"{drv.Name} was not written to the store");
            byte[] expectedAterm = drv.Value.TryGetProperty("aterm", out var text)
                ? Encoding.UTF8.GetBytes(text.GetString()!)
                : Convert.FromBase64String(drv.Value.GetProperty("atermBase64").GetString()!);
            Assert.Equal(Encoding.UTF8.GetString(expectedAterm), Encoding.UTF8.GetString(aterm!));
            Assert.Equal(expectedAterm, aterm);
            var known = host.State.GetDerivation(path);
            foreach (var output in drv.Value.GetProperty("outputs").EnumerateObject())
            {
                Assert.Contains(output.Name, known.OutputNames);
                var actual = known.OutputPath(output.Name);
                Assert.Equal(output.Value.GetString() ?? "", actual is null ? "" : host.State.StoreDirectory.Print(actual));
            }
        }
        if (expected.RootElement.TryGetProperty("inputSources", out var sources))
        {
            foreach (var source in sources.EnumerateObject())
                Assert.True(host.Store.IsValid(host.State.StoreDirectory.ParsePath(source.Name)), $"{source.Name} was not added to the store");
        }
    }

    /// <summary>
    /// The vectors hold Nix 2.8's messages; where current Nix words the same error differently
    /// (and the evaluator follows current Nix), its words. 2.8 found a bad derivation name only in
    /// the output path made from it; current Nix checks the name first.
    /// </summary>
    private static string? InCurrentNixsWords(string message)
    {
        if (message == "derivation name missing") return "attribute 'name' missing";
        var bad = System.Text.RegularExpressions.Regex.Match(message, "^store path '[0-9a-z]{32}-(.*)' contains illegal character '(.)'$");
        if (bad.Success)
            return $"invalid derivation name: name '{bad.Groups[1].Value}' contains illegal character '{bad.Groups[2].Value}'. Please pass a different 'name'.";
        return null;
    }
}
