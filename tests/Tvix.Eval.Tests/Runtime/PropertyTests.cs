using FsCheck;
using FsCheck.Fluent;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

public sealed class PropertyTests
{
    [Fact]
    public void IntegerArithmeticMatchesCheckedInt64() =>
        Prop.ForAll<long, long>((a, b) =>
        {
            var code = $"let a = {Lit(a)}; b = {Lit(b)}; in [ (a + b) (a - b) (a * b) ]";
            long add, sub, mul;
            try { checked { add = a + b; sub = a - b; mul = a * b; } }
            catch (OverflowException)
            {
                return EvalError(code).Message.StartsWith("integer overflow in ", StringComparison.Ordinal);
            }
            return Nix(code) == $"[ {add} {sub} {mul} ]";
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void SortIsStableAndOrdered() =>
        Prop.ForAll<int[]>(xs =>
        {
            var list = string.Join(" ", xs.Select(x => $"{{ k = {x % 5}; i = {Array.IndexOf(xs, x)}; }}"));
            var sorted = Nix($"map (e: e.k) (builtins.sort (a: b: a.k < b.k) [ {list} ])");
            var expected = "[ " + string.Concat(xs.Select(x => x % 5).Order().Select(x => x + " ")) + "]";
            return sorted == expected;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void LookupsAgreeForSmallAndHashedSets() =>
        Prop.ForAll<int[]>(xs =>
        {
            var distinct = xs.Select(x => Math.Abs(x % 400)).Distinct().ToArray();
            var entries = string.Join(" ", distinct.Select(x => $"{{ name = \"k{x}\"; value = {x}; }}"));
            var probes = string.Join(" ", Enumerable.Range(0, 400).Where(i => i % 7 == 0).Select(i => $"(s.k{i} or (-1))"));
            var got = Nix($"let s = builtins.listToAttrs [ {entries} ]; in [ {probes} ]");
            var expected = "[ " + string.Concat(Enumerable.Range(0, 400).Where(i => i % 7 == 0).Select(i => (distinct.Contains(i) ? i : -1) + " ")) + "]";
            return got == expected;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void UpdateAgreesWithAMapModelForAnySizes()
    {
        // Every pairing of these sizes, so both block-copy paths (one side at most an eighth of
        // the other) and the linear merge run, with names drawn so that the sides overlap.
        int[] sizes = [0, 1, 2, 5, 9, 40, 80, 300];
        Prop.ForAll<int, byte, byte>((seed, a, b) =>
        {
            var random = new Random(seed);
            var nl = sizes[a % sizes.Length];
            var nr = sizes[b % sizes.Length];
            var universe = (nl + nr) * 3 / 2 + 1;
            var left = Enumerable.Range(0, nl).Select(_ => random.Next(universe)).Distinct().ToArray();
            var right = Enumerable.Range(0, nr).Select(_ => random.Next(universe)).Distinct().ToArray();
            string Set(int[] keys, string tag) =>
                "builtins.listToAttrs [ " + string.Concat(keys.Select(k => $"{{ name = \"k{k}\"; value = \"{tag}{k}\"; }} ")) + "]";
            var got = Nix($"let u = ({Set(left, "l")}) // ({Set(right, "r")}); in map (n: u.${{n}}) (builtins.attrNames u)");
            var model = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var k in left) model[$"k{k}"] = $"l{k}";
            foreach (var k in right) model[$"k{k}"] = $"r{k}";
            var expected = "[ " + string.Concat(model.Values.Select(v => $"\"{v}\" ")) + "]";
            return got == expected;
        }).QuickCheckThrowOnFailure();
    }

    private static string Lit(long v) => v < 0 ? $"({(v == long.MinValue ? "-9223372036854775807 - 1" : "-" + (-v))})" : v.ToString();
}
