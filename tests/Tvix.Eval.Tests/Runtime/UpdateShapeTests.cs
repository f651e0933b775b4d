using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// <c>//</c> of sets whose names arrays were merged before reuses that merge's names and
/// positions (<see cref="Tvix.Eval.Runtime.UpdateShapes"/>): every repetition must give the same
/// values and positions as the first, also when the same names come with other positions.
/// Expected values are C++ Nix 2.8's.
/// </summary>
public sealed class UpdateShapeTests
{
    [Fact]
    public void RepeatedMergesOfTheSameLiteralsGiveEachTheirValuesAndPositions()
    {
        const string code = """
            let
              base = i: { a = i; b = "x"; };
              extra = { c = 3; b = "y"; };
              r = map (i: base i // extra) [ 1 2 3 ];
              o = map (i: (base i // { a = 5; }) // extra) [ 1 2 ];
              pos = n: s: let p = builtins.unsafeGetAttrPos n s; in [ p.line p.column ];
            in { inherit r o; p = map (pos "b") r; q = map (pos "a") r; po = map (pos "a") o; }
            """;
        Assert.Equal(
            "{ o = [ { a = 5; b = \"y\"; c = 3; } { a = 5; b = \"y\"; c = 3; } ]; "
            + "p = [ [ 3 20 ] [ 3 20 ] [ 3 20 ] ]; po = [ [ 5 28 ] [ 5 28 ] ]; "
            + "q = [ [ 2 15 ] [ 2 15 ] [ 2 15 ] ]; "
            + "r = [ { a = 1; b = \"y\"; c = 3; } { a = 2; b = \"y\"; c = 3; } { a = 3; b = \"y\"; c = 3; } ]; }",
            NixFile(code));
    }

    [Theory]
    // Either side's names inside the other's, disjoint, interleaved, and empty sides, each merged three times.
    [InlineData("{ a = 1; b = 2; }", "{ b = 3; }", "[ { a = 1; b = 3; } { a = 1; b = 3; } { a = 1; b = 3; } ]")]
    [InlineData("{ b = 2; }", "{ a = 1; b = 3; }", "[ { a = 1; b = 3; } { a = 1; b = 3; } { a = 1; b = 3; } ]")]
    [InlineData("{ a = 1; c = 2; }", "{ b = 3; d = 4; }", "[ { a = 1; b = 3; c = 2; d = 4; } { a = 1; b = 3; c = 2; d = 4; } { a = 1; b = 3; c = 2; d = 4; } ]")]
    [InlineData("{ }", "{ a = 1; }", "[ { a = 1; } { a = 1; } { a = 1; } ]")]
    [InlineData("{ a = 1; }", "{ }", "[ { a = 1; } { a = 1; } { a = 1; } ]")]
    public void RepeatedMergesAgreeWithTheFirst(string left, string right, string expected) =>
        Assert.Equal(expected, Nix($"map (i: {left} // {right}) [ 1 2 3 ]"));

    [Fact]
    public void MergesOfTheSameNamesWithOtherPositionsTakeThoseOthers()
    {
        // `s // { a = …; }` keeps s's names array but gives `a` a new position: merging it with
        // `extra` afterwards is a merge of the same names arrays with other positions.
        const string code = """
            let
              s = { a = 1; b = 2; };
              extra = { c = 3; };
              plain = s // extra;
              moved = (s // {
                a = 5; }) // extra;
              again = s // extra;
              pos = n: x: (builtins.unsafeGetAttrPos n x).line;
            in [ (pos "a" plain) (pos "a" moved) (pos "a" again) (pos "c" moved) ]
            """;
        Assert.Equal("[ 2 6 2 3 ]", NixFile(code));
    }
}
