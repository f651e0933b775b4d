using Tvix.Eval.Syntax;
using Tvix.Testing;

namespace Tvix.Eval.Tests.Syntax;

/// <summary>The parser over the shared language conformance cases (../shared/conformance/cases).</summary>
public sealed class ConformanceParseTests
{
    /// <summary>
    /// parse-fail cases that fail in Nix only because of an undefined variable: that is the
    /// compiler's check, so the parser must accept them (and `tvix parse` fails them once the
    /// compiler's static checks are chained in).
    /// </summary>
    private static readonly HashSet<string> ExpectedCompilerCases = new(StringComparer.Ordinal)
    {
        "nix/lang/parse-fail-undef-var.nix",
        "nix/lang/parse-fail-regression-20060610.nix",
        "tvix/nix_tests/parse-fail-undef-var.nix",
        "tvix/nix_tests/parse-fail-regression-20060610.nix",
    };

    private const string Absent = "(../shared is absent)";

    private static string CasesDir => TestPaths.Shared("conformance", "cases");

    private static TheoryData<string> Cases(params string[] patterns)
    {
        var data = new TheoryData<string>();
        if (TestPaths.SharedDir == null)
        {
            data.Add(Absent);
            return data;
        }
        var files = new List<string>();
        foreach (var pattern in patterns)
        {
            foreach (var f in Directory.EnumerateFiles(CasesDir, pattern, SearchOption.AllDirectories))
                files.Add(Path.GetRelativePath(CasesDir, f).Replace('\\', '/'));
        }
        files.Sort(StringComparer.Ordinal);
        foreach (var f in files) data.Add(f);
        return data;
    }

    public static TheoryData<string> OkayCases() => Cases("parse-okay-*.nix", "eval-okay-*.nix", "identity-*.nix");

    public static TheoryData<string> ParseFailCases() => Cases("parse-fail-*.nix");

    public static TheoryData<string> EvalFailCases() => Cases("eval-fail-*.nix");

    private static ParseResult ParseCase(string relative)
    {
        var full = Path.Combine(CasesDir, relative);
        return NixParser.Parse(new SourceText(full, File.ReadAllBytes(full), full));
    }

    [SharedTheory]
    [MemberData(nameof(OkayCases))]
    public void OkayCasesParseWithoutErrors(string relative)
    {
        // Warnings (the cursed `or`) do not stop a case.
        var result = ParseCase(relative);
        Assert.True(!result.HasErrors, relative + ":\n" + string.Join("\n", result.Diagnostics));
    }

    [SharedTheory]
    [MemberData(nameof(ParseFailCases))]
    public void ParseFailCasesFail(string relative)
    {
        var result = ParseCase(relative);
        if (ExpectedCompilerCases.Contains(relative))
        {
            Assert.False(result.HasErrors, relative + " fails only in the compiler (undefined variable), not in the parser");
            return;
        }
        Assert.True(result.HasErrors, relative + " must not parse");
        var expected = ExpectedFirstError(relative);
        if (expected != null) Assert.Equal(expected.Value, (result.Diagnostics[0].Message, result.Diagnostics[0].Position));
    }

    /// <summary>eval-fail cases whose expected error is one the parser reports must get the same message at the same place.</summary>
    [SharedTheory]
    [MemberData(nameof(EvalFailCases))]
    public void EvalFailCasesWithParseErrorsMatchNix(string relative)
    {
        var result = ParseCase(relative);
        var expected = ExpectedFirstError(relative);
        if (!result.HasErrors)
        {
            if (expected != null) Assert.False(IsParserMessage(expected.Value.Message), $"{relative}: expected the parser to report: {expected.Value.Message}");
            return;
        }
        if (expected != null) Assert.Equal(expected.Value, (result.Diagnostics[0].Message, result.Diagnostics[0].Position));
    }

    private static bool IsParserMessage(string message) =>
        message.StartsWith("syntax error", StringComparison.Ordinal)
        || message.Contains("already defined at", StringComparison.Ordinal)
        || message.StartsWith("duplicate formal function argument", StringComparison.Ordinal)
        || message.StartsWith("dynamic attributes not allowed", StringComparison.Ordinal)
        || message == "path has a trailing slash"
        || message.StartsWith("invalid integer", StringComparison.Ordinal)
        || message.StartsWith("invalid float", StringComparison.Ordinal);

    /// <summary>The first <c>error:</c> of the case's .err.exp and its position, or null.</summary>
    private static (string Message, (int, int) Position)? ExpectedFirstError(string relative)
    {
        var errExp = Path.Combine(CasesDir, Path.ChangeExtension(relative, null) + ".err.exp");
        if (!File.Exists(errExp)) return null;
        var lines = File.ReadAllLines(errExp);
        var start = Array.FindIndex(lines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        if (start < 0) return null;
        var message = lines[start]["error: ".Length..];
        var i = start + 1;
        for (; i < lines.Length && !lines[i].StartsWith("       at ", StringComparison.Ordinal); i++)
            message += "\n" + (lines[i].StartsWith("       ", StringComparison.Ordinal) ? lines[i][7..] : lines[i]);
        if (i == lines.Length) return null;
        // "       at «stdin»:3:3:" or "       at /pwd/lang/x.nix:3:3:"
        var at = lines[i].TrimEnd(':');
        var parts = at.Split(':');
        if (parts.Length < 3 || !int.TryParse(parts[^2], out var line) || !int.TryParse(parts[^1], out var column)) return null;
        // Nix's message names the file; ours names it by our source name.
        var file = Path.Combine(CasesDir, relative);
        message = message.Replace("«stdin»", file, StringComparison.Ordinal)
            .Replace("/pwd/lang/", Path.GetDirectoryName(file) + "/", StringComparison.Ordinal);
        return (message, (line, column));
    }
}
