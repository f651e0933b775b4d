using Tvix.Eval.Bytecode;
using Tvix.Eval.Runtime;
using Tvix.Eval.Syntax;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Bytecode;

/// <summary>
/// Selections that read only enclosing scopes make their thunks in the parent environment
/// (<see cref="ParentScope"/>, <see cref="CodeNode.OverParent"/>): the rewritten expression, and
/// programs whose values would show a variable read at the wrong depth or from a reused
/// environment.
/// </summary>
public sealed class ParentScopeTests
{
    private static readonly SourceText Source = SourceText.From("x");

    private static LocalNode Local(int depth, int index) => new(Source, default, depth, index);

    private static SelectNode Select(Node target, Node? orDefault = null) => new(Source, default, target, [new AttrKey(1, null)], orDefault);

    [Fact]
    public void EveryVariableIsOneLevelLessDeep()
    {
        var shifted = Assert.IsType<SelectNode>(ParentScope.Shift(Select(Local(2, 3), orDefault: new BinaryNode(Source, default, BinOp.Add, Local(1, 0), Local(3, 5)))));
        var target = Assert.IsType<LocalNode>(shifted.Target);
        Assert.Equal((1, 3), (target.Depth, target.Index));
        var orDefault = Assert.IsType<BinaryNode>(shifted.OrDefault);
        Assert.Equal((0, 0), (((LocalNode)orDefault.Left).Depth, ((LocalNode)orDefault.Left).Index));
        Assert.Equal((2, 5), (((LocalNode)orDefault.Right).Depth, ((LocalNode)orDefault.Right).Index));
    }

    [Fact]
    public void AnExpressionThatReadsItsOwnScopeOrHasScopesOfItsOwnStays()
    {
        Assert.Null(ParentScope.Shift(Select(Local(0, 1))));
        Assert.Null(ParentScope.Shift(Select(Local(1, 1), orDefault: Local(0, 0))));
        Assert.Null(ParentScope.Shift(Select(Local(1, 1), orDefault: new LambdaNode(Source, default))));
        Assert.Null(ParentScope.Shift(Select(new WithLookupNode(Source, default, "w", 7, [0], [0]))));
        var dynamicKey = new SelectNode(Source, default, Local(1, 0), [new AttrKey(-1, Local(0, 2))], null);
        Assert.Null(ParentScope.Shift(dynamicKey));
    }

    [Fact]
    public void ADynamicNameIsRewrittenToo()
    {
        var select = new SelectNode(Source, default, Local(1, 0), [new AttrKey(4, null), new AttrKey(-1, Local(2, 1))], null);
        var shifted = Assert.IsType<SelectNode>(ParentScope.Shift(select));
        Assert.Equal(4, shifted.Path[0].Sym);
        var name = Assert.IsType<LocalNode>(shifted.Path[1].Dynamic);
        Assert.Equal((1, 1), (name.Depth, name.Index));
    }

    [Theory]
    // Selections from variables one, two and three scopes up, from a rec set and a let around
    // them, with defaults and dynamic names, read after later calls reused their environments.
    [InlineData("let d = { file = \"f\"; }; g = n: v: { inherit (d) file; value = v; }; xs = map (i: g i i) [ 1 2 3 ]; in builtins.deepSeq (builtins.tail xs) xs",
        "[ { file = \"f\"; value = 1; } { file = \"f\"; value = 2; } { file = \"f\"; value = 3; } ]")]
    [InlineData("let f = d: map (a: b: [ a d.x (d.y or a) ]) [ 1 2 ]; fs = f { x = 10; }; in map (g: g 0) fs", "[ [ 1 10 1 ] [ 2 10 2 ] ]")]
    [InlineData("let f = s: k: n: { v = s.${k}; w = s.a.${k} or n; }; in [ (f { a = { }; b = 1; } \"b\" 5) (f { a = { b = 2; }; b = 3; } \"b\" 6) ]",
        "[ { v = 1; w = 5; } { v = 3; w = 2; } ]")]
    [InlineData("rec { d = { x = 1; }; g = n: [ d.x n ]; r = map g [ 7 8 ]; }.r", "[ [ 1 7 ] [ 1 8 ] ]")]
    [InlineData("let s = { x = 1; }; in with { y = 2; }; let f = a: b: [ s.x y b ]; in [ (f 0 3) (f 0 4) ]", "[ [ 1 2 3 ] [ 1 2 4 ] ]")]
    [InlineData("let top = { a = { b = 5; }; }; f = x: y: z: [ top.a.b x.k z ]; in [ (f { k = 1; } 0 2) (f { k = 3; } 0 4) ]", "[ [ 5 1 2 ] [ 5 3 4 ] ]")]
    [InlineData("let f = d: n: [ (d.missing or n) ]; in [ (f { } 1) (f { missing = 2; } 1) ]", "[ [ 1 ] [ 2 ] ]")]
    public void SelectionsFromEnclosingScopesReadTheRightValues(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void AMissingAttributeIsReportedWhereItIsSelected()
    {
        var (message, line, column, _) = EvalError("let d = { };\n    f = n: [ d.file ];\nin builtins.head (f 1)");
        Assert.Equal("attribute 'file' missing", message);
        Assert.Equal((2, 14), (line, column));
    }

    [Fact]
    public void TheThunkOfASelectionFromAnEnclosingScopeIsMadeOverTheParentEnvironment()
    {
        Assert.Contains("Delay", BodyOf("let d = { }; in n: [ d.file ]"));
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString("let d = { file = 1; }; f = n: [ d.file n ]; in f (builtins.add 1 1)", "/base");
        Assert.True(result.Success);
        evaluator.Run(cx =>
        {
            var list = cx.Force(result.Value).RawList;
            // The item is a thunk over `let`'s environment, not over the call's (which holds n).
            var thunk = list[0].RawThunk;
            Assert.False(thunk.IsEvaluated);
            var env = Env.FromValue(thunk.Result);
            Assert.Equal(ValueKind.Attrs, cx.Force(env[0]).Kind);
            Assert.Equal(1, cx.Force(list[0]).RawInt);
            return 0;
        });
    }
}
