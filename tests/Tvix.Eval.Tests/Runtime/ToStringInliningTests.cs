using FsCheck;
using FsCheck.Fluent;
using Tvix.Eval.Bytecode;
using Tvix.Eval.Runtime;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// <c>toString e</c> of the global builtin is compiled without a thunk for <c>e</c> and without the
/// call, and inside an interpolation an integer's digits go straight into the result. The results,
/// errors and traces must be those of the builtin call.
/// </summary>
public sealed class ToStringInliningTests
{
    [Fact]
    public void TheArgumentIsEvaluatedInPlace()
    {
        var toString = BodyOf("x: toString (x * 3)");
        Assert.Contains("ToString", toString);
        Assert.DoesNotContain("MakeThunk", toString);
        Assert.DoesNotContain("Call", toString);
        var piece = BodyOf("x: \"a${toString (x * 3)}b\"");
        Assert.Contains("ToStringPiece", piece);
        Assert.DoesNotContain("MakeThunk", piece);
    }

    [Fact]
    public void AShadowedToStringIsCalled()
    {
        Assert.Equal("[ \"shadow\" \"shadow!\" ]", Nix("let toString = x: \"shadow\"; in [ (toString 1) \"${toString 2}!\" ]"));
        Assert.Contains("Call", BodyOf("let toString = y: y; in x: toString x"));
    }

    [Fact]
    public void IntegersInAnInterpolationAgreeWithTheirDecimalForm() =>
        Prop.ForAll<long, long, string>((a, b, word) =>
        {
            var w = new string((word ?? "").Where(char.IsAsciiLetterOrDigit).Take(20).ToArray());
            var expected = $"\"<{a}|{w}|{b}{b}>\"";
            var actual = Nix($"let a = {Literal(a)}; b = {Literal(b)}; in \"<${{toString a}}|{w}|${{toString b}}${{toString b}}>\"");
            return expected == actual;
        }).QuickCheckThrowOnFailure();

    // Nix has no negative literals: -n is a negation, and the smallest long is written as a difference.
    private static string Literal(long n) => n == long.MinValue ? "(-9223372036854775807 - 1)" : n < 0 ? $"(-{-n})" : $"{n}";

    [Fact]
    public void EveryKindToStringAcceptsStillWorksInAnInterpolation()
    {
        Assert.Equal(
            "\"[0|-1|1||1.500000|1 2 x|s|/base/p|me|op|1234567890123]\"",
            Nix("""
                "[${toString 0}|${toString (-1)}|${toString true}|${toString null}|${toString 1.5}|${toString [ 1 2 "x" ]}|${toString "s"}|${toString ./p}|${toString { __toString = s: "me"; }}|${toString { outPath = "op"; }}|${toString 1234567890123}]"
                """));
    }

    [Fact]
    public void IntegerPiecesKeepTheContextOfTheOtherPieces()
    {
        Assert.Equal("[ true 8 ]", Nix("""
            let s = builtins.appendContext "abc" { "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x" = { path = true; }; };
                r = "${s}-${toString 1234}";
            in [ (builtins.hasContext r) (builtins.stringLength r) ]
            """));
    }

    [Fact]
    public void AnIntegerAppendedToALongStringInAFoldGivesTheSameString()
    {
        Assert.Equal("true", Nix("""
            let
              grown = builtins.foldl' (acc: i: "${acc}${toString i},") "" (builtins.genList (x: x) 3000);
              flat = builtins.concatStringsSep "" (builtins.genList (i: "${toString i},") 3000);
            in grown == flat
            """));
    }

    [Fact]
    public void ErrorsKeepTheBuiltinsPositionAndTrace()
    {
        var (message, line, column, _) = EvalError("let f = x: \"a${toString x}\"; in f (y: y)");
        Assert.StartsWith("cannot coerce a function to a string", message);
        Assert.Equal((1, 16), (line, column));
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString("let f = x: \"a${toString x.y}\"; in f { }", "/base");
        var error = Assert.IsType<NixEvalException>(result.Error ?? CatchPrint(evaluator, result.Value));
        var frames = error.Trace.Select(f => f.Message).ToArray();
        Assert.Contains("while calling the 'toString' builtin", frames);
        Assert.Contains("from call site", frames);
    }

    private static NixEvalException? CatchPrint(Evaluator evaluator, Value value)
    {
        try { evaluator.Run(cx => cx.Print(value, strict: true)); }
        catch (NixEvalException e) { return e; }
        return null;
    }

    [Fact]
    public void ForcedStringsReplaceTheirThunksWithoutChangingEquality()
    {
        // foldl' and concatStringsSep put forced strings in place of their thunks; functions stay
        // behind theirs, so a list sharing the thunk still compares equal slot by slot.
        Assert.Equal("[ true \"s0,s1,s2\" true \"s0s1s2\" ]", Nix("""
            let
              l = map (x: y: y) [ 1 ];
              l2 = l ++ [ ];
              r = builtins.foldl' (a: g: a + g 1) 0 l;
              s = builtins.genList (i: "s${toString i}") 3;
              s2 = s ++ [ ];
              j = builtins.concatStringsSep "," s;
            in builtins.seq r [ (l == l2) j (s == s2) (builtins.foldl' (a: x: a + x) "" s) ]
            """));
    }

    [Fact]
    public void NestedInterpolationsAreOneConcatenation()
    {
        var body = BodyOf("x: \"<${\"(${\"[${toString x}]\"})\"}>\"");
        Assert.Single(body.Split('\n'), l => l.Contains(" Interpolate"));
        Assert.Equal(
            "[ \"<([5])>\" \"a\" \"acb\" true \"1234567891011121314!\" ]",
            Nix("""
                let x = 5; s = builtins.appendContext "c" { "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x" = { path = true; }; }; in
                [ "<${"(${"[${toString x}]"})"}>" "${"${"${"a"}"}"}" "a${"${s}"}b" (builtins.hasContext "a${"${s}"}b")
                  "${"1${"2${"3${"4${"5${"6${"7${"8${"9${"10${"11${"12${"13${toString 14}"}"}"}"}"}"}"}"}"}"}"}"}"}!" ]
                """));
    }
}
