using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>Linear context gathering (<see cref="ContextAccumulator"/>) and the builtins that use it.</summary>
public sealed class ContextGatheringTests
{
    private static string StorePath(int i) => $"/nix/store/{i:D32}-p{i}";

    [Fact]
    public void NoContextGivesNull()
    {
        var acc = new ContextAccumulator(null);
        acc.Add(null);
        acc.Add(NixContext.Of([]));
        Assert.Null(acc.Build());
    }

    [Fact]
    public void OneDistinctContextIsReusedNotCopied()
    {
        var c = NixContext.Of(["/nix/store/b", "=/nix/store/a.drv"]);
        var acc = new ContextAccumulator();
        acc.Add(c);
        acc.Add(null);
        acc.Add(c);
        Assert.Same(c, acc.Build());
    }

    [Fact]
    public void AddingASubsetKeepsTheFirstContext()
    {
        var c = NixContext.Of(["/nix/store/b", "/nix/store/a"]);
        var acc = new ContextAccumulator(c);
        acc.Add(NixContext.Of("/nix/store/a"));
        Assert.Same(c, acc.Build());
    }

    [Fact]
    public void GathersSortedAndUnique() =>
        Prop.ForAll(Gen.Choose(0, 6).ArrayOf().ArrayOf().ToArbitrary(), (int[][] groups) =>
        {
            var acc = new ContextAccumulator();
            NixContext? pairwise = null;
            foreach (var g in groups)
            {
                var ctx = g.Length == 0 ? null : NixContext.Of(g.Select(StorePath));
                acc.Add(ctx);
                pairwise = NixContext.Union(pairwise, ctx);
            }
            var built = acc.Build();
            return (built?.Elements ?? []).SequenceEqual(pairwise?.Elements ?? []);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void ConcatStringsSepJoinsManyContextsInLinearTime()
    {
        // 20,000 distinct contexts: quadratic pairwise merging takes minutes here, gathering is instant.
        var code = """
            let
              withCtx = i: builtins.appendContext "x" { "/nix/store/${builtins.toString (100000 + i)}aaaaaaaaaaaaaaaaaaaaaaaaaa-p" = { path = true; }; };
              strings = builtins.genList withCtx 20000;
              joined = builtins.concatStringsSep " " strings;
            in [ (builtins.stringLength joined) (builtins.length (builtins.attrNames (builtins.getContext joined)))
                 (builtins.length (builtins.attrNames (builtins.getContext (toString strings))))
                 (builtins.length (builtins.attrNames (builtins.getContext (builtins.toJSON strings)))) ]
            """;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("[ 39999 20000 20000 20000 ]", EvalHelper.Nix(code));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public void InterpolationAndPlusMergeContexts()
    {
        var code = """
            let a = builtins.appendContext "a" { "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a" = { path = true; }; };
                b = builtins.appendContext "b" { "/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-b" = { path = true; }; };
            in [ (builtins.attrNames (builtins.getContext "${b}${a}${b}")) (builtins.attrNames (builtins.getContext (b + a + b)))
                 (builtins.hasContext "${"x"}${"y"}") ]
            """;
        Assert.Equal(
            "[ [ \"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a\" \"/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-b\" ] [ \"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a\" \"/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-b\" ] false ]",
            EvalHelper.Nix(code));
    }

    [Fact]
    public void GetContextCoercesASetThroughOutPath()
    {
        var code = """
            let p = builtins.appendContext "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a" { "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a" = { path = true; }; };
            in [ (builtins.getContext { outPath = p; }) (builtins.getContext { __toString = _: "plain"; }) ]
            """;
        Assert.Equal("[ { \"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-a\" = { path = true; }; } { } ]", EvalHelper.Nix(code));
    }

    [Fact]
    public void GetContextRejectsNonStrings() =>
        Assert.Contains("expected a string but found an integer", EvalHelper.EvalError("builtins.getContext 1").Message);
}
