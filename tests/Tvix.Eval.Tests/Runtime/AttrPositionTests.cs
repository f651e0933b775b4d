using Xunit;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// Where attributes are, as <c>unsafeGetAttrPos</c> and <c>toXML</c> tell: the expected
/// positions are C++ Nix's (<c>nix-instantiate --eval --strict</c>), or current Nix's where it
/// differs from 2.8 (sources that are not files have no positions).
/// </summary>
public sealed class AttrPositionTests
{
    [Theory]
    // Every attribute a path defines is at the path's start.
    [InlineData("{ a.b.c = 1; }", "a", "[ 1 3 ]")]
    [InlineData("{ a.b.c = 1; }.a", "b", "[ 1 3 ]")]
    [InlineData("{ a.b.c = 1; }.a.b", "c", "[ 1 3 ]")]
    [InlineData("{ x.y = 1; x.z = 2; }.x", "z", "[ 1 12 ]")]
    [InlineData("{ w = { p = 1; }; w.q = 2; }.w", "p", "[ 1 9 ]")]
    [InlineData("{ w = { p = 1; }; w.q = 2; }.w", "q", "[ 1 19 ]")]
    [InlineData("{ ${\"d\"}.e.f = 3; }.d.e", "f", "[ 1 3 ]")]
    // `inherit (s) a`: at the name, as current Nix (2.8 said one column before it).
    [InlineData("let s = { a = 1; }; in { inherit (s) a; }", "a", "[ 1 38 ]")]
    // Builtins that keep attributes keep their positions; listToAttrs takes the pair's `value`.
    [InlineData("builtins.removeAttrs { k = 1; l = 2; } [ \"l\" ]", "k", "[ 1 24 ]")]
    [InlineData("builtins.intersectAttrs { k = 0; } { k = 1; l = 2; }", "k", "[ 1 38 ]")]
    [InlineData("builtins.listToAttrs [ { name = \"b\"; value = 1; } { value = 2; name = \"a\"; } ]", "a", "[ 1 53 ]")]
    [InlineData("builtins.listToAttrs [ { name = \"b\"; value = 1; } { value = 2; name = \"a\"; } ]", "b", "[ 1 38 ]")]
    [InlineData("builtins.listToAttrs [ { name = \"b\"; value = 1; } { name = \"b\"; value = 3; } ]", "b", "[ 1 38 ]")]
    [InlineData("builtins.functionArgs ({ a, b ? 1 }: a)", "b", "[ 1 29 ]")]
    [InlineData("{ a = 1; } // { b = 2; }", "b", "[ 1 17 ]")]
    // Names known only at run time: at the `${`, and the static ones beside them keep theirs.
    [InlineData("let n = \"q\"; in { ${n}.x = 1; b = 2; }", "q", "[ 1 19 ]")]
    [InlineData("let n = \"q\"; in { ${n}.x = 1; b = 2; }", "b", "[ 1 31 ]")]
    [InlineData("rec { x = 1; ${\"y\" + \"\"} = x; }", "y", "[ 1 14 ]")]
    public void AttributesAreWhereNixPutsThem(string set, string name, string expected)
    {
        // The set sits at the start of line 1 of the file: `(let p = … (SET); in …)` shifts it.
        var code = $"let p = builtins.unsafeGetAttrPos \"{name}\" (\n{set}); in [ (p.line - 1) p.column ]";
        Assert.Equal(expected, NixFile(code));
    }

    [Theory]
    [InlineData("builtins.mapAttrs (n: v: v) { x = 1; }", "x")]
    [InlineData("builtins.zipAttrsWith (n: v: v) [ { x = 1; } ]", "x")]
    [InlineData("builtins.listToAttrs [ { name = \"x\"; value = 1; } ]", "y")]
    public void NewAttributesHaveNoPosition(string set, string name) =>
        Assert.Equal("null", NixFile($"builtins.unsafeGetAttrPos \"{name}\" ({set})"));

    [Fact]
    public void SourcesThatAreNotFilesHaveNoPositions()
    {
        Assert.Equal("null", Nix("builtins.unsafeGetAttrPos \"a\" { a = 1; }"));
        Assert.Equal("null", Nix("__curPos"));
        Assert.Equal("[ 1 9 ]", NixFile("let p = __curPos; in [ p.line p.column ]"));
    }

    [Fact]
    public void XmlOfCodeThatIsNotAFileHasPositionsWithoutPath()
    {
        // As current Nix's `nix-instantiate --eval --xml -E`: line and column, no path.
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString("{ a.b = x: x; }", "/base");
        Assert.True(result.Success);
        var xml = evaluator.Run(cx => cx.PrintXml(result.Value, strict: true));
        Assert.Contains("<attr column=\"3\" line=\"1\" name=\"b\">", xml);
        Assert.Contains("<function column=\"9\" line=\"1\">", xml);
        Assert.DoesNotContain("path=", xml);
    }

    [Theory]
    // A repeated name known only at run time: the message names the first definition (static or
    // dynamic), the error is at the repeated name's `${`.
    [InlineData("let n = \"b\"; in {\n  ${n} = 1;\n  ${n} = 2;\n}", "dynamic attribute 'b' already defined at /base/test.nix:2:3", 3, 3)]
    [InlineData("let n = \"a\"; in {\n  a = 1;\n  ${n} = 2;\n}", "dynamic attribute 'a' already defined at /base/test.nix:2:3", 3, 3)]
    [InlineData("let n = \"a\"; m = \"c\"; in {\n  ${m} = 0; a = 1;\n  ${n} = 2;\n}", "dynamic attribute 'a' already defined at /base/test.nix:2:13", 3, 3)]
    public void ARepeatedDynamicNameNamesTheFirstDefinition(string code, string message, int line, int column)
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO().AddFile("/base/test.nix", code) });
        var result = evaluator.EvaluateFile("/base/test.nix");
        var error = result.Success
            ? Assert.Throws<NixEvalException>(() => evaluator.Run(cx => cx.Print(result.Value, strict: true)))
            : result.Error!;
        Assert.Equal(message, error.Message);
        Assert.Equal((line, column), error.ErrorSource!.GetLineColumn(error.Span.Start));
    }
}
