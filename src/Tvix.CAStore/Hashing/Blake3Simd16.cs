using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tvix.CAStore.Hashing;

/// <summary>
/// Hashes sixteen independent inputs at once with 512-bit vectors (AVX-512F): lane <c>i</c> of
/// every state vector belongs to input <c>i</c>; each input's 64-byte block is one row of a
/// 16x16 word matrix that is transposed into the message vectors.
/// </summary>
internal static unsafe class Blake3Simd16
{
    /// <summary>Whether this kernel can run on this machine.</summary>
    internal static bool IsSupported => Avx512F.IsSupported && BitConverter.IsLittleEndian;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Rotr16(Vector512<uint> x) => Avx512F.RotateRight(x, 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Rotr8(Vector512<uint> x) => Avx512F.RotateRight(x, 8);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Rotr12(Vector512<uint> x) => Avx512F.RotateRight(x, 12);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Rotr7(Vector512<uint> x) => Avx512F.RotateRight(x, 7);

    /// <summary>How far ahead (bytes) of the block being hashed each input is prefetched.</summary>
    private const int PrefetchDistance = 256;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Load(byte* p) => Vector512.Load((uint*)p);

    /// <summary>Interleaves words, then word pairs, of four rows: within each 128-bit lane, word k of the four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(Vector512<uint> r0, Vector512<uint> r1, Vector512<uint> r2, Vector512<uint> r3,
        out Vector512<uint> u0, out Vector512<uint> u1, out Vector512<uint> u2, out Vector512<uint> u3)
    {
        var lo01 = Avx512F.UnpackLow(r0, r1).AsUInt64();
        var hi01 = Avx512F.UnpackHigh(r0, r1).AsUInt64();
        var lo23 = Avx512F.UnpackLow(r2, r3).AsUInt64();
        var hi23 = Avx512F.UnpackHigh(r2, r3).AsUInt64();
        u0 = Avx512F.UnpackLow(lo01, lo23).AsUInt32();
        u1 = Avx512F.UnpackHigh(lo01, lo23).AsUInt32();
        u2 = Avx512F.UnpackLow(hi01, hi23).AsUInt32();
        u3 = Avx512F.UnpackHigh(hi01, hi23).AsUInt32();
    }

