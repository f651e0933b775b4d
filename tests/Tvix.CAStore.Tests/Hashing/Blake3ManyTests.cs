using Tvix.CAStore.Hashing;

namespace Tvix.CAStore.Tests.Hashing;

/// <summary>
/// The many-input kernels (16, 8 and 4 lanes, as far as this machine has them) agree with the
/// one-input path on whole chunks and on parent blocks (which go through the chunk kernels), including chunk counters whose low words
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

    [Fact]
    public void ParentsMatchTheScalarPath()
    {
        var random = new Random(2);
        var input = new byte[40 * Blake3Compress.BlockLen];
        random.NextBytes(input);
        var key = RandomKey(random);
        foreach (var count in new[] { 1, 3, 4, 8, 16, 17, 19, 32, 40 })
        {
            // One parent at a time with the scalar compression function.
            var expected = new byte[count * Blake3Compress.OutLen];
            fixed (byte* i = input)
            fixed (uint* k = key)
            fixed (byte* o = expected)
            {
                for (var p = 0; p < count; p++)
                    Blake3Many.ParentCv(i + p * Blake3Compress.BlockLen, k, Blake3Compress.KeyedHash, o + p * Blake3Compress.OutLen);
            }
            foreach (var lanes in new[] { 1, 4, 8, 16 })
            {
                // In place, as the tree hashes a level: each parent's value over the first half of its own pair.
                var buffer = input.AsSpan(0, count * Blake3Compress.BlockLen).ToArray();
                fixed (byte* b = buffer)
                fixed (uint* k = key)
                    Blake3Many.Parents(b, count, k, Blake3Compress.KeyedHash, b, lanes);
                Assert.True(expected.AsSpan().SequenceEqual(buffer.AsSpan(0, expected.Length)), $"parents: count {count}, lanes {lanes}");
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
