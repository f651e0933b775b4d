using System.Text.RegularExpressions;
using Tvix.Eval;
using Tvix.Testing;

namespace Tvix.Glue.Tests;

/// <summary>
/// The tvix-glue cases of ../shared/conformance: each <c>eval-okay</c> case printed strictly must
/// equal its <c>.exp</c>; each <c>eval-fail</c> case must fail. The cases run in the conformance
/// environment's store directory (<c>/nix/store</c>) with the search path of the runner.
/// </summary>
public sealed partial class GlueConformanceTests
{
    private static string CasesDir => TestPaths.Shared("conformance", "cases", "tvix-glue");

    /// <summary>
    /// Cases whose .exp follows Tvix where Tvix differs from C++ Nix on purpose here: Tvix's
    /// <c>fetchurl</c>/<c>fetchTarball</c> return path values (printed bare), C++ Nix returns
    /// strings with context (printed quoted). For them the store paths are compared in order.
    /// </summary>
    private static readonly HashSet<string> PathsOnly = new(StringComparer.Ordinal)
    {
        "tvix_tests/eval-okay-fetchurl", "tvix_tests/eval-okay-fetchtarball",
    };

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        if (TestPaths.SharedDir == null) { data.Add("absent"); return data; }
        foreach (var suite in (string[])["nix_tests", "tvix_tests"])
            foreach (var file in Directory.GetFiles(Path.Combine(CasesDir, suite), "eval-*.nix").Order(StringComparer.Ordinal))
                data.Add(suite + "/" + Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [SharedTheory]
    [MemberData(nameof(Cases))]
    public void Case(string id)
    {
        var file = Path.Combine(CasesDir, id + ".nix");
        var host = new GlueTestHost();
        if (Path.GetFileName(id).StartsWith("eval-fail", StringComparison.Ordinal))
        {
            Assert.ThrowsAny<NixEvalException>(() => host.EvalFileStrict(file));
            return;
        }
        var expected = File.ReadAllText(Path.Combine(CasesDir, id + ".exp")).TrimEnd('\n');
        var actual = host.EvalFileStrict(file);
        if (PathsOnly.Contains(id))
        {
            Assert.Equal(StorePaths(expected), StorePaths(actual));
            return;
        }
        Assert.Equal(expected, actual);
    }

    private static List<string> StorePaths(string text)
    {
        var result = new List<string>();
        foreach (Match m in StorePathPattern().Matches(text)) result.Add(m.Value);
        return result;
    }

    [GeneratedRegex("/nix/store/[0-9a-z]{32}-[A-Za-z0-9+._?=-]+")]
    private static partial Regex StorePathPattern();
}
