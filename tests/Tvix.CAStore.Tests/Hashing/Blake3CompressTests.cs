using Tvix.CAStore.Hashing;

namespace Tvix.CAStore.Tests.Hashing;

/// <summary>The row-vector compression function agrees with the scalar one on random inputs.</summary>
public sealed unsafe class Blake3CompressTests
{
    [Fact]
    public void VectorAndPortableCompressionAgree()
    {
        if (!Blake3CompressSse41.IsSupported) return; // nothing to compare on this machine
        var random = new Random(42);
        var block = new byte[64];
        var cvA = new uint[8];
        var cvB = new uint[8];
        var outA = new byte[64];
        var outB = new byte[64];
        for (var i = 0; i < 2000; i++)
        {
            random.NextBytes(block);
            for (var w = 0; w < 8; w++) cvA[w] = cvB[w] = (uint)random.NextInt64();
            var counter = (ulong)random.NextInt64();
            var len = (uint)random.Next(0, 65);
            var flags = (uint)random.Next(0, 128);
            fixed (byte* b = block)
            fixed (uint* a = cvA)
            fixed (uint* c = cvB)
            fixed (byte* oa = outA)
            fixed (byte* ob = outB)
            {
                Blake3Compress.CompressXofPortable(a, b, len, counter, flags, oa);
                Blake3CompressSse41.CompressXof(c, b, len, counter, flags, ob);
                Assert.Equal(outA, outB);
                Blake3Compress.CompressInPlacePortable(a, b, len, counter, flags);
                Blake3CompressSse41.CompressInPlace(c, b, len, counter, flags);
                Assert.Equal(cvA, cvB);
            }
        }
    }
}
