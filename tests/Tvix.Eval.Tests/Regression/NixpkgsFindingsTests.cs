using Tvix.Eval.Tests.Runtime;
using Xunit;

namespace Tvix.Eval.Tests.Regression;

/// <summary>
/// Differences from C++ Nix 2.8 found by evaluating nixpkgs 20.09 (docs/nixpkgs-findings.md),
/// each cut down to the smallest program that shows it. Every expected value is what
/// <c>nix-instantiate --eval --strict</c> (Nix 2.8.0) prints. A skipped fact fails today;
/// remove its Skip once the evaluator is fixed.
/// </summary>
public sealed class NixpkgsFindingsTests
{
    // F1: pkgs/data/fonts/profont does `fetchzip { ... } + /profont-x11`. In `a + b` Nix copies
    // paths to the store only when the left operand is a string; with a set on the left
    // (a derivation, coerced through outPath) the path is appended as plain text and need
    // not exist. We check that it exists (and with the glue, copy it).
    [Fact]
    public void SetPlusPathAppendsThePathAsText() =>
        Assert.Equal("\"/nix/store/x/profont-x11\"", EvalHelper.Nix("{ outPath = \"/nix/store/x\"; } + /profont-x11"));

    [Fact]
    public void ToStringSetPlusPathAppendsThePathAsText() =>
        Assert.Equal("\"a/profont-x11\"", EvalHelper.Nix("{ __toString = _: \"a\"; } + /profont-x11"));

    [Fact]
    public void SetWithPathOutPathPlusStringKeepsThePath() =>
        Assert.Equal("\"/some/where-x\"", EvalHelper.Nix("{ outPath = /some/where; } + \"-x\""));

    // Guards the part of F1 that is right today: a string on the left does copy (and so
    // requires the path), exactly as Nix.
    [Fact]
    public void StringPlusMissingPathFails() =>
        Assert.Contains("/profont-x11", EvalHelper.EvalError("\"a\" + /profont-x11").Message);

    // F2: nixos/modules/virtualisation/nixos-containers.nix uses `__curPos`, a keyword of
    // Nix's lexer (it works even where a variable of that name is bound).
    [Fact]
    public void CurPosGivesThePosition() =>
        Assert.Equal("[ 2 9 ]", EvalHelper.NixFile("\nlet p = __curPos; in [ p.line p.column ]"));

    [Fact]
    public void CurPosIsAKeywordNotAVariable() =>
        Assert.Equal("1", EvalHelper.NixFile("let __curPos = 5; in __curPos.line"));

    [Fact]
    public void CurPosLineIsUsableInStrings() =>
        Assert.Equal("\"line 1\"", EvalHelper.NixFile("\"line ${toString __curPos.line}\""));

    // F4: pkgs/tools/filesystems/irods/common.nix puts builtins.nixVersion into cmakeFlags, so
    // irods' and irods-icommands' .drv paths differ from Nix 2.8's unless we say "2.8.0".
    [Fact]
    public void NixVersionIsTheReferenceNixVersion() =>
        Assert.Equal("\"2.8.0\"", EvalHelper.Nix("builtins.nixVersion"));

    // The reported version is a setting, and what nixpkgs derives from it follows it.
    [Fact]
    public void NixVersionFollowsTheOption() =>
        Assert.Equal("[ \"2.24.1\" \"2\" ]", EvalHelper.Nix(
            "[ builtins.nixVersion (builtins.head (builtins.splitVersion builtins.nixVersion)) ]",
            new EvaluatorOptions { IO = new InMemoryEvalIO(), NixVersion = "2.24.1" }));

    // F6: nixos/lib/make-options-doc puts toJSON of every option's default into options.json
    // (the NixOS release job `options`); picom's `default = 1.0` is written `1` by Nix 2.8 and
    // `1.0` by current Nix, which tvix follows unless told otherwise.
    [Fact]
    public void ToJsonFloatsCanBeWrittenAsNix28Does() =>
        Assert.Equal("\"{\\\"default\\\":1,\\\"example\\\":0.8,\\\"third\\\":0.333333}\"",
            EvalHelper.Nix("builtins.toJSON { default = 1.0; example = 0.8; third = 1.0 / 3; }",
                new EvaluatorOptions { IO = new InMemoryEvalIO(), LegacyJsonFloats = true }));

    [Fact]
    public void ToJsonFloatsAreWrittenAsCurrentNixDoesByDefault() =>
        Assert.Equal("\"{\\\"default\\\":1.0,\\\"example\\\":0.8,\\\"third\\\":0.3333333333333333}\"",
            EvalHelper.Nix("builtins.toJSON { default = 1.0; example = 0.8; third = 1.0 / 3; }"));

    // Guards: nixpkgs idioms that evaluate as in Nix 2.8 today (checked against nix-instantiate).
    [Theory]
    [InlineData("{ outPath = \"/nix/store/x\"; } + \"y\"", "\"/nix/store/xy\"")]
    [InlineData("builtins.sort (a: b: a.k < b.k) [ { k = 1; v = \"a\"; } { k = 0; v = \"b\"; } { k = 1; v = \"c\"; } { k = 0; v = \"d\"; } ]",
        "[ { k = 0; v = \"b\"; } { k = 0; v = \"d\"; } { k = 1; v = \"a\"; } { k = 1; v = \"c\"; } ]")]
    [InlineData("builtins.functionArgs ({ a, b ? 1, ... }: a)", "{ a = false; b = true; }")]
    [InlineData("builtins.toString [ 1.0 0.1 (1.0e21) 1.0e-7 ]", "\"1.000000 0.100000 1000000000000000000000.000000 0.000000\"")]
    [InlineData("[ (0.1 + 0.2) 1.0 1.0e21 1.5e-7 123456789.0 100000.0 1000000.0 ]", "[ 0.3 1 1e+21 1.5e-07 1.23457e+08 100000 1e+06 ]")]
    [InlineData("builtins.toXML 1.0", "\"<?xml version='1.0' encoding='utf-8'?>\\n<expr>\\n  <float value=\\\"1\\\" />\\n</expr>\\n\"")]
    [InlineData("builtins.replaceStrings [ \"a\" \"ab\" ] [ \"1\" \"2\" ] \"abab\"", "\"1b1b\"")]
    [InlineData("builtins.splitVersion \"1.2a-pre3\"", "[ \"1\" \"2\" \"a\" \"pre\" \"3\" ]")]
    [InlineData("builtins.parseDrvName \"nix-0.12pre12876\"", "{ name = \"nix\"; version = \"0.12pre12876\"; }")]
    [InlineData("builtins.match \".*\\\\.(tar|zip)\\\\.?(gz)?\" \"x.tar.gz\"", "[ \"tar\" \"gz\" ]")]
    [InlineData("builtins.genericClosure { startSet = [ { key = 1; } ]; operator = x: if x.key < 3 then [ { key = x.key + 1; } ] else []; }",
        "[ { key = 1; } { key = 2; } { key = 3; } ]")]
    [InlineData("let x = [ 1 2 ]; in { a = x; b = x; }", "{ a = [ 1 2 ]; b = «repeated»; }")]
    [InlineData("[ (/a/b + \"/../c\") (/. + \"a\") (/a + \"b\") ]", "[ /a/c /a /ab ]")]
    public void NixpkgsIdiomsMatchNix28(string code, string expected) => Assert.Equal(expected, EvalHelper.Nix(code));
}
