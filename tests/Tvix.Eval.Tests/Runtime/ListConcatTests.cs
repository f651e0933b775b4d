using FsCheck;
using FsCheck.Fluent;
using Xunit;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// <c>++</c> leaves long results pending until their elements are needed (<see cref="NixList.Concat"/>):
/// nothing about a list may show it.
/// </summary>
public sealed class ListConcatTests
{
    [Theory]
    // An accumulator appended to in a loop, read once at the end.
    [InlineData("let xs = builtins.foldl' (acc: x: acc ++ [ x ]) [ ] (builtins.genList (x: x) 100000); in [ (builtins.length xs) (builtins.elemAt xs 0) (builtins.elemAt xs 77777) (builtins.foldl' builtins.add 0 xs) ]",
        "[ 100000 0 77777 4999950000 ]")]
    // Prepending, and reading the accumulator at every step.
    [InlineData("let xs = builtins.foldl' (acc: x: [ x ] ++ acc) [ ] (builtins.genList (x: x) 2000); in [ (builtins.head xs) (builtins.elemAt xs 1999) ]", "[ 1999 0 ]")]
    [InlineData("builtins.length (builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ] (builtins.genList (x: x / 2) 600))", "300")]
    // Both sides pending, and equality with the flat list.
    [InlineData("let r = n: builtins.genList (x: x + n) 40; a = r 0 ++ r 40; b = r 80 ++ r 120; in (a ++ b) == builtins.genList (x: x) 160", "true")]
    // Elements stay lazy.
    [InlineData("let xs = builtins.genList (x: x) 40 ++ [ (throw \"unused\") ]; in builtins.length xs", "41")]
    public void PendingConcatenationsAreUnobservable(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void PrintingAPendingListShowsItsElementsAndRepeats()
    {
        var expected = "[ " + string.Join(" ", Enumerable.Range(0, 40)) + " ]";
        Assert.Equal($"[ {expected} «repeated» ]", Nix("let xs = builtins.genList (x: x) 20 ++ builtins.genList (x: x + 20) 20; in [ xs xs ]"));
    }

    [Fact]
    public void ConcatenationTreesHaveTheElementsInOrder()
    {
        // A random tree of concatenations over short and long lists.
        Prop.ForAll<int[][]>(parts =>
        {
            parts ??= [];
            var lists = parts.Select(p => new NixList((p ?? []).Select(i => Value.FromInt(i)).ToArray())).ToList();
            if (lists.Count == 0) return true;
            // Mostly appends, every third a prepend; the same joins on plain sequences give the order.
            var acc = lists[0];
            for (var i = 1; i < lists.Count; i++)
                acc = i % 3 == 0 ? NixList.Concat(lists[i], acc) : NixList.Concat(acc, lists[i]);
            var seq = new List<int[]> { parts[0] ?? [] };
            for (var i = 1; i < parts.Length; i++)
            {
                if (i % 3 == 0) seq.Insert(0, parts[i] ?? []);
                else seq.Add(parts[i] ?? []);
            }
            var want = seq.SelectMany(p => p).Select(i => (long)i).ToArray();
            return acc.Count == want.Length && acc.AsSpan().ToArray().Select(v => v.AsInt).SequenceEqual(want);
        }).QuickCheckThrowOnFailure();
    }
}
