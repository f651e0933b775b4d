using Tvix.Eval.Syntax;

namespace Tvix.Eval.Tests.Syntax;

/// <summary>
/// The legacy <c>f or</c> (an application to a variable named <c>or</c>) warns where current Nix
/// warns: as an argument, a list element or an <c>or</c> default, not where it is a whole
/// application (conformance: eval-okay-deprecate-cursed-or).
/// </summary>
public sealed class CursedOrWarningTests
{
    private static List<Diagnostic> Warnings(string source)
    {
        var result = NixParser.Parse(SourceText.From(source, "«stdin»"));
        Assert.False(result.HasErrors, source);
        return result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).ToList();
    }

    [Theory]
    [InlineData("[ (x: x) or ]", 1, 3, "(x: x) or")]
    [InlineData("(x: x * 2) (x: x + 1) or", 1, 12, "(x: x + 1) or")]
    [InlineData("{ a = 2; }.a or (x: x) or", 1, 17, "(x: x) or")]
    [InlineData("f\n  g or", 2, 3, "g or")]
    public void WarnsWhereTheMeaningWillChange(string source, int line, int column, string snippet)
    {
        var warning = Assert.Single(Warnings(source));
        Assert.Equal((line, column), warning.Position);
        Assert.StartsWith("This expression uses `or` as an identifier in a way that will change in a future Nix release.\n", warning.Message);
        Assert.Contains($"\n    ({snippet})\n", warning.Message);
        Assert.Equal($"warning: at «stdin»:{line}:{column}: {warning.Message}", warning.ToString());
        Assert.Equal($"warning: at «stdin»:{line}:{column}: {warning.Message}\n", DiagnosticFormatter.Format(warning));
    }

    [Theory]
    [InlineData("map or [ ]")]
    [InlineData("f (f or)")]
    [InlineData("[ ((x: x) or) ]")]
    [InlineData("g or")]
    [InlineData("{ a = 1; }.a or 2")]
    [InlineData("[ a.b or c ]")]
    public void StaysQuietWhereItKeepsItsMeaning(string source) => Assert.Empty(Warnings(source));

    [Fact]
    public void TheWarningDoesNotStopEvaluation() =>
        Assert.Equal("[ 1 ]", Runtime.EvalHelper.Nix("let or = 1; f = x: x; in [ f or ]"));
}
