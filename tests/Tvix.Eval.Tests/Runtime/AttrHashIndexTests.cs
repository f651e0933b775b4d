using FsCheck;
using FsCheck.Fluent;
using Xunit;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>Big sets looked up often get a hash index (<see cref="NixAttrs"/>): lookups through it must agree with the sorted names.</summary>
public sealed class AttrHashIndexTests
{
    [Fact]
    public void ManyLookupsInABigSetFindEveryNameAndNoOther()
    {
        // 1,000 names, each looked up (present) and a missing one per name: far past the lookups before the index.
        var code = """
            let
              s = builtins.listToAttrs (builtins.genList (i: { name = "n${toString i}"; value = i; }) 1000);
              found = builtins.foldl' (acc: i: acc + s."n${toString i}") 0 (builtins.genList (i: i) 1000);
              missing = builtins.filter (i: s ? "m${toString i}") (builtins.genList (i: i) 1000);
            in [ found (builtins.length missing) (s.n999 or 0) (s.x or "none") ]
            """;
        Assert.Equal("[ 499500 0 999 \"none\" ]", Nix(code));
    }

    [Theory]
    // Just below and above the largest set the 16-bit index serves (65,534 names); above it, sets are searched.
    [InlineData(65_534)]
    [InlineData(70_000)]
    public void SetsAtTheIndexLimitFindEveryName(int count)
    {
        var code = $$"""
            let
              s = builtins.listToAttrs (builtins.genList (i: { name = "n${toString i}"; value = i; }) {{count}});
              found = builtins.foldl' (acc: i: acc + s."n${toString i}") 0 (builtins.genList (i: i * 7) ({{count}} / 7));
            in [ found (s ? m1) s.n{{count - 1}} ]
            """;
        var n = count / 7;
        Assert.Equal($"[ {7L * n * (n - 1) / 2} false {count - 1} ]", Nix(code));
    }

    [Fact]
    public void IndexedLookupsAgreeWithTheNames()
    {
        Prop.ForAll<int[]>(raw =>
        {
            var names = (raw ?? []).Select(x => Math.Abs(x % 5000)).Distinct().ToArray();
            if (names.Length <= 128) names = names.Concat(Enumerable.Range(10_000, 200)).ToArray();
            var evaluator = new Evaluator(new EvaluatorOptions());
            var result = evaluator.Run(cx =>
            {
                var builder = cx.CreateAttrsBuilder(names.Length);
                foreach (var n in names) builder.Add(cx.Symbols.Intern($"k{n}"), Value.FromInt(n));
                var set = builder.Build();
                // Past the threshold for an index, then every name and some absent ones.
                for (var round = 0; round < 2; round++)
                {
                    foreach (var n in names)
                        if (!set.TryGet(cx.Symbols.Intern($"k{n}"), out var v) || v.AsInt != n) return false;
                    for (var m = 20_000; m < 20_050; m++)
                        if (set.TryGet(cx.Symbols.Intern($"k{m}"), out _)) return false;
                }
                return true;
            });
            return result;
        }).QuickCheckThrowOnFailure();
    }
}
