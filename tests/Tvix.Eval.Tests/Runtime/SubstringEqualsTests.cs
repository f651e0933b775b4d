using FsCheck;
using FsCheck.Fluent;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// <c>substring start len s == e</c> (nixpkgs lib's <c>hasPrefix</c> and <c>hasSuffix</c>) is
/// compiled to compare the bytes in range without making the substring. Results, errors, their
/// order and traces must be those of the builtin call followed by <c>==</c>; the reference here is
/// the same expression with the builtin hidden behind an identity function, which the compiler
/// cannot see through.
/// </summary>
public sealed class SubstringEqualsTests
{
    private const string Hidden = "let hidden = (x: x) builtins.substring; in ";

    [Fact]
    public void TheComparisonMakesNoSubstring()
    {
        var body = BodyOf("pref: str: builtins.substring 0 (builtins.stringLength pref) str == pref");
        Assert.True(body.Contains("SubstringRange", StringComparison.Ordinal), body);
        Assert.Contains("SliceEq", body);
        Assert.DoesNotContain("CallMany", body);
        Assert.Contains("SliceNeq", BodyOf("s: builtins.substring 1 2 s != \"x\""));
        // nixpkgs' lib/strings.nix: the builtin inherited into a recursive set.
        Assert.Contains("SliceEq", BodyOf("(rec { inherit (builtins) stringLength substring; hasPrefix = pref: str: substring 0 (stringLength pref) str == pref; }).hasPrefix"));
        // A shadowed name is called as it is.
        Assert.Contains("CallMany", BodyOf("let substring = a: b: c: \"x\"; in s: substring 1 2 s == \"x\""));
    }

    [Fact]
    public void AgreesWithTheCallForAnyRange() =>
        Prop.ForAll<(int, int), string, string>((range, text, other) =>
        {
            var (start, len) = range;
            var s = Literal(text);
            var o = Literal(other);
            var a = Math.Abs(start % 12);
            var l = len % 14;
            var args = $"{a} ({l}) {s}";
            var fused = Nix($"[ (builtins.substring {args} == {o}) (builtins.substring {args} != {o}) (builtins.substring {args} == builtins.substring {args}) ]");
            var called = Nix(Hidden + $"[ (hidden {args} == {o}) (hidden {args} != {o}) (hidden {args} == hidden {args}) ]");
            return fused == called;
        }).QuickCheckThrowOnFailure();

    private static string Literal(string? text) =>
        "\"" + new string((text ?? "").Where(c => char.IsAsciiLetterOrDigit(c) || c == ' ').Take(10).ToArray()) + "\"";

    [Theory]
    [InlineData("builtins.substring 0 1 \"a\" == 1", "false")]
    [InlineData("builtins.substring 0 1 \"a\" == null", "false")]
    [InlineData("builtins.substring 0 1 \"a\" == /a", "false")]
    [InlineData("builtins.substring 0 1 \"a\" == { x = throw \"deep\"; }", "false")]
    [InlineData("builtins.substring 5 1 \"abc\" == \"\"", "true")]
    [InlineData("builtins.substring 0 9999999999999 \"abc\" == \"abc\"", "true")]
    [InlineData("builtins.substring 0 (-1) \"abc\" == \"abc\"", "true")]
    [InlineData("builtins.substring 1 1 \"a日b\" == builtins.substring 1 1 \"x日y\"", "true")]
    // Contexts do not take part in equality.
    [InlineData("builtins.substring 0 3 (builtins.appendContext \"abcd\" { \"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x\" = { path = true; }; }) == \"abc\"", "true")]
    public void ComparesAsEqualityDoes(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Theory]
    [InlineData("(-1) 1 \"abc\"", "s")]
    [InlineData("\"x\" 1 \"a\"", "s")]
    [InlineData("0 \"y\" \"a\"", "(throw \"right\")")]
    [InlineData("0 1 { }", "(throw \"right\")")]
    [InlineData("0 (throw \"length\") \"a\"", "s")]
    [InlineData("0 1 \"a\"", "(throw \"right\")")]
    public void ErrorsAndTheirTracesAreTheCallsAndComeInItsOrder(string args, string right)
    {
        var fused = Failure($"let f = s: builtins.substring {args} == {right}; in f \"a\"");
        var called = Failure(Hidden + $"let f = s: hidden {args} == {right}; in f \"a\"");
        Assert.Equal(called.Message, fused.Message);
        Assert.Equal(called.Trace.Select(t => t.Message), fused.Trace.Select(t => t.Message));
    }

    private static NixEvalException Failure(string code)
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString(code, "/base");
        if (result.Error is { } error) return error;
        try { evaluator.Run(cx => cx.Print(result.Value, strict: true)); }
        catch (NixEvalException e) { return e; }
        throw new Xunit.Sdk.XunitException("expected an evaluation error");
    }
}
