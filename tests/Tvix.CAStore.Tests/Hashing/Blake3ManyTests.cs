using Tvix.CAStore.Hashing;

namespace Tvix.CAStore.Tests.Hashing;

/// <summary>
/// The many-input kernels (16, 8 and 4 lanes, as far as this machine has them) agree with the
/// one-input path on whole chunks and on parent blocks, including chunk counters whose low words
/// wrap inside a group (inputs past 4 TiB, which no vector reaches).
/// </summary>
public sealed unsafe class Blake3ManyTests
{
    public static TheoryData<ulong> Counters() => new() { 0, 5, (1UL << 32) - 7, (1UL << 32) - 1, (1UL << 40) - 3, ulong.MaxValue - 40 };

    [Theory]
    [MemberData(nameof(Counters))]
    public void ChunkKernelsMatchTheScalarPath(ulong counter)
    {
        var random = new Random((int)(counter % 1000) + 1);
        var input = new byte[40 * Blake3Compress.ChunkLen];
        random.NextBytes(input);
        var key = RandomKey(random);
        foreach (var count in new[] { 1, 4, 7, 8, 15, 16, 17, 24, 31, 32, 40 })
        {
            var expected = Run<ChunkLayout>(input, count, Blake3Compress.ChunkLen / Blake3Compress.BlockLen, key, counter, true,
                Blake3Compress.KeyedHash, Blake3Compress.ChunkStart, Blake3Compress.ChunkEnd, lanes: 1);
            foreach (var lanes in new[] { 4, 8, 16 })
            {
                var actual = Run<ChunkLayout>(input, count, Blake3Compress.ChunkLen / Blake3Compress.BlockLen, key, counter, true,
                    Blake3Compress.KeyedHash, Blake3Compress.ChunkStart, Blake3Compress.ChunkEnd, lanes);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"chunks: count {count}, lanes {lanes}, counter {counter}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Counters))]
    public void ParentKernelsMatchTheScalarPath(ulong counter)
    {
        var random = new Random((int)(counter % 1000) + 2);
        var input = new byte[40 * Blake3Compress.BlockLen];
        random.NextBytes(input);
        var key = RandomKey(random);
        foreach (var count in new[] { 1, 3, 4, 8, 16, 19, 32, 40 })
        {
            // Parents all use the same counter; the kernels must not add the lane index.
            var expected = Run<ParentLayout>(input, count, 1, key, counter, false, Blake3Compress.Parent, 0, 0, lanes: 1);
            foreach (var lanes in new[] { 4, 8, 16 })
            {
                var actual = Run<ParentLayout>(input, count, 1, key, counter, false, Blake3Compress.Parent, 0, 0, lanes);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"parents: count {count}, lanes {lanes}, counter {counter}");
            }
        }
    }

    private static uint[] RandomKey(Random random)
    {
        var key = new uint[8];
        for (var i = 0; i < 8; i++) key[i] = (uint)random.NextInt64();
        return key;
    }

    private static byte[] Run<TLayout>(byte[] input, int count, int blocks, uint[] key, ulong counter, bool increment,
        uint flags, uint flagsStart, uint flagsEnd, int lanes)
        where TLayout : struct, IBlake3Layout
    {
        var output = new byte[count * Blake3Compress.OutLen];
        fixed (byte* i = input)
        fixed (uint* k = key)
        fixed (byte* o = output)
            Blake3Many.Hash<TLayout>(i, count, blocks, k, counter, increment, flags, flagsStart, flagsEnd, o, lanes);
        return output;
    }
}
