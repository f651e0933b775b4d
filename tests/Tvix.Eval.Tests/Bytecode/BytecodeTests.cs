using Tvix.Eval.Bytecode;
using Tvix.Eval.Runtime;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Bytecode;

/// <summary>
/// The bytecode back end: programs that exercise its limits (operand stack depth, long calls and
/// interpolations, fused instructions, branches that return), and the code it emits.
/// </summary>
public sealed class BytecodeTests
{
    private static string[] Opcodes(string listing) =>
        listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[1]).ToArray();

    [Fact]
    public void ACallInTailPositionIsOneFusedInstructionPerOperand()
    {
        // The function is a variable one scope up, the argument a variable of this one.
        Assert.Equal(["Local1", "PushLocalRaw", "CallReturn"], Opcodes(BodyOf("let f = y: y; in x: f x")));
    }

    [Fact]
    public void BothBranchesOfATailIfReturn()
    {
        var ops = Opcodes(BodyOf("let f = y: y; g = y: y; in x: if x then f x else g x"));
        Assert.Equal(2, ops.Count(o => OpInfo.Returns(Enum.Parse<OpCode>(o))));
        Assert.DoesNotContain("Jump", ops);
    }

    [Fact]
    public void AComparisonInAnIfBranchesDirectly()
    {
        var ops = Opcodes(BodyOf("n: if n < 2 then n else 0"));
        Assert.Contains("CompareJump", ops);
        Assert.DoesNotContain("Lt", ops);
    }

    [Fact]
    public void AnIntegerOperationInALazyPositionIsFoldedOrDeferred()
    {
        Assert.Contains("DelayFold", Opcodes(BodyOf("let f = y: y; in n: f (n - 1)")).Select(o => o.Replace("Push", "")));
        Assert.Equal("[ 4 ]", Nix("let f = n: [ (n - 1) ]; in f 5"));
        // Overflow is not folded: the thunk raises it when forced, where Nix does.
        Assert.Equal("1", Nix("let f = n: [ (n + 1) ]; in builtins.length (f 9223372036854775807)"));
        Assert.StartsWith("integer overflow", EvalError("let f = n: [ (n + 1) ]; in builtins.elemAt (f 9223372036854775807) 0").Message);
    }

    [Fact]
    public void DeeplyNestedOperandsSpillIntoUnitsOfTheirOwn()
    {
        // 1 + (2 + (3 + …)): each level keeps its left operand on the stack while the right one runs.
        var code = string.Concat(Enumerable.Range(1, 200).Select(i => $"{i} + (")) + "0" + new string(')', 200);
        Assert.Equal("20100", Nix(code));
        var strings = string.Concat(Enumerable.Range(1, 60).Select(i => $"\"{i}\" + (")) + "\"\"" + new string(')', 60);
        Assert.Equal('"' + string.Concat(Enumerable.Range(1, 60)) + '"', Nix(strings));
    }

    [Fact]
    public void LongInterpolationsAndCallsWork()
    {
        var parts = string.Concat(Enumerable.Range(0, 40).Select(i => $"${{toString {i}}}-"));
        Assert.Equal('"' + string.Concat(Enumerable.Range(0, 40).Select(i => $"{i}-")) + '"', Nix($"\"{parts}\""));
        var lambda = string.Concat(Enumerable.Range(0, 20).Select(i => $"a{i}: ")) + "a0 + a19";
        var args = string.Join(' ', Enumerable.Range(1, 20));
        Assert.Equal("21", Nix($"let f = {lambda}; in f {args}"));
        Assert.Equal("[ 1 2 3 4 5 6 7 8 9 10 11 12 ]", Nix("let f = a: b: c: d: e: f: g: h: i: j: k: l: [ a b c d e f g h i j k l ]; in f 1 2 3 4 5 6 7 8 9 10 11 12"));
    }

    [Fact]
    public void ErrorsInInterpolatedPartsArePositionedThere()
    {
        var (message, line, column, _) = EvalError("let x = 1; in\n\"a${toString x}b${builtins.throw \"boom\"}c\"");
        Assert.Equal("boom", message);
        Assert.Equal(2, line);
        Assert.Equal(19, column);
    }

    [Fact]
    public void ScopesAreLeftBeforeTheCodeAfterThem()
    {
        // A lexical binding wins over `with`.
        Assert.Equal("[ 2 1 ]", Nix("let x = 1; in [ ((with { x = 2; y = 1; }; x + y)) x ]"));
        Assert.Equal("4", Nix("let x = 1; in (with { y = 2; }; x + y) + x"));
        Assert.Equal("6", Nix("let x = 1; in (let y = 2; z = 3; in x + y + z + 0 * x)"));
        Assert.Equal("{ a = 1; b = 2; c = 1; }", Nix("let c = 1; s = { inherit ({ a = 1; b = 2; }) a b; inherit c; }; in s"));
    }

    [Theory]
    // Selections and `?` whose dynamic names hold selections and `?` of their own, with and
    // without defaults: each one's jumps go to its own default or end.
    [InlineData("let s = { a = { b = 1; }; k = \"b\"; }; in [ (s.a.${s.k} or 0) (s.a.${s.missing or \"b\"} or 2) (s.x.${s.k} or 3) (s ? a.${s.k}) (s ? a.${s.z or \"c\"}) (s.a.${if s ? k then s.k else \"q\"} or 4) ]", "[ 1 1 3 true false 1 ]")]
    [InlineData("let s = { a = { b = { c = 5; }; }; }; in [ (s.a.${if s.a ? b then \"b\" else \"x\"}.c or 0) (s.a.${if s.a ? q.r then \"b\" else \"x\"}.c or 6) ]", "[ 5 6 ]")]
    public void NestedSelectionsPatchTheirOwnJumps(string code, string expected) => Assert.Equal(expected, Nix(code));
}
