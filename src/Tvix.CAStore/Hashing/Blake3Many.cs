using System.Runtime.CompilerServices;

namespace Tvix.CAStore.Hashing;

/// <summary>
/// Hashes many equally long, evenly spaced inputs (whole chunks, or parent blocks made of two
/// chaining values) with the widest SIMD kernel available, then finishes the remainder scalar.
/// </summary>
internal static unsafe class Blake3Many
{
    /// <summary>The widest kernel this machine runs: 16 (AVX-512), 8 (AVX2), 4 (SSE4.1) or 1 (scalar).</summary>
    internal static int MaxLanes => Blake3Simd16.IsSupported ? 16 : Blake3Simd8.IsSupported ? 8 : Blake3Simd4.IsSupported ? 4 : 1;

    /// <summary>
    /// Hashes <paramref name="count"/> inputs found at <paramref name="input"/> + i * <c>TLayout.Stride</c>,
    /// each <paramref name="blocks"/> 64-byte blocks long, into 32-byte chaining values at
    /// <paramref name="output"/> + 32 * i. With <paramref name="increment"/> input i uses counter
    /// <paramref name="counter"/> + i (chunks), otherwise all use <paramref name="counter"/> (parents).
    /// <paramref name="lanes"/> caps the SIMD width (1 forces the scalar path).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see Blake3Simd4.Hash4
    internal static void Hash<TLayout>(byte* input, int count, int blocks, uint* key, ulong counter, bool increment,
        uint flags, uint flagsStart, uint flagsEnd, byte* output, int lanes)
        where TLayout : struct, IBlake3Layout
    {
        var stride = TLayout.Stride;
        if (lanes >= 16 && Blake3Simd16.IsSupported)
        {
            while (count >= 16)
            {
                Blake3Simd16.Hash16<TLayout>(input, blocks, key, counter, increment, flags, flagsStart, flagsEnd, output);
                input += 16 * stride;
                if (increment) counter += 16;
                output += 16 * Blake3Compress.OutLen;
                count -= 16;
            }
        }
        if (lanes >= 8 && Blake3Simd8.IsSupported)
        {
            while (count >= 8)
            {
                Blake3Simd8.Hash8<TLayout>(input, blocks, key, counter, increment, flags, flagsStart, flagsEnd, output);
                input += 8 * stride;
                if (increment) counter += 8;
                output += 8 * Blake3Compress.OutLen;
                count -= 8;
            }
        }
        if (lanes >= 4 && Blake3Simd4.IsSupported)
        {
            while (count >= 4)
            {
                Blake3Simd4.Hash4(input, stride, blocks, key, counter, increment, flags, flagsStart, flagsEnd, output);
                input += 4 * stride;
                if (increment) counter += 4;
                output += 4 * Blake3Compress.OutLen;
                count -= 4;
            }
        }
        while (count > 0)
        {
            HashOne(input, blocks, key, counter, flags, flagsStart, flagsEnd, output);
            input += stride;
            if (increment) counter++;
            output += Blake3Compress.OutLen;
            count--;
        }
    }

    /// <summary>
    /// Hashes <paramref name="count"/> parent blocks, consecutive 64-byte pairs of chaining values at
    /// <paramref name="pairs"/>, into their chaining values at <paramref name="output"/> + 32 * i
    /// (which may be <paramref name="pairs"/> itself: each group is copied out before it is written over).
    /// </summary>
    /// <remarks>
    /// Through the chunk kernels (<see cref="ChunkLayout"/>, one block per input): each group of
    /// parents is first copied into a scratch buffer, one block per chunk-sized slot. The kernels are
    /// JIT-compiled in every process (fully optimised, AVX-512 code is not ReadyToRun), and a second,
    /// parent-layout copy of the 16- and 8-way kernels cost about a third of that compilation time
    /// (~13k of ~37k bytes of IL), on the thread that hashes the first blobs of every store add. The
    /// copy is 64 bytes per parent against a compression of the same block.
    /// </remarks>
    [SkipLocalsInit]
    internal static void Parents(byte* pairs, int count, uint* key, uint flags, byte* output, int lanes)
    {
        var scratch = stackalloc byte[ParentGroup * Blake3Compress.ChunkLen];
        while (count > 0)
        {
            var n = Math.Min(count, ParentGroup);
            for (var i = 0; i < n; i++)
                Unsafe.CopyBlockUnaligned(scratch + i * Blake3Compress.ChunkLen, pairs + i * Blake3Compress.BlockLen, Blake3Compress.BlockLen);
            Hash<ChunkLayout>(scratch, n, 1, key, 0, false, flags | Blake3Compress.Parent, 0, 0, output, lanes);
            pairs += n * Blake3Compress.BlockLen;
            output += n * Blake3Compress.OutLen;
            count -= n;
        }
    }

    // Parents per kernel call in Parents: the widest kernel's lanes (a 16 KiB scratch buffer).
    private const int ParentGroup = 16;

    /// <summary>Hashes one input of whole blocks with the scalar compression function.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see Blake3Simd4.Hash4
    internal static void HashOne(byte* input, int blocks, uint* key, ulong counter, uint flags, uint flagsStart, uint flagsEnd, byte* output)
    {
        var cv = stackalloc uint[8];
        for (var i = 0; i < 8; i++) cv[i] = key[i];
        for (var b = 0; b < blocks; b++)
        {
            var blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);
            Blake3Compress.CompressInPlace(cv, input + b * Blake3Compress.BlockLen, Blake3Compress.BlockLen, counter, blockFlags);
        }
        StoreCv(cv, output);
    }

    /// <summary>The chaining value of a parent node whose 64-byte block (left CV, right CV) is at <paramref name="pair"/>; may write over the pair.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see Blake3Simd4.Hash4
    internal static void ParentCv(byte* pair, uint* key, uint flags, byte* output)
    {
        var cv = stackalloc uint[8];
        for (var i = 0; i < 8; i++) cv[i] = key[i];
        Blake3Compress.CompressInPlace(cv, pair, Blake3Compress.BlockLen, 0, flags | Blake3Compress.Parent);
        StoreCv(cv, output);
    }

    /// <summary>Writes eight words as 32 little-endian bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreCv(uint* cv, byte* output)
    {
        for (var i = 0; i < 8; i++)
            Unsafe.WriteUnaligned(output + 4 * i, BitConverter.IsLittleEndian ? cv[i] : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(cv[i]));
    }

    /// <summary>Reads 32 little-endian bytes as eight words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void LoadCv(byte* input, uint* cv)
    {
        for (var i = 0; i < 8; i++)
        {
            var w = Unsafe.ReadUnaligned<uint>(input + 4 * i);
            cv[i] = BitConverter.IsLittleEndian ? w : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(w);
        }
    }
}
