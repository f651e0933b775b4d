using FsCheck;
using FsCheck.Fluent;
using Tvix.CAStore.Hashing;

namespace Tvix.CAStore.Tests.Hashing;

/// <summary>Incremental hashing equals one-shot hashing for any input split, on every SIMD width.</summary>
public sealed class Blake3PropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(150);

    /// <summary>Lengths that cross many block, chunk and subtree edges, but not only those.</summary>
    private static Gen<byte[]> Inputs() =>
        from len in Gen.OneOf(Gen.Choose(0, 2100), Gen.Choose(0, 70_000))
        from seed in Gen.Choose(0, int.MaxValue)
        select RandomBytes(len, seed);

    private static byte[] RandomBytes(int len, int seed)
    {
        var bytes = new byte[len];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void OneShotOfSmallInputsEqualsTheGeneralPathAtEveryLength()
    {
        // Blake3.Hash takes a scalar path up to sixteen chunks; the hasher never does.
        var input = RandomBytes(16 * 1024 + 70, 11);
        for (var length = 0; length <= input.Length; length++)
        {
            var hasher = new Blake3Hasher();
            hasher.Update(input.AsSpan(0, length));
            Assert.Equal(hasher.FinalizeToArray(), Blake3.Hash(input.AsSpan(0, length)));
        }
    }

    [Fact]
    public void TheKernelPathForSmallInputsEqualsTheScalarOneAtEveryLength()
    {
        // The file store hashes held blobs through the state and its kernels at any length.
        var input = RandomBytes(16 * 1024 + 70, 12);
        Span<byte> kernels = stackalloc byte[Blake3.HashSize];
        for (var length = 0; length <= input.Length; length++)
        {
            Blake3.HashWithKernels(input.AsSpan(0, length), kernels);
            Assert.Equal(Blake3.Hash(input.AsSpan(0, length)), kernels.ToArray());
        }
        var large = RandomBytes(300_000, 13);
        Blake3.HashWithKernels(large, kernels);
        Assert.Equal(Blake3.Hash(large), kernels.ToArray());
    }

    [Fact]
    public void IncrementalEqualsOneShotForAnySplit()
    {
        var gen = from input in Inputs()
                  from cuts in Gen.ListOf(Gen.Choose(0, Math.Max(0, input.Length)))
                  from lanes in Gen.Elements(1, 4, 8, 16)
                  select (input, cuts: cuts.Order().ToArray(), lanes);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var expected = Blake3.Hash(t.input);
            var hasher = new Blake3Hasher(t.lanes);
            var at = 0;
            foreach (var cut in t.cuts)
            {
                hasher.Update(t.input.AsSpan(at, cut - at));
                at = cut;
            }
            hasher.Update(t.input.AsSpan(at));
            return expected.AsSpan().SequenceEqual(hasher.FinalizeToArray());
        }).Check(Config);
    }

    [Fact]
    public void SimdAndScalarAgreeOnLongOutput()
    {
        Prop.ForAll(Inputs().ToArbitrary(), input =>
        {
            var outputs = new List<byte[]>();
            foreach (var lanes in new[] { 1, 4, 8, 16 })
            {
                var hasher = new Blake3Hasher(lanes);
                hasher.Update(input);
                var output = new byte[200];
                hasher.Finalize(output);
                outputs.Add(output);
            }
            var parallel = new byte[200];
            Blake3.HashParallel(input, parallel);
            outputs.Add(parallel);
            return outputs.TrueForAll(o => o.AsSpan().SequenceEqual(outputs[0]));
        }).Check(Config);
    }

    [Fact]
    public void ParallelEqualsSequentialOnLargeInput()
    {
        var input = RandomBytes(5 * 1024 * 1024 + 12345, 7);
        var a = new byte[32];
        var b = new byte[32];
        Blake3.Hash(input, a);
        Blake3.HashParallel(input, b);
        Assert.Equal(a, b);
        var hasher = new Blake3Hasher(1);
        hasher.Update(input);
        Assert.Equal(a, hasher.FinalizeToArray());

        // Parallel updates in uneven pieces, so subtrees start at many different offsets.
        var parallel = new Blake3Hasher();
        parallel.UpdateParallel(input.AsSpan(0, 1000));
        parallel.UpdateParallel(input.AsSpan(1000, 3 * 1024 * 1024));
        parallel.Update(input.AsSpan(1000 + 3 * 1024 * 1024, 5));
        parallel.UpdateParallel(input.AsSpan(1005 + 3 * 1024 * 1024));
        Assert.Equal(a, parallel.FinalizeToArray());
    }

    [Fact]
    public void FinalizeDoesNotEndTheHash()
    {
        var input = RandomBytes(5000, 3);
        var hasher = new Blake3Hasher();
        hasher.Update(input.AsSpan(0, 2048));
        Assert.Equal(Blake3.Hash(input.AsSpan(0, 2048)), hasher.FinalizeToArray());
        hasher.Update(input.AsSpan(2048));
        Assert.Equal(Blake3.Hash(input), hasher.FinalizeToArray());
        hasher.Reset();
        Assert.Equal(Blake3.Hash([]), hasher.FinalizeToArray());
    }
}
