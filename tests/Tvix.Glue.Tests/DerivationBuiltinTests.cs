using Tvix.Eval;

namespace Tvix.Glue.Tests;

/// <summary>
/// The native <c>derivation</c> against the definition in Nix it replaces (the one Tvix.Eval
/// registers without the glue, written out below): the same attributes, values, sharing,
/// precedence and laziness.
/// </summary>
public sealed class DerivationBuiltinTests
{
    /// <summary>The Nix definition: the outputs as attributes and in <c>all</c>, each the common set plus its own four.</summary>
    private const string InNix = """
        drvAttrs @ { outputs ? [ "out" ], ... }:
        let
          strict = builtins.derivationStrict drvAttrs;
          outputSet = name: common // {
            outPath = builtins.getAttr name strict;
            drvPath = strict.drvPath;
            type = "derivation";
            outputName = name;
          };
          pairs = map (name: { inherit name; value = outputSet name; }) outputs;
          common = drvAttrs // builtins.listToAttrs pairs // { all = map (p: p.value) pairs; inherit drvAttrs; };
        in (builtins.head pairs).value
        """;

    private static string Both(string attrs, string probe)
    {
        var host = new GlueTestHost();
        var native = host.EvalStrict($"let d = derivation ({attrs}); in {probe}");
        var inNix = host.EvalStrict($"let d = ({InNix}) ({attrs}); in {probe}");
        Assert.Equal(inNix, native);
        return native;
    }

    private const string Multi = """{ name = "m"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = [ "out" "dev" "doc" ]; v = 1; }""";

    [Theory]
    [InlineData("builtins.attrNames d")]
    [InlineData("builtins.attrNames d.dev")]
    [InlineData("map (o: [ o.outputName o.outPath o.drvPath o.type ]) d.all")]
    [InlineData("[ d.outPath d.dev.outPath d.doc.outPath d.drvPath d.dev.drvPath d.v d.drvAttrs.v ]")]
    [InlineData("[ (d.out.dev.doc.outputName) (d.doc.out.outPath == d.outPath) (builtins.length d.dev.all) ]")]
    [InlineData("map (o: builtins.getContext o.outPath) d.all")]
    [InlineData("builtins.getContext d.drvPath")]
    [InlineData("[ (builtins.unsafeGetAttrPos \"v\" d != null) (builtins.unsafeGetAttrPos \"v\" d.dev != null) ]")]
    public void MultipleOutputsMatchTheNixDefinition(string probe) => Both(Multi, probe);

    [Fact]
    public void ManyOutputsMatchTheNixDefinition() =>
        Both("""{ name = "m"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = [ "o1" "o2" "o3" "o4" "o5" "o6" "o7" "o8" ]; }""",
            "[ (builtins.attrNames d.o5) (map (o: [ o.outputName o.outPath ]) d.all) d.o8.o1.outputName ]");

    [Fact]
    public void DefaultOutputIsOut() =>
        Assert.Equal("[ \"out\" [ \"out\" ] ]", Both("""{ name = "a"; builder = "/bin/sh"; system = "x86_64-linux"; }""",
            "[ d.outputName (map (o: o.outputName) d.all) ]"));

    [Fact]
    public void OwnAttributesOverrideTheArgumentsInNixsOrder() =>
        Both("""{ name = "a"; builder = "/bin/sh"; system = "x86_64-linux"; all = 1; drvAttrs = 2; type = "t"; outPath = "p"; outputName = "n"; out = 3; }""",
            "[ (builtins.isList d.all) d.drvAttrs.all d.type (d.out.outputName) d.outputName (d.outPath == d.out.outPath) ]");

    [Fact]
    public void DuplicateOutputsKeepTheFirstAsAttributeAndFailWhenBuilt()
    {
        const string attrs = """{ name = "a"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = [ "x" "y" "x" ]; }""";
        Assert.Equal("[ \"all\" \"builder\" \"drvAttrs\" \"drvPath\" \"name\" \"outPath\" \"outputName\" \"outputs\" \"system\" \"type\" \"x\" \"y\" ]",
            Both(attrs, "builtins.attrNames d"));
        Both(attrs, "map (o: o.outputName) d.all");
        Assert.Throws<NixEvalException>(() => new GlueTestHost().EvalStrict($"(derivation {attrs}).drvPath"));
    }

    // Messages as current Nix words them (the conformance suite's eval-fail-derivation* cases).
    [Theory]
    [InlineData("builtins.derivationStrict { }", "attribute 'name' missing")]
    [InlineData("""(derivation { name = "~jiggle~"; builder = "/x"; system = "s"; }).outPath""",
        "invalid derivation name: name '~jiggle~' contains illegal character '~'. Please pass a different 'name'.")]
    [InlineData("""(derivation { name = "~jiggle~"; builder = { }; system = "s"; }).outPath""",
        "invalid derivation name: name '~jiggle~' contains illegal character '~'. Please pass a different 'name'.")]
    [InlineData("""builtins.derivationStrict { name = "foo"; builder = 1; system = { }; }""", "cannot coerce a set to a string: { }")]
    [InlineData("""builtins.derivationStrict { name = "foo"; builder = 1; system = 1; args = [ "a" (x: x) ]; }""", "cannot coerce a function to a string: «lambda @ «string»:1:82»")]
    [InlineData("""builtins.addDrvOutputDependencies (derivation { name = "fail"; builder = "/bin/false"; system = "x"; outputs = [ "out" "foo" ]; }).outPath""",
        "`addDrvOutputDependencies` can only act on derivations, not on a derivation output such as 'out'")]
    [InlineData("builtins.filterSource [ ] /tmp", "expected a function but found a list: [ ]")]
    public void ErrorsSayWhatCurrentNixSays(string code, string message) =>
        Assert.Equal(message, Assert.Throws<NixEvalException>(() => new GlueTestHost().EvalStrict(code)).Message);

    [Fact]
    public void NothingIsInstantiatedUntilAPathIsForced() =>
        Assert.Equal("[ \"x\" \"derivation\" ]", Both("""{ name = "x"; }""", "[ d.name d.type ]"));

    [Fact]
    public void ItIsStillALambdaWithNixsPattern()
    {
        var host = new GlueTestHost();
        Assert.Equal("{ outputs = true; }", host.EvalStrict("builtins.functionArgs derivation"));
        Assert.Equal("\"lambda\"", host.EvalStrict("builtins.typeOf builtins.derivation"));
    }

    [Theory]
    [InlineData("""{ name = "a"; outputs = [ ]; }""")]
    [InlineData("""{ name = "a"; outputs = "out"; }""")]
    [InlineData("""{ name = "a"; outputs = [ 1 ]; }""")]
    [InlineData("1")]
    public void BadArgumentsFailWhenTheResultIsForced(string attrs)
    {
        var host = new GlueTestHost();
        Assert.Equal("true", host.EvalStrict($"let d = derivation ({attrs}); in true"));
        Assert.Throws<NixEvalException>(() => host.EvalStrict($"(derivation ({attrs})).type"));
    }

    [Fact]
    public void DerivationsDependOnEachOtherAsWithTheNixDefinition() =>
        Both("""{ name = "b"; builder = "/bin/sh"; system = "x86_64-linux"; dep = derivation { name = "a"; builder = "/bin/sh"; system = "x86_64-linux"; outputs = [ "out" "lib" ]; }; }""",
            "[ d.drvPath d.outPath (builtins.attrNames (builtins.getContext d.drvPath)) ]");
}
