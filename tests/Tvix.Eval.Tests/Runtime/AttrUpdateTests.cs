using FsCheck;
using FsCheck.Fluent;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// <c>a // b</c> takes several paths (a linear merge, a few names placed into many, names shared
/// when one side's names include the other's); each must give the right-hand side's value for a
/// shared name and keep every other name, with the attribute positions of the side it came from.
/// </summary>
public sealed class AttrUpdateTests
{
    private static string Set(IEnumerable<int> names, string tag) =>
        "{ " + string.Concat(names.Select(n => $"k{n} = \"{tag}{n}\"; ")) + "}";

    [Fact]
    public void UpdateAgreesWithAModelForAnySizes() =>
        Prop.ForAll<int[], int[], bool>((left, right, listToAttrs) =>
        {
            // Names from a pool of 40, so that sizes 0..40 with every overlap occur, including
            // one side 8 times larger than the other and one side's names inside the other's.
            var a = (left ?? []).Select(x => Math.Abs(x % 40)).Distinct().ToArray();
            var b = (right ?? []).Select(x => Math.Abs(x % 40)).Distinct().ToArray();
            var la = listToAttrs
                ? "builtins.listToAttrs [ " + string.Concat(a.Select(n => $"{{ name = \"k{n}\"; value = \"a{n}\"; }} ")) + "]"
                : Set(a, "a");
            var got = Nix($"let r = {la} // {Set(b, "b")}; in builtins.concatStringsSep \",\" (map (n: n + \"=\" + r.${{n}}) (builtins.attrNames r))");
            var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var n in a) model[$"k{n}"] = $"a{n}";
            foreach (var n in b) model[$"k{n}"] = $"b{n}";
            return got == "\"" + string.Join(",", model.Select(kv => $"{kv.Key}={kv.Value}")) + "\"";
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void OverridingExistingNamesKeepsTheOtherNamesAndTakesTheNewPositions()
    {
        var big = Set(Enumerable.Range(0, 30), "a");
        Assert.Equal("{ k0 = \"a0\"; k29 = \"a29\"; k5 = \"b5\"; }",
            Nix($"let r = {big} // {{ k5 = \"b5\"; }}; in {{ inherit (r) k0 k5 k29; }}"));
        Assert.Equal("2", NixFile($"let r = {big} // {{\n k5 = \"b5\"; }}; in (builtins.unsafeGetAttrPos \"k5\" r).line"));
        Assert.Equal("1", NixFile($"let r = {big} // {{\n k5 = \"b5\"; }}; in (builtins.unsafeGetAttrPos \"k6\" r).line"));
        // The left side's names all in the right side: the result is the right side.
        Assert.Equal("{ k0 = \"a0\"; k1 = \"b1\"; }", Nix($"{{ k1 = \"x\"; }} // {Set([1], "b")} // {{ k0 = \"a0\"; }}"));
    }
}
