using Tvix.Eval.Runtime;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// The members of a big set that are plain thunks get their thunk object only when something
/// needs it (<see cref="LazyMembers"/>): until then the set's value is a reference to the set's
/// members with an index. Copies of such a value must behave as copies of one thunk.
/// </summary>
public sealed class LazyMembersTests
{
    /// <summary>64 members that are plain thunks: enough to make a set's members lazy.</summary>
    private static readonly string Filler = string.Join(" ", Enumerable.Range(0, 64).Select(i => $"pad{i} = (x: x) {i};"));

    [Fact]
    public void AMemberGetsItsThunkWhenForcedAndNotBefore()
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString($"{{ {Filler} m = (x: x * 2) 21; }}", "/base");
        Assert.True(result.Success);
        evaluator.Run(cx =>
        {
            var set = cx.ForceAttrs(result.Value);
            Assert.True(set.TryGet(cx.Symbols.Intern("m"), out var m));
            Assert.Equal(ValueKind.Thunk, m.Kind);
            var members = Assert.IsType<LazyMembers>(m.Obj);
            Assert.Equal(0, members.MadeCount);
            // Asking whether it is evaluated makes no thunk.
            Assert.Equal(ValueKind.Thunk, m.Settled.Kind);
            Assert.Equal(0, members.MadeCount);
            Assert.Equal(42L, cx.Force(m).AsInt);
            Assert.Equal(1, members.MadeCount);
            // Forced now: the value settles to the result without forcing again.
            Assert.Equal(42L, m.Settled.AsInt);
            Assert.Same(m.RawThunk, m.RawThunk);
            return 0;
        });
    }

    [Fact]
    public void CopiesOfAMemberShareOneEvaluation()
    {
        var log = new StringWriter();
        var output = Nix($"let s = {{ {Filler} m = builtins.trace \"forced\" 1; }}; t = s // {{ x = 2; }}; in t.m + s.m",
            new EvaluatorOptions { IO = new InMemoryEvalIO(), Log = log });
        Assert.Equal("2", output);
        Assert.Single(log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("forced"));
    }

    [Fact]
    public void EachMemberIsItsOwnSlotForEquality()
    {
        // Nix treats the very same value slot as equal to itself (even a function) inside lists
        // and sets; two members are two slots, though they share one LazyMembers object.
        var only = (string name) => $"builtins.attrValues (builtins.intersectAttrs {{ {name} = null; }} s)";
        Assert.Equal("[ true false ]",
            Nix($"let s = {{ {Filler} m0 = (x: x) (y: y); m1 = (x: x) (y: y); }}; in [ ({only("m0")} == {only("m0")}) ({only("m0")} == {only("m1")}) ]"));
    }

    [Fact]
    public void MembersOfARecursiveSetSeeEachOther()
    {
        Assert.Equal("5", Nix($"(rec {{ {Filler} a = (x: x) b; b = (x: x) 5; }}).a"));
        Assert.Equal("[ 1 2 3 ]", Nix($"let s = rec {{ {Filler} a = [ b.x 2 c ]; b = {{ x = 1; }}; c = (x: x) 3; }}; in s.a"));
    }

    [Fact]
    public void ManyForcedMembersKeepTheirValues()
    {
        var members = string.Join(" ", Enumerable.Range(0, 500).Select(i => $"m{i} = (x: x) {i};"));
        // Every member forced, through the set and through copies of its values, twice.
        Assert.Equal("[ 124750 124750 499 ]", Nix(
            $"let s = {{ {members} }}; sum = builtins.foldl' (a: b: a + b) 0; in [ (sum (builtins.attrValues s)) (sum (builtins.attrValues (s // {{ }}))) s.m499 ]"));
    }

    [Fact]
    public void AFailingMemberFailsAgainWhenForcedAgain()
    {
        Assert.Equal("[ false false ]",
            Nix($"let s = {{ {Filler} m = throw \"boom\"; }}; in [ (builtins.tryEval s.m).success (builtins.tryEval (s // {{ }}).m).success ]"));
        Assert.Equal("boom", EvalError($"{{ {Filler} m = throw \"boom\"; }}.m").Message);
    }

    [Fact]
    public void AMembersCodeIsEmittedOnItsFirstRunAndErrsAsElsewhere()
    {
        // The member's unit is emitted when its thunk first runs (MemberCode); its errors must
        // have the position and message they have in a small set, whose members are emitted at once.
        const string member = "m = (x: x + \"a\") 1;";
        var inBigSet = EvalError($"{{ {Filler}\n {member} }}.m");
        var inSmallSet = EvalError($"{{ {string.Concat(Enumerable.Repeat("\n", Filler.Count(c => c == '\n')))}\n {member} }}.m");
        Assert.Equal(inSmallSet.Message, inBigSet.Message);
        Assert.Equal(inSmallSet.Line, inBigSet.Line);
        Assert.Equal(inSmallSet.Column - 1, inBigSet.Column - 1);
        Assert.Equal(2, inBigSet.Line);
        // A second member forced after the first was emitted, and the first again: still right.
        Assert.Equal("[ 11 11 12 ]", Nix($"let s = {{ {Filler} a = (x: x + 1) 10; b = (x: x + 2) 10; }}; in [ s.a (s // {{ }}).a s.b ]"));
    }

    [Fact]
    public void AMemberThatNeedsItselfIsInfiniteRecursion()
    {
        Assert.Equal("infinite recursion encountered", EvalError($"(rec {{ {Filler} m = (x: x) m; }}).m").Message);
    }

    [Fact]
    public void SetsWithOverridesKeepOneThunkPerSlot()
    {
        Assert.Equal("{ a = 2; }",
            Nix($"builtins.intersectAttrs {{ a = null; }} (rec {{ {Filler} a = (x: x) 1; __overrides = {{ a = 2; }}; }})"));
    }
}
