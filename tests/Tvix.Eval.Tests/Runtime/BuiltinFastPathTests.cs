using System.Text;
using FsCheck;
using FsCheck.Fluent;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// The builtins with fast paths (exact-size string building, candidate-byte scanning in
/// replaceStrings, sort without calls for lessThan, list builtins copying once, fromJSON's
/// shared stacks): expected values are C++ Nix 2.8's output, and properties check the fast
/// paths against straightforward reference implementations.
/// </summary>
public sealed class BuiltinFastPathTests
{
    [Theory]
    [InlineData("builtins.sort builtins.lessThan [ 3 1.5 2 (-1) 2.0 ]", "[ -1 1.5 2 2 3 ]")]
    [InlineData("builtins.sort builtins.lessThan [ \"b\" \"a\" \"ab\" \"\" ]", "[ \"\" \"a\" \"ab\" \"b\" ]")]
    [InlineData("builtins.sort builtins.lessThan [ [ 2 ] [ 1 3 ] [ 1 ] ]", "[ [ 1 ] [ 1 3 ] [ 2 ] ]")]
    [InlineData("builtins.sort (a: b: a.k < b.k) [ { k = 2; v = \"x\"; } { k = 1; v = \"y\"; } { k = 2; v = \"z\"; } { k = 1; v = \"w\"; } ]",
        "[ { k = 1; v = \"y\"; } { k = 1; v = \"w\"; } { k = 2; v = \"x\"; } { k = 2; v = \"z\"; } ]")]
    [InlineData("let l = [ 1 2 3 ]; in [ l (builtins.concatLists [ [ ] l [ ] ]) ]", "[ [ 1 2 3 ] «repeated» ]")]
    [InlineData("builtins.concatLists [ [ 1 ] [ ] [ 2 3 ] ]", "[ 1 2 3 ]")]
    [InlineData("builtins.concatMap (x: [ x x ]) [ 1 2 ]", "[ 1 1 2 2 ]")]
    [InlineData("builtins.replaceStrings [ \"ab\" \"a\" ] [ \"X\" \"Y\" ] \"aabab\"", "\"YXX\"")]
    [InlineData("builtins.replaceStrings [ \"a\" \"ab\" ] [ \"X\" \"Y\" ] \"aabab\"", "\"XXbXb\"")]
    [InlineData("builtins.replaceStrings [ \"o\" ] [ \"0\" ] \"foo\"", "\"f00\"")]
    [InlineData("builtins.replaceStrings [ \"\" ] [ \"-\" ] \"abc\"", "\"-a-b-c-\"")]
    [InlineData("builtins.replaceStrings [ \"x\" \"\" ] [ \"y\" \"-\" ] \"axb\"", "\"-ay-b-\"")]
    [InlineData("builtins.replaceStrings [ ] [ ] \"abc\"", "\"abc\"")]
    [InlineData("builtins.replaceStrings [ \"abc\" ] [ \"\" ] \"abcabcab\"", "\"ab\"")]
    [InlineData("builtins.partition (x: x > 2) [ 1 3 2 4 ]", "{ right = [ 3 4 ]; wrong = [ 1 2 ]; }")]
    [InlineData("builtins.groupBy (x: if x > 2 then \"big\" else \"small\") [ 1 3 2 4 ]", "{ big = [ 3 4 ]; small = [ 1 2 ]; }")]
    [InlineData("builtins.filter (x: x != 2) [ 1 2 3 2 ]", "[ 1 3 ]")]
    [InlineData("builtins.concatStringsSep \"-\" [ ]", "\"\"")]
    [InlineData("builtins.concatStringsSep \"-\" [ \"only\" ]", "\"only\"")]
    [InlineData("\"a${\"b\"}c${toString 42}d${toString (-7)}\"", "\"abc42d-7\"")]
    [InlineData("builtins.toJSON { b = [ 1 \"x\\\"\\\\\" null true 1.5 ]; a = { }; \"é\" = -3; }", "\"{\\\"a\\\":{},\\\"b\\\":[1,\\\"x\\\\\\\"\\\\\\\\\\\",null,true,1.5],\\\"é\\\":-3}\"")]
    [InlineData("builtins.fromJSON ''{\"b\":1,\"a\":[1,{\"c\":null}],\"b\":2,\"z\":\"x\\ty\\u00e9\"}''", "{ a = [ 1 { c = null; } ]; b = 2; z = \"x\\tyé\"; }")]
    [InlineData("builtins.toJSON (builtins.fromJSON ''{\"k3\":1,\"k1\":2,\"k2\":{\"k3\":3,\"k1\":4}}'')", "\"{\\\"k1\\\":2,\\\"k2\\\":{\\\"k1\\\":4,\\\"k3\\\":3},\\\"k3\\\":1}\"")]
    [InlineData("builtins.split \"(a)|b\" \"xaybzab\"", "[ \"x\" [ \"a\" ] \"y\" [ null ] \"z\" [ \"a\" ] \"\" [ null ] \"\" ]")]
    [InlineData("builtins.split \"[ ,]+\" \"a, b,,c \"", "[ \"a\" [ ] \"b\" [ ] \"c\" [ ] \"\" ]")]
    [InlineData("builtins.split \"x*\" \"abc\"", "[ \"\" [ ] \"a\" [ ] \"b\" [ ] \"c\" [ ] \"\" ]")]
    [InlineData("builtins.split \"(x)*\" \"axxb\"", "[ \"\" [ null ] \"a\" [ \"x\" ] \"\" [ null ] \"b\" [ null ] \"\" ]")]
    [InlineData("map (builtins.match \"a(b)?c\") [ \"ac\" \"abc\" \"x\" ]", "[ [ null ] [ \"b\" ] null ]")]
    [InlineData("builtins.length (builtins.genericClosure { startSet = [ { key = 0; } ]; operator = x: if x.key < 2000 then [ { key = x.key + 1; } { key = 2000 - x.key; } ] else [ ]; })", "2001")]
    public void AgreesWithNix(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void SortForcesEveryItemFirstAsNixDoes() =>
        Assert.Equal("forced first", EvalError("builtins.length (builtins.sort (a: b: true) [ (throw \"forced first\") 1 ])").Message);

    [Fact]
    public void SortWithLessThanEqualsSortWithALambda() =>
        Prop.ForAll<int[], bool>((xs, floats) =>
        {
            var list = string.Join(" ", xs.Select((x, i) => floats && i % 3 == 0 ? $"({x}.5)" : Lit(x)));
            return Nix($"builtins.sort builtins.lessThan [ {list} ]") == Nix($"builtins.sort (a: b: a < b) [ {list} ]");
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void ReplaceStringsAgreesWithTheRule() =>
        Prop.ForAll(Gen.ListOf(Word()).ToArbitrary(), Word().ToArbitrary(), (patterns, subject) =>
        {
            var from = patterns.Take(4).ToArray();
            var to = from.Select((_, i) => $"<{i}>").ToArray();
            var code = $"builtins.replaceStrings [ {string.Join(" ", from.Select(Quote))} ] [ {string.Join(" ", to.Select(Quote))} ] {Quote(subject)}";
            return Nix(code) == Quote(Replace(subject, from, to));
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void ListBuiltinsAgreeWithLinq() =>
        Prop.ForAll<int[]>(xs =>
        {
            var list = "[ " + string.Join(" ", xs.Select(Lit)) + " ]";
            var evens = xs.Where(x => x % 2 == 0).ToArray();
            var odds = xs.Where(x => x % 2 != 0).ToArray();
            return Nix($"builtins.filter (x: x - x / 2 * 2 == 0) {list}") == Render(evens)
                && Nix($"builtins.partition (x: x - x / 2 * 2 == 0) {list}") == $"{{ right = {Render(evens)}; wrong = {Render(odds)}; }}"
                && Nix($"builtins.concatMap (x: [ x (x + 0) ]) {list}") == Render(xs.SelectMany(x => new[] { x, x }).ToArray())
                && Nix($"builtins.concatLists (map (x: [ x ]) {list})") == Render(xs);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void InterpolationAndConcatStringsSepAgreeWithStringConcat() =>
        Prop.ForAll(Gen.ListOf(Word()).ToArbitrary(), words =>
        {
            var items = words.ToArray();
            var interpolated = "\"" + string.Concat(items.Select((w, i) => i % 2 == 0 ? $"${{{Quote(w)}}}" : w)) + "\"";
            return Nix(interpolated) == Quote(string.Concat(items))
                && Nix($"builtins.concatStringsSep \", \" [ {string.Join(" ", items.Select(Quote))} ]") == Quote(string.Join(", ", items));
        }).QuickCheckThrowOnFailure();

    /// <summary>Words over a small alphabet, so that patterns overlap and repeat often.</summary>
    private static Gen<string> Word() =>
        Gen.ListOf(Gen.Elements('a', 'b', 'c', 'x')).Select(cs => new string(cs.Take(6).ToArray()));

    /// <summary>Nix's rule, position by position: the first pattern in list order that matches wins.</summary>
    private static string Replace(string s, string[] from, string[] to)
    {
        var sb = new StringBuilder();
        for (var p = 0; p <= s.Length;)
        {
            var j = Array.FindIndex(from, f => string.CompareOrdinal(s, p, f, 0, f.Length) == 0 && p + f.Length <= s.Length);
            if (j < 0)
            {
                if (p < s.Length) sb.Append(s[p]);
                p++;
                continue;
            }
            sb.Append(to[j]);
            if (from[j].Length == 0)
            {
                if (p < s.Length) sb.Append(s[p]);
                p++;
            }
            else p += from[j].Length;
        }
        return sb.ToString();
    }

    private static string Quote(string s) => "\"" + s + "\"";

    private static string Lit(int x) => x < 0 ? $"({x})" : x.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Render(int[] xs) => xs.Length == 0 ? "[ ]" : "[ " + string.Concat(xs.Select(x => x + " ")) + "]";
}
