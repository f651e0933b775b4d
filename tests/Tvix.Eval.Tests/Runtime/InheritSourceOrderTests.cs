using Tvix.Eval.Bytecode;
using Xunit;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// A scope's <c>inherit (e)</c> sources are initialised before its names, so the names can take
/// an evaluated attribute of the source without a thunk; and a selection that never finds its set
/// ready stops trying. Both must be unobservable.
/// </summary>
public sealed class InheritSourceOrderTests
{
    [Theory]
    // A source that refers to a name of its own scope, bound after it.
    [InlineData("let inherit (b.c) d; b = { c = { d = 1; }; }; in d", "1")]
    [InlineData("(rec { inherit (x.y) a; x = { y = { a = 2; }; }; }).a", "2")]
    [InlineData("let f = s: let inherit (s.t) a b; in a + b; in f { t = { a = 1; b = 2; }; }", "3")]
    // Sources and the names taken from them stay lazy.
    [InlineData("let inherit (throw \"no\") a; in 1", "1")]
    [InlineData("let f = s: let inherit (s.t) a b; in b; in f { t = { a = throw \"no\"; b = 2; }; }", "2")]
    public void SourcesFirstChangesNoResult(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void MissingAttributeOfASourceIsStillReportedWhenForced() =>
        Assert.Equal("attribute 'a' missing", EvalError("let f = s: let inherit (s.t) a; in a; in f { t = { }; }").Message);

    [Fact]
    public void TheSourceIsStoredBeforeTheNamesThatSelectFromIt()
    {
        // Slots: s = 0, a = 1, b = 2, the hidden source `s.t` = 3.
        var listing = BodyOf("s: let inherit (s.t) a b; in a + b");
        var stores = listing.Split('\n').Where(l => l.Contains("StoreLocal")).Select(l => l.Trim().Split(' ')[^1]).ToArray();
        Assert.Equal(["3", "1", "2"], stores);
    }

    [Fact]
    public void ASelectionThatKeepsMissingStillEvaluatesTheSame()
    {
        // `d.x` is made while `d` is an unevaluated thunk each time, so its peek misses until it
        // gives up; the values must be the same before and after.
        var n = CodeNode.PeekMissLimit * 3;
        Assert.Equal($"{n * (n - 1) / 2}", Nix($"builtins.foldl' (acc: d: acc + (let v = d.x; in v)) 0 (map (i: {{ x = i; }}) (builtins.genList (i: i) {n}))"));
    }
}
