using FsCheck;
using FsCheck.Fluent;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// <c>big // few</c> leaves a layer (the big set and a small delta) that is merged only when read
/// as a whole. A fold of such updates must agree with a model at every step: dynamic lookups and
/// <c>?</c> see the delta first, static names that are missing do not merge, the count is right
/// before anything merges, and the merged set has Nix's names, values and positions.
/// </summary>
public sealed class AttrLayerTests
{
    private static string Set(IEnumerable<int> names, string tag) =>
        "{ " + string.Concat(names.Select(n => $"k{n} = \"{tag}{n}\"; ")) + "}";

    [Fact]
    public void FoldedUpdatesAgreeWithAModel() =>
        Prop.ForAll<byte, int[][], int[]>((baseSize, steps, probes) =>
        {
            // A base of 64..191 names (big enough to be layered on) and deltas of a few names,
            // some new, some overriding the base or an earlier delta.
            var start = Enumerable.Range(0, 64 + baseSize % 128).ToArray();
            var deltas = (steps ?? []).Where(d => d is not null).Select((d, i) =>
                d.Take(12).Select(x => Math.Abs(x % 400)).Distinct().Select(n => (n, v: $"d{i}_{n}")).ToArray()).ToArray();
            var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var n in start) model[$"k{n}"] = $"a{n}";
            var expectedProbes = new List<string>();
            var probeNames = (probes ?? []).Take(6).Select(x => $"k{Math.Abs(x % 450)}").ToArray();
            foreach (var d in deltas)
            {
                foreach (var (n, v) in d) model[$"k{n}"] = v;
                foreach (var p in probeNames) expectedProbes.Add(model.TryGetValue(p, out var v) ? v : "none");
                expectedProbes.Add(model.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            var deltaCode = string.Concat(deltas.Select(d => "{ " + string.Concat(d.Select(e => $"k{e.n} = \"{e.v}\"; ")) + "} "));
            var probeCode = string.Concat(probeNames.Select(p => $"\"{p}\" "));
            // After each update: dynamic lookups, a static miss, `?`, and the count (through the C# API below).
            var code = $$"""
                let
                  start = {{Set(start, "a")}};
                  steps = builtins.foldl' (acc: d: let r = acc.last // d; in {
                    last = r;
                    seen = acc.seen ++ map (n: if builtins.hasAttr n r then r.${n} else r.${n} or "none") [ {{probeCode}} ] ++ [ (if r ? zzz || (r.zzz or null) != null then "bad" else builtins.length (builtins.attrNames (r // {}))) ];
                  }) { last = start; seen = [ ]; } [ {{deltaCode}} ];
                in steps
                """;
            var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
            var result = evaluator.EvaluateString(code, "/base");
            Assert.True(result.Success);
            return evaluator.Run(cx =>
            {
                var steps = cx.ForceAttrs(result.Value);
                Assert.True(steps.TryGetValue("last", out var lastValue));
                var last = cx.ForceAttrs(lastValue);
                // Count before anything reads the set as a whole.
                if (last.Count != model.Count) return false;
                Assert.True(steps.TryGetValue("seen", out var seen));
                var got = cx.ForceList(seen).AsSpan().ToArray().Select(v =>
                {
                    var f = cx.Force(v);
                    return f.Kind == ValueKind.Int ? f.AsInt.ToString(System.Globalization.CultureInfo.InvariantCulture) : f.AsString.ToString();
                }).ToArray();
                if (!got.SequenceEqual(expectedProbes)) return false;
                var pairs = last.Pairs.Select(kv => $"{kv.Key}={cx.Force(kv.Value).AsString}");
                return pairs.SequenceEqual(model.Select(kv => $"{kv.Key}={kv.Value}"));
            });
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void ALayerKeepsPositionsAndPrintsLikeAFlatSet()
    {
        var big = Set(Enumerable.Range(0, 100), "a");
        // k5 overridden on line 2, k200 added on line 3, k6 from the big set on line 1.
        var code = $"let r = {big} // {{\n k5 = \"b5\"; }} // {{\n k200 = \"c\"; }}; in map (n: (builtins.unsafeGetAttrPos n r).line) [ \"k5\" \"k200\" \"k6\" ]";
        Assert.Equal("[ 2 3 1 ]", NixFile(code));
        Assert.Equal("[ \"a0\" \"b5\" \"c\" 101 ]",
            Nix($"let r = {big} // {{ k5 = \"b5\"; }} // {{ k200 = \"c\"; }}; in [ r.k0 r.k5 r.k200 (builtins.length (builtins.attrValues r)) ]"));
        Assert.Equal("true", Nix($"({big} // {{ k5 = \"b5\"; }} // {{ k200 = \"c\"; }}) == ({big} // {{ k200 = \"c\"; k5 = \"b5\"; }})"));
    }

    /// <summary>
    /// Evaluates <paramref name="code"/>, a set with <c>r</c> (a layer) and <c>out</c>, forces
    /// <c>out</c> deeply and returns its printed form and whether <c>r</c> is still unmerged.
    /// </summary>
    private static (string Out, bool StillLayer) Probe(string code)
    {
        // From a file, so that attributes have positions.
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO().AddFile("/base/default.nix", code) });
        var result = evaluator.EvaluateFile("/base/default.nix");
        Assert.True(result.Success, result.Error?.Message);
        return evaluator.Run(cx =>
        {
            var top = cx.ForceAttrs(result.Value);
            Assert.True(top.TryGetValue("r", out var r));
            Assert.True(top.TryGetValue("out", out var output));
            var text = cx.Print(output, strict: true);
            return (text, cx.ForceAttrs(r).FlatKeys is null);
        });
    }

    [Fact]
    public void NamesLookedUpInALayerLeaveItUnmerged()
    {
        var big = Set(Enumerable.Range(0, 100), "a");
        // Static selections (with their inline caches, twice through one site), `with`,
        // a dynamic name, `or` defaults and `?`, hitting the delta, the base and neither.
        var code = $$"""
            let
              r = {{big}} // { k5 = "b5"; k200 = "c"; };
              pick = s: [ s.k5 s.k200 s.k7 (s.k999 or "none") ];
            in {
              inherit r;
              out = pick r ++ pick r ++ (with r; [ k5 k8 ]) ++ [ r.${"k20" + "0"} (r ? k9) (r ? k300) ];
            }
            """;
        var (output, stillLayer) = Probe(code);
        Assert.Equal("""[ "b5" "c" "a7" "none" "b5" "c" "a7" "none" "b5" "a8" "c" true false ]""", output);
        Assert.True(stillLayer, "looking names up merged the layer");
    }

    [Fact]
    public void IntersectAttrsWithALayerTakesItsValuesAndPositionsWithoutMerging()
    {
        var big = Set(Enumerable.Range(0, 100), "a");
        // k5 from the delta (line 2), k6 from the base (line 1), k999 in neither.
        var code = "rec { r = " + big + " //\n { k5 = \"b5\"; };\n out = let i = builtins.intersectAttrs { k5 = 0; k6 = 0; k999 = 0; } r; in [ i (map (n: (builtins.unsafeGetAttrPos n i).line) (builtins.attrNames i)) ]; }";
        var (output, stillLayer) = Probe(code);
        Assert.Equal("""[ { k5 = "b5"; k6 = "a6"; } [ 2 1 ] ]""", output);
        Assert.True(stillLayer, "intersectAttrs merged the layer");
    }

    [Fact]
    public void FewUpdatedByManyIsALayerWhereTheRightSideWins()
    {
        var big = Set(Enumerable.Range(0, 100), "a");
        // `few // big` (nixpkgs' `super // allPackages self super`): k5 is in both (big wins),
        // k200 and k300 only in the few (line 2); stacking another few on top folds into the delta.
        var code = "rec { r = { k5 = \"x\"; k200 = \"c\";\n k300 = \"d\"; } // " + big + ";\n"
                   + " s = { k301 = \"e\"; k5 = \"y\"; } // r;\n"
                   + " out = [ r.k5 r.k200 r.k6 (r.k999 or \"none\") (r ? k300) (builtins.length (builtins.attrNames r))"
                   + " (builtins.unsafeGetAttrPos \"k300\" r).line s.k5 s.k301 s.k200 (builtins.length (builtins.attrNames s)) ]; }";
        var (output, stillLayer) = Probe(code);
        Assert.Equal("""[ "a5" "c" "a6" "none" true 102 2 "a5" "e" "c" 103 ]""", output);
        // attrNames read the sets whole, so look again without it.
        var (_, unmerged) = Probe("rec { r = { k5 = \"x\"; k200 = \"c\"; } // " + big + "; out = [ r.k5 r.k200 (r ? k7) ]; }");
        Assert.True(unmerged, "few // many was merged");
        Assert.False(stillLayer);
        Assert.Equal("true", Nix($"({{ k5 = 1; k200 = 2; }} // {big}) == ({big} // {{ k200 = 2; }})"));
        Assert.Equal("false", Nix($"({{ k5 = 1; k200 = 2; }} // {big}) == ({big} // {{ k200 = 3; }})"));
    }

    [Fact]
    public void FewUpdatedByManyAgreesWithAModel() =>
        Prop.ForAll<byte, int[], int[]>((baseSize, fewNames, probes) =>
        {
            var many = Enumerable.Range(0, 64 + baseSize % 128).Select(n => n * 2).ToArray();
            var few = (fewNames ?? []).Take(10).Select(x => Math.Abs(x % 600)).Distinct().ToArray();
            var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var n in few) model[$"k{n}"] = $"f{n}";
            foreach (var n in many) model[$"k{n}"] = $"m{n}";
            var probeNames = (probes ?? []).Take(8).Select(x => $"k{Math.Abs(x % 650)}").Concat(few.Select(n => $"k{n}")).ToArray();
            var expected = probeNames.Select(p => model.TryGetValue(p, out var v) ? $"\"{v}\"" : "\"none\"").ToList();
            expected.Add(model.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var code = $"let r = {Set(few, "f")} // {Set(many, "m")}; in map (n: r.${{n}} or \"none\") [ {string.Concat(probeNames.Select(p => $"\"{p}\" "))}] ++ [ (builtins.length (builtins.attrNames r)) ]";
            var printed = Nix(code);
            var pairs = Nix($"let r = {Set(few, "f")} // {Set(many, "m")}; in builtins.concatStringsSep \",\" (builtins.attrValues (builtins.mapAttrs (n: v: n + \"=\" + v) r))");
            return printed == "[ " + string.Join(" ", expected) + " ]"
                   && pairs == "\"" + string.Join(",", model.Select(kv => $"{kv.Key}={kv.Value}")) + "\"";
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void StaticSelectionsAndIntersectAttrsAgreeWithAModel() =>
        Prop.ForAll<byte, int[], int[]>((baseSize, delta, probes) =>
        {
            var start = Enumerable.Range(0, 64 + baseSize % 128).ToArray();
            var changes = (delta ?? []).Take(6).Select(x => Math.Abs(x % 300)).Distinct().ToArray();
            var model = start.ToDictionary(n => $"k{n}", n => $"a{n}");
            foreach (var n in changes) model[$"k{n}"] = $"d{n}";
            var names = (probes ?? []).Take(8).Select(x => $"k{Math.Abs(x % 320)}").Distinct().ToArray();
            var selects = string.Concat(names.Select(n => $"(r.{n} or \"none\") "));
            var formals = string.Concat(names.Select(n => $"{n} = 0; "));
            var code = $"rec {{ r = {Set(start, "a")} // {Set(changes, "d")}; out = [ {selects}] ++ [ (builtins.intersectAttrs {{ {formals}}} r) ]; }}";
            var expectedSelects = names.Select(n => model.TryGetValue(n, out var v) ? $"\"{v}\"" : "\"none\"");
            var kept = names.Where(model.ContainsKey).OrderBy(n => n, StringComparer.Ordinal);
            var expectedSet = kept.Any() ? "{ " + string.Concat(kept.Select(n => $"{n} = \"{model[n]}\"; ")) + "}" : "{ }";
            var (output, _) = Probe(code);
            return output == "[ " + string.Concat(expectedSelects.Select(v => v + " ")) + expectedSet + " ]";
        }).QuickCheckThrowOnFailure();
}