    /// <summary>Gathers 128-bit lane L of four vectors (one per group of four rows) into word vectors k, 4+k, 8+k, 12+k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lanes(Vector512<uint> g0, Vector512<uint> g1, Vector512<uint> g2, Vector512<uint> g3,
        out Vector512<uint> w0, out Vector512<uint> w4, out Vector512<uint> w8, out Vector512<uint> w12)
    {
        var lo01 = Avx512F.Shuffle4x128(g0, g1, 0x44);
        var hi01 = Avx512F.Shuffle4x128(g0, g1, 0xEE);
        var lo23 = Avx512F.Shuffle4x128(g2, g3, 0x44);
        var hi23 = Avx512F.Shuffle4x128(g2, g3, 0xEE);
        w0 = Avx512F.Shuffle4x128(lo01, lo23, 0x88);
        w4 = Avx512F.Shuffle4x128(lo01, lo23, 0xDD);
        w8 = Avx512F.Shuffle4x128(hi01, hi23, 0x88);
        w12 = Avx512F.Shuffle4x128(hi01, hi23, 0xDD);
    }

    /// <summary>Transposes a 16x16 matrix of words given as rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(
        Vector512<uint> r0, Vector512<uint> r1, Vector512<uint> r2, Vector512<uint> r3,
        Vector512<uint> r4, Vector512<uint> r5, Vector512<uint> r6, Vector512<uint> r7,
        Vector512<uint> r8, Vector512<uint> r9, Vector512<uint> r10, Vector512<uint> r11,
        Vector512<uint> r12, Vector512<uint> r13, Vector512<uint> r14, Vector512<uint> r15,
        out Vector512<uint> m0, out Vector512<uint> m1, out Vector512<uint> m2, out Vector512<uint> m3,
        out Vector512<uint> m4, out Vector512<uint> m5, out Vector512<uint> m6, out Vector512<uint> m7,
        out Vector512<uint> m8, out Vector512<uint> m9, out Vector512<uint> m10, out Vector512<uint> m11,
        out Vector512<uint> m12, out Vector512<uint> m13, out Vector512<uint> m14, out Vector512<uint> m15)
    {
        Transpose4(r0, r1, r2, r3, out var a0, out var a1, out var a2, out var a3);
        Transpose4(r4, r5, r6, r7, out var b0, out var b1, out var b2, out var b3);
        Transpose4(r8, r9, r10, r11, out var c0, out var c1, out var c2, out var c3);
        Transpose4(r12, r13, r14, r15, out var d0, out var d1, out var d2, out var d3);
        Lanes(a0, b0, c0, d0, out m0, out m4, out m8, out m12);
        Lanes(a1, b1, c1, d1, out m1, out m5, out m9, out m13);
        Lanes(a2, b2, c2, d2, out m2, out m6, out m10, out m14);
        Lanes(a3, b3, c3, d3, out m3, out m7, out m11, out m15);
    }

    /// <summary>
    /// Hashes the sixteen inputs at <paramref name="input"/> + i * <c>TLayout.Stride</c>, each
    /// <paramref name="blocks"/> blocks long, and writes their 32-byte chaining values to
    /// <paramref name="output"/> + 32 * i.
    /// </summary>
    /// <remarks>
    /// The stride is a type parameter so that the compiled kernel's sixteen loads (and prefetches)
    /// address <c>p + constant</c>, with no per-block address arithmetic. Only the chunk layout is
    /// used: parents go through it too (see <see cref="Blake3Many.Parents"/>), one JIT-compiled copy.
    /// </remarks>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see Blake3Simd4.Hash4
    internal static void Hash16<TLayout>(byte* input, int blocks, uint* key, ulong counter, bool increment,
        uint flags, uint flagsStart, uint flagsEnd, byte* output)
        where TLayout : struct, IBlake3Layout
    {
        var stride = TLayout.Stride;
        Vector512<uint> h0 = Vector512.Create(key[0]), h1 = Vector512.Create(key[1]), h2 = Vector512.Create(key[2]), h3 = Vector512.Create(key[3]);
        Vector512<uint> h4 = Vector512.Create(key[4]), h5 = Vector512.Create(key[5]), h6 = Vector512.Create(key[6]), h7 = Vector512.Create(key[7]);
        // Input i has counter + i (chunks) or counter (parents); the high words carry where the low ones wrapped.
        var low = Vector512.Create((uint)counter);
        var counterLow = increment ? low + Vector512<uint>.Indices : low;
        var counterHigh = Vector512.Create((uint)(counter >> 32)) - Vector512.LessThan(counterLow, low);
        var end = input + (nint)blocks * Blake3Compress.BlockLen;
        for (var p = input; p < end; p += Blake3Compress.BlockLen)
        {
            // Sixteen streams 1 KiB apart are more than the hardware prefetcher follows well: ask for
            // each one's data four blocks ahead. Near the end of the chunks that is the start of the
            // sixteen chunks after them, which the next call most likely hashes (harmless if not:
            // prefetches do not fault). One-block inputs are parents (Blake3Many.Parents), just copied
            // into slots a chunk apart, so in cache.
            if (blocks > 1)
            {
                var a = p + PrefetchDistance;
                if (a >= end) a += 15 * stride;
                Sse.Prefetch0(a);
                Sse.Prefetch0(a + 1 * stride);
                Sse.Prefetch0(a + 2 * stride);
                Sse.Prefetch0(a + 3 * stride);
                Sse.Prefetch0(a + 4 * stride);
                Sse.Prefetch0(a + 5 * stride);
                Sse.Prefetch0(a + 6 * stride);
                Sse.Prefetch0(a + 7 * stride);
                Sse.Prefetch0(a + 8 * stride);
                Sse.Prefetch0(a + 9 * stride);
                Sse.Prefetch0(a + 10 * stride);
                Sse.Prefetch0(a + 11 * stride);
                Sse.Prefetch0(a + 12 * stride);
                Sse.Prefetch0(a + 13 * stride);
                Sse.Prefetch0(a + 14 * stride);
                Sse.Prefetch0(a + 15 * stride);
            }
            Transpose(Load(p), Load(p + 1 * stride), Load(p + 2 * stride), Load(p + 3 * stride), Load(p + 4 * stride), Load(p + 5 * stride), Load(p + 6 * stride), Load(p + 7 * stride), Load(p + 8 * stride), Load(p + 9 * stride), Load(p + 10 * stride), Load(p + 11 * stride), Load(p + 12 * stride), Load(p + 13 * stride), Load(p + 14 * stride), Load(p + 15 * stride),
                out var m0, out var m1, out var m2, out var m3, out var m4, out var m5, out var m6, out var m7, out var m8, out var m9, out var m10, out var m11, out var m12, out var m13, out var m14, out var m15);
            var blockFlags = flags | (p == input ? flagsStart : 0) | (p + Blake3Compress.BlockLen == end ? flagsEnd : 0);
            Vector512<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
            var v8 = Vector512.Create(Blake3Compress.Iv0);
            var v9 = Vector512.Create(Blake3Compress.Iv1);
            var v10 = Vector512.Create(Blake3Compress.Iv2);
            var v11 = Vector512.Create(Blake3Compress.Iv3);
            var v12 = counterLow;
            var v13 = counterHigh;
            var v14 = Vector512.Create((uint)Blake3Compress.BlockLen);
            var v15 = Vector512.Create(blockFlags);
            // round 0
            v0 = v0 + m0 + v4;
            v1 = v1 + m2 + v5;
            v2 = v2 + m4 + v6;
            v3 = v3 + m6 + v7;
            v12 = Rotr16(v12 ^ v0);
            v13 = Rotr16(v13 ^ v1);
            v14 = Rotr16(v14 ^ v2);
            v15 = Rotr16(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr12(v4 ^ v8);
            v5 = Rotr12(v5 ^ v9);
            v6 = Rotr12(v6 ^ v10);
            v7 = Rotr12(v7 ^ v11);
            v0 = v0 + m1 + v4;
            v1 = v1 + m3 + v5;
            v2 = v2 + m5 + v6;
            v3 = v3 + m7 + v7;
            v12 = Rotr8(v12 ^ v0);
            v13 = Rotr8(v13 ^ v1);
            v14 = Rotr8(v14 ^ v2);
            v15 = Rotr8(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr7(v4 ^ v8);
            v5 = Rotr7(v5 ^ v9);
            v6 = Rotr7(v6 ^ v10);
            v7 = Rotr7(v7 ^ v11);
            v0 = v0 + m8 + v5;
            v1 = v1 + m10 + v6;
            v2 = v2 + m12 + v7;
            v3 = v3 + m14 + v4;
            v15 = Rotr16(v15 ^ v0);
            v12 = Rotr16(v12 ^ v1);
            v13 = Rotr16(v13 ^ v2);
            v14 = Rotr16(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr12(v5 ^ v10);
            v6 = Rotr12(v6 ^ v11);
            v7 = Rotr12(v7 ^ v8);
            v4 = Rotr12(v4 ^ v9);
            v0 = v0 + m9 + v5;
            v1 = v1 + m11 + v6;
            v2 = v2 + m13 + v7;
            v3 = v3 + m15 + v4;
            v15 = Rotr8(v15 ^ v0);
            v12 = Rotr8(v12 ^ v1);
            v13 = Rotr8(v13 ^ v2);
            v14 = Rotr8(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr7(v5 ^ v10);
            v6 = Rotr7(v6 ^ v11);
            v7 = Rotr7(v7 ^ v8);
            v4 = Rotr7(v4 ^ v9);
            // round 1
            v0 = v0 + m2 + v4;
            v1 = v1 + m3 + v5;
            v2 = v2 + m7 + v6;
            v3 = v3 + m4 + v7;
            v12 = Rotr16(v12 ^ v0);
            v13 = Rotr16(v13 ^ v1);
            v14 = Rotr16(v14 ^ v2);
            v15 = Rotr16(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr12(v4 ^ v8);
            v5 = Rotr12(v5 ^ v9);
            v6 = Rotr12(v6 ^ v10);
            v7 = Rotr12(v7 ^ v11);
            v0 = v0 + m6 + v4;
            v1 = v1 + m10 + v5;
            v2 = v2 + m0 + v6;
            v3 = v3 + m13 + v7;
            v12 = Rotr8(v12 ^ v0);
            v13 = Rotr8(v13 ^ v1);
            v14 = Rotr8(v14 ^ v2);
            v15 = Rotr8(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr7(v4 ^ v8);
            v5 = Rotr7(v5 ^ v9);
            v6 = Rotr7(v6 ^ v10);
            v7 = Rotr7(v7 ^ v11);
            v0 = v0 + m1 + v5;
            v1 = v1 + m12 + v6;
            v2 = v2 + m9 + v7;
            v3 = v3 + m15 + v4;
            v15 = Rotr16(v15 ^ v0);
            v12 = Rotr16(v12 ^ v1);
            v13 = Rotr16(v13 ^ v2);
            v14 = Rotr16(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr12(v5 ^ v10);
            v6 = Rotr12(v6 ^ v11);
            v7 = Rotr12(v7 ^ v8);
            v4 = Rotr12(v4 ^ v9);
            v0 = v0 + m11 + v5;
            v1 = v1 + m5 + v6;
            v2 = v2 + m14 + v7;
            v3 = v3 + m8 + v4;
            v15 = Rotr8(v15 ^ v0);
            v12 = Rotr8(v12 ^ v1);
            v13 = Rotr8(v13 ^ v2);
            v14 = Rotr8(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr7(v5 ^ v10);
            v6 = Rotr7(v6 ^ v11);
            v7 = Rotr7(v7 ^ v8);
            v4 = Rotr7(v4 ^ v9);
            // round 2
            v0 = v0 + m3 + v4;
            v1 = v1 + m10 + v5;
            v2 = v2 + m13 + v6;
            v3 = v3 + m7 + v7;
            v12 = Rotr16(v12 ^ v0);
            v13 = Rotr16(v13 ^ v1);
            v14 = Rotr16(v14 ^ v2);
            v15 = Rotr16(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr12(v4 ^ v8);
            v5 = Rotr12(v5 ^ v9);
            v6 = Rotr12(v6 ^ v10);
            v7 = Rotr12(v7 ^ v11);
            v0 = v0 + m4 + v4;
            v1 = v1 + m12 + v5;
            v2 = v2 + m2 + v6;
            v3 = v3 + m14 + v7;
            v12 = Rotr8(v12 ^ v0);
            v13 = Rotr8(v13 ^ v1);
            v14 = Rotr8(v14 ^ v2);
            v15 = Rotr8(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr7(v4 ^ v8);
            v5 = Rotr7(v5 ^ v9);
            v6 = Rotr7(v6 ^ v10);
            v7 = Rotr7(v7 ^ v11);
            v0 = v0 + m6 + v5;
            v1 = v1 + m9 + v6;
            v2 = v2 + m11 + v7;
            v3 = v3 + m8 + v4;
            v15 = Rotr16(v15 ^ v0);
            v12 = Rotr16(v12 ^ v1);
            v13 = Rotr16(v13 ^ v2);
            v14 = Rotr16(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr12(v5 ^ v10);
            v6 = Rotr12(v6 ^ v11);
            v7 = Rotr12(v7 ^ v8);
            v4 = Rotr12(v4 ^ v9);
            v0 = v0 + m5 + v5;
            v1 = v1 + m0 + v6;
            v2 = v2 + m15 + v7;
            v3 = v3 + m1 + v4;
            v15 = Rotr8(v15 ^ v0);
            v12 = Rotr8(v12 ^ v1);
            v13 = Rotr8(v13 ^ v2);
            v14 = Rotr8(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr7(v5 ^ v10);
            v6 = Rotr7(v6 ^ v11);
            v7 = Rotr7(v7 ^ v8);
            v4 = Rotr7(v4 ^ v9);
            // round 3
            v0 = v0 + m10 + v4;
            v1 = v1 + m12 + v5;
            v2 = v2 + m14 + v6;
            v3 = v3 + m13 + v7;
            v12 = Rotr16(v12 ^ v0);
            v13 = Rotr16(v13 ^ v1);
            v14 = Rotr16(v14 ^ v2);
            v15 = Rotr16(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr12(v4 ^ v8);
            v5 = Rotr12(v5 ^ v9);
            v6 = Rotr12(v6 ^ v10);
            v7 = Rotr12(v7 ^ v11);
            v0 = v0 + m7 + v4;
            v1 = v1 + m9 + v5;
            v2 = v2 + m3 + v6;
            v3 = v3 + m15 + v7;
            v12 = Rotr8(v12 ^ v0);
            v13 = Rotr8(v13 ^ v1);
            v14 = Rotr8(v14 ^ v2);
            v15 = Rotr8(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr7(v4 ^ v8);
            v5 = Rotr7(v5 ^ v9);
            v6 = Rotr7(v6 ^ v10);
            v7 = Rotr7(v7 ^ v11);
            v0 = v0 + m4 + v5;
            v1 = v1 + m11 + v6;
            v2 = v2 + m5 + v7;
            v3 = v3 + m1 + v4;
            v15 = Rotr16(v15 ^ v0);
            v12 = Rotr16(v12 ^ v1);
            v13 = Rotr16(v13 ^ v2);
            v14 = Rotr16(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr12(v5 ^ v10);
            v6 = Rotr12(v6 ^ v11);
            v7 = Rotr12(v7 ^ v8);
            v4 = Rotr12(v4 ^ v9);
            v0 = v0 + m0 + v5;
            v1 = v1 + m2 + v6;
            v2 = v2 + m8 + v7;
            v3 = v3 + m6 + v4;
            v15 = Rotr8(v15 ^ v0);
            v12 = Rotr8(v12 ^ v1);
            v13 = Rotr8(v13 ^ v2);
            v14 = Rotr8(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr7(v5 ^ v10);
            v6 = Rotr7(v6 ^ v11);
            v7 = Rotr7(v7 ^ v8);
            v4 = Rotr7(v4 ^ v9);
            // round 4
            v0 = v0 + m12 + v4;
            v1 = v1 + m9 + v5;
            v2 = v2 + m15 + v6;
            v3 = v3 + m14 + v7;
            v12 = Rotr16(v12 ^ v0);
            v13 = Rotr16(v13 ^ v1);
            v14 = Rotr16(v14 ^ v2);
            v15 = Rotr16(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr12(v4 ^ v8);
            v5 = Rotr12(v5 ^ v9);
            v6 = Rotr12(v6 ^ v10);
            v7 = Rotr12(v7 ^ v11);
            v0 = v0 + m13 + v4;
            v1 = v1 + m11 + v5;
            v2 = v2 + m10 + v6;
            v3 = v3 + m8 + v7;
            v12 = Rotr8(v12 ^ v0);
            v13 = Rotr8(v13 ^ v1);
            v14 = Rotr8(v14 ^ v2);
            v15 = Rotr8(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr7(v4 ^ v8);
            v5 = Rotr7(v5 ^ v9);
            v6 = Rotr7(v6 ^ v10);
            v7 = Rotr7(v7 ^ v11);
            v0 = v0 + m7 + v5;
            v1 = v1 + m5 + v6;
            v2 = v2 + m0 + v7;
            v3 = v3 + m6 + v4;
            v15 = Rotr16(v15 ^ v0);
            v12 = Rotr16(v12 ^ v1);
            v13 = Rotr16(v13 ^ v2);
            v14 = Rotr16(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr12(v5 ^ v10);
            v6 = Rotr12(v6 ^ v11);
            v7 = Rotr12(v7 ^ v8);
            v4 = Rotr12(v4 ^ v9);
            v0 = v0 + m2 + v5;
            v1 = v1 + m3 + v6;
            v2 = v2 + m1 + v7;
            v3 = v3 + m4 + v4;
            v15 = Rotr8(v15 ^ v0);
            v12 = Rotr8(v12 ^ v1);
            v13 = Rotr8(v13 ^ v2);
            v14 = Rotr8(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr7(v5 ^ v10);
            v6 = Rotr7(v6 ^ v11);
            v7 = Rotr7(v7 ^ v8);
            v4 = Rotr7(v4 ^ v9);
            // round 5
            v0 = v0 + m9 + v4;
            v1 = v1 + m11 + v5;
            v2 = v2 + m8 + v6;
            v3 = v3 + m15 + v7;
            v12 = Rotr16(v12 ^ v0);
            v13 = Rotr16(v13 ^ v1);
            v14 = Rotr16(v14 ^ v2);
            v15 = Rotr16(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr12(v4 ^ v8);
            v5 = Rotr12(v5 ^ v9);
            v6 = Rotr12(v6 ^ v10);
            v7 = Rotr12(v7 ^ v11);
            v0 = v0 + m14 + v4;
            v1 = v1 + m5 + v5;
            v2 = v2 + m12 + v6;
            v3 = v3 + m1 + v7;
            v12 = Rotr8(v12 ^ v0);
            v13 = Rotr8(v13 ^ v1);
            v14 = Rotr8(v14 ^ v2);
            v15 = Rotr8(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr7(v4 ^ v8);
            v5 = Rotr7(v5 ^ v9);
            v6 = Rotr7(v6 ^ v10);
            v7 = Rotr7(v7 ^ v11);
            v0 = v0 + m13 + v5;
            v1 = v1 + m0 + v6;
            v2 = v2 + m2 + v7;
            v3 = v3 + m4 + v4;
            v15 = Rotr16(v15 ^ v0);
            v12 = Rotr16(v12 ^ v1);
            v13 = Rotr16(v13 ^ v2);
            v14 = Rotr16(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr12(v5 ^ v10);
            v6 = Rotr12(v6 ^ v11);
            v7 = Rotr12(v7 ^ v8);
            v4 = Rotr12(v4 ^ v9);
            v0 = v0 + m3 + v5;
            v1 = v1 + m10 + v6;
            v2 = v2 + m6 + v7;
            v3 = v3 + m7 + v4;
            v15 = Rotr8(v15 ^ v0);
            v12 = Rotr8(v12 ^ v1);
            v13 = Rotr8(v13 ^ v2);
            v14 = Rotr8(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr7(v5 ^ v10);
            v6 = Rotr7(v6 ^ v11);
            v7 = Rotr7(v7 ^ v8);
            v4 = Rotr7(v4 ^ v9);
            // round 6
            v0 = v0 + m11 + v4;
            v1 = v1 + m5 + v5;
            v2 = v2 + m1 + v6;
            v3 = v3 + m8 + v7;
            v12 = Rotr16(v12 ^ v0);
            v13 = Rotr16(v13 ^ v1);
            v14 = Rotr16(v14 ^ v2);
            v15 = Rotr16(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr12(v4 ^ v8);
            v5 = Rotr12(v5 ^ v9);
            v6 = Rotr12(v6 ^ v10);
            v7 = Rotr12(v7 ^ v11);
            v0 = v0 + m15 + v4;
            v1 = v1 + m0 + v5;
            v2 = v2 + m9 + v6;
            v3 = v3 + m6 + v7;
            v12 = Rotr8(v12 ^ v0);
            v13 = Rotr8(v13 ^ v1);
            v14 = Rotr8(v14 ^ v2);
            v15 = Rotr8(v15 ^ v3);
            v8 = v8 + v12;
            v9 = v9 + v13;
            v10 = v10 + v14;
            v11 = v11 + v15;
            v4 = Rotr7(v4 ^ v8);
            v5 = Rotr7(v5 ^ v9);
            v6 = Rotr7(v6 ^ v10);
            v7 = Rotr7(v7 ^ v11);
            v0 = v0 + m14 + v5;
            v1 = v1 + m2 + v6;
            v2 = v2 + m3 + v7;
            v3 = v3 + m7 + v4;
            v15 = Rotr16(v15 ^ v0);
            v12 = Rotr16(v12 ^ v1);
            v13 = Rotr16(v13 ^ v2);
            v14 = Rotr16(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr12(v5 ^ v10);
            v6 = Rotr12(v6 ^ v11);
            v7 = Rotr12(v7 ^ v8);
            v4 = Rotr12(v4 ^ v9);
            v0 = v0 + m10 + v5;
            v1 = v1 + m12 + v6;
            v2 = v2 + m4 + v7;
            v3 = v3 + m13 + v4;
            v15 = Rotr8(v15 ^ v0);
            v12 = Rotr8(v12 ^ v1);
            v13 = Rotr8(v13 ^ v2);
            v14 = Rotr8(v14 ^ v3);
            v10 = v10 + v15;
            v11 = v11 + v12;
            v8 = v8 + v13;
            v9 = v9 + v14;
            v5 = Rotr7(v5 ^ v10);
            v6 = Rotr7(v6 ^ v11);
            v7 = Rotr7(v7 ^ v8);
            v4 = Rotr7(v4 ^ v9);

            h0 = v0 ^ v8; h1 = v1 ^ v9; h2 = v2 ^ v10; h3 = v3 ^ v11;
            h4 = v4 ^ v12; h5 = v5 ^ v13; h6 = v6 ^ v14; h7 = v7 ^ v15;
        }
        // Word w of input i is lane i of h_w: transposing (h0..h7, anything) puts input i's chaining
        // value in the low half of vector i.
        Transpose(h0, h1, h2, h3, h4, h5, h6, h7, h0, h1, h2, h3, h4, h5, h6, h7,
            out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7,
            out var o8, out var o9, out var o10, out var o11, out var o12, out var o13, out var o14, out var o15);
        var o = (uint*)output;
        o0.GetLower().Store(o); o1.GetLower().Store(o + 8); o2.GetLower().Store(o + 16); o3.GetLower().Store(o + 24);
        o4.GetLower().Store(o + 32); o5.GetLower().Store(o + 40); o6.GetLower().Store(o + 48); o7.GetLower().Store(o + 56);
        o8.GetLower().Store(o + 64); o9.GetLower().Store(o + 72); o10.GetLower().Store(o + 80); o11.GetLower().Store(o + 88);
        o12.GetLower().Store(o + 96); o13.GetLower().Store(o + 104); o14.GetLower().Store(o + 112); o15.GetLower().Store(o + 120);
    }
}
