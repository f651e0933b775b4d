namespace Tvix.Glue.Tests;

/// <summary>
/// <c>derivationStrict</c> reuses its derivation, context set, byte arena and output names from one
/// call to the next, and <c>derivation</c> shares selector functions and set layouts: many
/// derivations made in one evaluation (some nested in the attributes of others) must come out
/// exactly as each does alone in a fresh evaluator.
/// </summary>
public sealed class DerivationReuseTests
{
    /// <summary>Derivation <c>i</c> of a family whose attributes vary in type, length and outputs, each depending on the one before.</summary>
    private const string Family = """
        let
          mk = i: prev: derivation ({
            name = "p${toString i}";
            builder = "/bin/sh";
            system = "x86_64-linux";
            args = [ "-c" "echo ${toString i}" ];
            short = "s${toString i}";
            long = "a string long enough to be shared rather than copied, number ${toString i}";
            n = i;
            flag = i / 2 * 2 == i;
            nothing = null;
            paths = if prev == null then [ ] else [ prev prev.outPath "${prev}/bin" ];
            nested = [ [ ] "x" [ 1 2 ] ];
          } // (if i / 3 * 3 == i then { outputs = [ "out" "dev" "lib" ]; } else { })
            // (if i / 4 * 4 == i then { outputs = [ "bin" "out" ]; extra = i * 1000; } else { }));
          chain = n: builtins.foldl' (acc: i: acc ++ [ (mk i (if acc == [ ] then null else builtins.elemAt acc (builtins.length acc - 1))) ]) [ ] (builtins.genList (i: i) n);
        in
        """;

    private static string Describe(string drv) =>
        $"[ {drv}.drvPath {drv}.outPath {drv}.outputName (map (o: [ o.outputName o.outPath ]) {drv}.all) {drv}.n {drv}.drvAttrs.short (builtins.attrNames {drv}) ]";

    [Fact]
    public void ManyDerivationsInOneEvaluationMatchEachMadeAlone()
    {
        const int count = 13;
        var together = new GlueTestHost().EvalStrict($"{Family} map (d: {Describe("d")}) (chain {count})");
        var alone = new List<string>();
        for (var i = 0; i < count; i++)
            alone.Add(new GlueTestHost().EvalStrict($"{Family} {Describe($"(builtins.elemAt (chain {i + 1}) {i})")}"));
        Assert.Equal("[ " + string.Join(" ", alone) + " ]", together);
    }

    [Fact]
    public void NestedDerivationStrictCallsKeepTheirOwnScratch()
    {
        // The inner derivation is forced while the outer one's attributes are being coerced (its
        // path is in `dep`), so two calls are under way at once.
        const string code = """
            let
              inner = derivation { name = "inner"; builder = "/bin/sh"; system = "x86_64-linux"; v = 7; w = [ "a" "b" ]; };
              outer = derivation { name = "outer"; builder = "/bin/sh"; system = "x86_64-linux"; a = 1; dep = inner; z = [ 2 3 ]; };
            in
            """;
        var both = new GlueTestHost().EvalStrict($"{code} [ outer.drvPath inner.drvPath ]");
        var outerAlone = new GlueTestHost().EvalStrict($"{code} outer.drvPath");
        var innerAlone = new GlueTestHost().EvalStrict($"{code} inner.drvPath");
        Assert.Equal($"[ {outerAlone} {innerAlone} ]", both);
    }
}
