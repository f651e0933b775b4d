using FsCheck;
using FsCheck.Fluent;
using Tvix.Eval.Support;
using Xunit;

namespace Tvix.Eval.Tests.Support;

public sealed class KeySortTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(300);

    /// <summary>Keys with many repeats (a small range), spread over all 64 bits, or both mixed.</summary>
    private static Gen<ulong> Key() => Gen.OneOf(
        Gen.Choose(0, 12).Select(i => (ulong)i),
        Gen.Choose(int.MinValue, int.MaxValue).SelectMany(hi => Gen.Choose(int.MinValue, int.MaxValue).Select(lo => (ulong)(uint)hi << 32 | (uint)lo)),
        Gen.Elements(0UL, 1UL, ulong.MaxValue, ulong.MaxValue - 1, 1UL << 63));

    /// <summary>Lengths around the insertion-sort cut-off and well past it.</summary>
    private static Gen<ulong[]> Keys() =>
        Gen.OneOf(Gen.Choose(0, 40), Gen.Choose(0, 1500)).SelectMany(n => Gen.ArrayOf(Key(), n));

    private static bool SortsLikeArraySort(ulong[] input, int? depthLimit)
    {
        var expected = (ulong[])input.Clone();
        Array.Sort(expected);
        var keys = (ulong[])input.Clone();
        var items = new int[keys.Length];
        for (var i = 0; i < items.Length; i++) items[i] = i;
        if (depthLimit is { } d) KeySort.Sort(keys, items, d);
        else KeySort.Sort(keys, items);
        // Keys in order, and every item still next to its own key, each exactly once.
        var seen = new bool[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            if (seen[items[i]] || input[items[i]] != keys[i]) return false;
            seen[items[i]] = true;
        }
        return keys.AsSpan().SequenceEqual(expected);
    }

    [Fact]
    public void SortsKeysWithTheirItemsLikeArraySort() =>
        Prop.ForAll(Keys().ToArbitrary(), keys => SortsLikeArraySort(keys, null)).Check(Config);

    [Fact]
    public void HeapsortFallbackSortsLikeArraySort() =>
        Prop.ForAll(Keys().ToArbitrary(), Gen.Choose(0, 3).ToArbitrary(), (keys, depth) => SortsLikeArraySort(keys, depth)).Check(Config);

    [Fact]
    public void SortsKeysAloneLikeArraySort() =>
        Prop.ForAll(Keys().ToArbitrary(), input =>
        {
            var expected = (ulong[])input.Clone();
            Array.Sort(expected);
            var keys = (ulong[])input.Clone();
            KeySort.Sort(keys);
            return keys.AsSpan().SequenceEqual(expected);
        }).Check(Config);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(5000)]
    public void SortsAscendingDescendingAndConstantRuns(int n)
    {
        foreach (var make in new Func<int, ulong>[] { i => (ulong)i, i => (ulong)(n - i), _ => 7UL, i => (ulong)(i % 3) })
        {
            var keys = new ulong[n];
            for (var i = 0; i < n; i++) keys[i] = make(i);
            Assert.True(SortsLikeArraySort(keys, null));
        }
    }

    [Fact]
    public void ItemsOfAnotherLengthAreRejected() =>
        Assert.Throws<ArgumentException>(() => KeySort.Sort(new ulong[3], new int[2]));
}
