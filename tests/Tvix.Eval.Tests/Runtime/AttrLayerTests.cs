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
}
