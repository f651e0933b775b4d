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
