using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Compiler;

/// <summary>
/// Members of big sets and <c>let</c>s are compiled on their first run (DeferredNode), yet a
/// file's static errors are all reported when it loads, as in Nix, and a member compiled late
/// sees the same names as one compiled with its file.
/// </summary>
public sealed class DeferredCompileTests
{
    /// <summary>Enough filler bindings to make a set or <c>let</c> big enough for deferred members.</summary>
    private static readonly string Filler = string.Join(" ", Enumerable.Range(0, 64).Select(i => $"pad{i} = {i} + 1;"));

    [Theory]
    [InlineData("a = [ nope ];", "undefined variable 'nope'")]
    [InlineData("a = let x = 1; in [ x nope ];", "undefined variable 'nope'")]
    [InlineData("a = (x: [ x nope ]) 1;", "undefined variable 'nope'")]
    [InlineData("a = ({ x ? nope }: x) { };", "undefined variable 'nope'")]
    [InlineData("a = rec { inherit nope; };", "undefined variable 'nope'")]
    [InlineData("a = let inherit nope; in 1 + 1;", "undefined variable 'nope'")]
    [InlineData("a = { ${nope} = 1; };", "undefined variable 'nope'")]
    [InlineData("a = \"x${nope}\";", "undefined variable 'nope'")]
    [InlineData("a = [ (let ${\"x\" + \"y\"} = 1; in 2) ];", "dynamic attributes not allowed in let")]
    [InlineData("a = { inherit ({ }) ${\"x\" + \"y\"}; };", "dynamic attributes not allowed in inherit")]
    public void AnErrorInAMemberThatNeverRunsIsReportedWhenTheFileLoads(string member, string message)
    {
        // The set is evaluated, but not the member.
        Assert.Equal(message, EvalError($"builtins.attrNames {{ {Filler} {member} }}").Message);
        Assert.Equal(message, EvalError($"let {Filler} {member} in 1").Message);
        Assert.Equal(message, EvalError($"(rec {{ {Filler} {member} }}).pad0").Message);
    }

    // nixpkgs' pkgs/top-level/ruby-packages.nix: a file that is one big set, with no enclosing
    // scope at all (rubyPackages crashed with a NullReferenceException).
    [Fact]
    public void AFileThatIsABigSetEvaluates() =>
        Assert.Equal("[ 64 [ \"x\" ] ]", Nix("let s = import /base/big.nix; in [ s.pad63 s.a ]",
            new EvaluatorOptions { IO = new InMemoryEvalIO().AddFile("/base/big.nix", $"{{ {Filler} a = [ \"x\" ]; }}") }));

    [Fact]
    public void UnderAWithOnlyTheOtherErrorsRemain()
    {
        Assert.Equal("1", Nix($"with {{ }}; (rec {{ {Filler} a = [ nope ]; b = 1; }}).b"));
        Assert.Equal("dynamic attributes not allowed in let",
            EvalError($"with {{ }}; {{ {Filler} a = let ${{\"x\" + \"y\"}} = 1; in 2; }}").Message);
    }

    [Fact]
    public void AMemberCompiledLateSeesTheNamesAroundIt()
    {
        // The set's own names, a shadowing let, a lambda's parameter.
        Assert.Equal("[ 1 2 [ 1 3 ] ]", Nix($"(rec {{ {Filler} x = 1; a = [ x (let x = 2; in x) ((y: [ x y ]) 3) ]; }}).a"));
        // A let and a with of the enclosing function, kept in its environment.
        Assert.Equal("[ 7 7 5 ]", Nix($"((p: let q = p; in with {{ z = 5; }}; {{ {Filler} a = [ q p z ]; }}) 7).a"));
        // A let with the big bindings themselves.
        Assert.Equal("[ 2 3 ]", Nix($"let {Filler} b = 2; a = [ b (let c = b + 1; in c) ]; in a"));
        // The same let inside a function, whose environment keeps the let's names.
        Assert.Equal("[ 2 3 5 ]", Nix($"(p: let {Filler} b = p; a = [ b (let c = b + 1; in c) (with {{ d = 5; }}; d) ]; in a) 2"));
        // A set whose inherit source needs an environment of its own.
        Assert.Equal("[ 3 1 ]", Nix($"let q = 3; in ({{ inherit ({{ o = 1; }}) o; {Filler} a = [ q ((x: x) 1) ]; }}).a"));
        // Formals with defaults, @-patterns and an inner big set.
        Assert.Equal("[ 4 3 ]", Nix($"(rec {{ {Filler} k = 3; a = (args@{{ m ? k + 1, ... }}: [ m args.n ]) {{ n = 3; }}; }}).a"));
        Assert.Equal("66", Nix($"(rec {{ {Filler} a = {{ {Filler} b = [ pad63 a.pad1 ]; }}; r = builtins.elemAt a.b 0 + builtins.elemAt a.b 1; }}).r"));
        // Inherits from an expression, dynamic names, interpolation.
        Assert.Equal("[ 1 \"v\" \"s-1\" ]", Nix($"let {Filler} o = {{ p = 1; }}; a = [ (rec {{ inherit (o) p; }}).p ({{ ${{\"k\"}} = \"v\"; }}).k \"s-${{toString pad0}}\" ]; in a"));
    }

    [Fact]
    public void AMemberCompiledLateFailsAsOneCompiledWithItsFile()
    {
        // The same lines, with a small let (compiled at once) and a big one.
        var eager = EvalError("let pad = 0;\n  a = [ (1 + { }) ];\nin builtins.head a");
        var late = EvalError($"let {Filler}\n  a = [ (1 + {{ }}) ];\nin builtins.head a");
        Assert.Equal(eager, late);
        Assert.Equal(2, late.Line);
    }

    [Fact]
    public void CurrentPositionInAMemberCompiledLate()
    {
        Assert.Equal("[ 2 ]", NixFile($"let {Filler}\n  a = [ __curPos.line ];\nin a"));
    }
}
