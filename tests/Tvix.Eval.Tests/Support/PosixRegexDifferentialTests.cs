using System.Text;
using System.Text.Json;
using Tvix.Eval.Support.Regex;
using Tvix.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Tvix.Eval.Tests.Support;

/// <summary>
/// 1200 random patterns over {a, b} (half of them without alternation) (Data/regex-nix28.json, made by Data/regex-nix28-gen.py with
/// C++ Nix 2.8.0, whose regex engine current Nix still uses): match and split must agree.
/// </summary>
public sealed class PosixRegexDifferentialTests(ITestOutputHelper output)
{
    private static string Render(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.String => "\"" + e.GetString() + "\"",
        JsonValueKind.Array => "[ " + string.Concat(e.EnumerateArray().Select(x => Render(x) + " ")) + "]",
        _ => throw new InvalidOperationException(e.ToString()),
    };

    private static string Render(byte[] s, RegexCapture[]? groups) =>
        groups == null ? "null" : "[ " + string.Concat(groups.Select(g => (g.Matched ? "\"" + Encoding.Latin1.GetString(s, g.Start, g.Length) + "\"" : "null") + " ")) + "]";

    /// <summary>Splits with the .NET-backed regex or the libstdc++-style matcher (one of them is given) and renders the result.</summary>
    private static string RenderSplit(byte[] s, PosixRegex? regex, PosixBacktrackingMatcher? matcher)
    {
        using var matches = new RegexSplitMatches(regex?.GroupCount ?? matcher!.GroupCount);
        if (regex != null) regex.Split(s, matches);
        else matcher!.Split(s, TimeSpan.FromSeconds(120), matches);
        var sb = new StringBuilder("[ ");
        for (var m = 0; m < matches.Count; m++)
        {
            sb.Append('"').Append(Encoding.Latin1.GetString(s, matches.PrefixStart(m), matches.PrefixLength(m))).Append("\" ");
            var groups = new RegexCapture[matches.GroupCount];
            for (var g = 0; g < groups.Length; g++) groups[g] = matches.Group(m, g);
            sb.Append(Render(s, groups)).Append(' ');
        }
        return sb.Append('"').Append(Encoding.Latin1.GetString(s, matches.LastEnd, s.Length - matches.LastEnd)).Append("\" ]").ToString();
    }

    [Fact]
    public void AgreesWithCppNixOnRandomPatterns()
    {
        var path = Path.Combine(TestPaths.RepoRoot, "tests", "Tvix.Eval.Tests", "Support", "Data", "regex-nix28.json");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var failures = new List<string>();
        int total = 0, netFailures = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            total++;
            var pattern = c.GetProperty("pattern").GetString()!;
            var subject = Encoding.Latin1.GetBytes(c.GetProperty("subject").GetString()!);
            var wantMatch = Render(c.GetProperty("match"));
            var wantSplit = Render(c.GetProperty("split"));
            // .NET's tier from the first use (the builtins start on the matcher, checked below).
            var regex = PosixRegex.Compile(Encoding.Latin1.GetBytes(pattern), TimeSpan.FromSeconds(120), exactMatcherUses: 0);
            var matcher = new PosixBacktrackingMatcher(pattern, regex.GroupCount);
            var gotMatch = Render(subject, matcher.MatchWhole(subject, TimeSpan.FromSeconds(120)));
            var gotSplit = RenderSplit(subject, null, matcher);
            if (gotMatch != wantMatch || gotSplit != wantSplit)
            {
                failures.Add($"'{pattern}' on '{c.GetProperty("subject").GetString()}': match {gotMatch} (Nix {wantMatch}), split {gotSplit} (Nix {wantSplit})");
            }
            var netMatch = Render(subject, regex.MatchWhole(subject));
            var netSplit = RenderSplit(subject, regex, null);
            if (netMatch != wantMatch || netSplit != wantSplit)
            {
                netFailures++;
                output.WriteLine($"PosixRegex: '{pattern}' on '{c.GetProperty("subject").GetString()}': match {netMatch} (Nix {wantMatch}), split {netSplit} (Nix {wantSplit})");
            }
        }
        output.WriteLine($"backtracking matcher: {total - failures.Count}/{total}; PosixRegex (what the builtins use): {total - netFailures}/{total}");
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(30)));
        Assert.Equal(0, netFailures);
    }
}
