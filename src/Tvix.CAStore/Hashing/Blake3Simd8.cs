using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tvix.CAStore.Hashing;

/// <summary>
/// Hashes eight independent inputs at once with 256-bit vectors (AVX2): lane <c>i</c> of every
/// state vector belongs to input <c>i</c>, so the message words are loaded transposed.
/// </summary>
internal static unsafe class Blake3Simd8
{
    /// <summary>Whether this kernel can run on this machine.</summary>
    internal static bool IsSupported => Avx2.IsSupported && BitConverter.IsLittleEndian;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotr16(Vector256<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 16)
        : Avx2.Shuffle(x.AsByte(), Vector256.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotr8(Vector256<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 8)
        : Avx2.Shuffle(x.AsByte(), Vector256.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12, 1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotr12(Vector256<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 12)
        : Vector256.ShiftRightLogical(x, 12) | Vector256.ShiftLeft(x, 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Rotr7(Vector256<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 7)
        : Vector256.ShiftRightLogical(x, 7) | Vector256.ShiftLeft(x, 25);

    /// <summary>Transposes an 8x8 matrix of words given as rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(Vector256<uint> r0, Vector256<uint> r1, Vector256<uint> r2, Vector256<uint> r3,
        Vector256<uint> r4, Vector256<uint> r5, Vector256<uint> r6, Vector256<uint> r7,
        out Vector256<uint> o0, out Vector256<uint> o1, out Vector256<uint> o2, out Vector256<uint> o3,
        out Vector256<uint> o4, out Vector256<uint> o5, out Vector256<uint> o6, out Vector256<uint> o7)
    {
        var t0 = Avx2.UnpackLow(r0, r1).AsUInt64();
        var t1 = Avx2.UnpackHigh(r0, r1).AsUInt64();
        var t2 = Avx2.UnpackLow(r2, r3).AsUInt64();
        var t3 = Avx2.UnpackHigh(r2, r3).AsUInt64();
        var t4 = Avx2.UnpackLow(r4, r5).AsUInt64();
        var t5 = Avx2.UnpackHigh(r4, r5).AsUInt64();
        var t6 = Avx2.UnpackLow(r6, r7).AsUInt64();
        var t7 = Avx2.UnpackHigh(r6, r7).AsUInt64();
        var u0 = Avx2.UnpackLow(t0, t2).AsUInt32();
        var u1 = Avx2.UnpackHigh(t0, t2).AsUInt32();
        var u2 = Avx2.UnpackLow(t1, t3).AsUInt32();
        var u3 = Avx2.UnpackHigh(t1, t3).AsUInt32();
        var u4 = Avx2.UnpackLow(t4, t6).AsUInt32();
        var u5 = Avx2.UnpackHigh(t4, t6).AsUInt32();
        var u6 = Avx2.UnpackLow(t5, t7).AsUInt32();
        var u7 = Avx2.UnpackHigh(t5, t7).AsUInt32();
        o0 = Avx2.Permute2x128(u0, u4, 0x20);
        o4 = Avx2.Permute2x128(u0, u4, 0x31);
        o1 = Avx2.Permute2x128(u1, u5, 0x20);
        o5 = Avx2.Permute2x128(u1, u5, 0x31);
        o2 = Avx2.Permute2x128(u2, u6, 0x20);
        o6 = Avx2.Permute2x128(u2, u6, 0x31);
        o3 = Avx2.Permute2x128(u3, u7, 0x20);
        o7 = Avx2.Permute2x128(u3, u7, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Load(byte* p) => Vector256.Load((uint*)p);

    /// <summary>How far ahead (bytes) of the block being hashed each input is prefetched.</summary>
    private const int PrefetchDistance = 256;

    /// <summary>
    /// Hashes the eight inputs at <paramref name="input"/> + i * <c>TLayout.Stride</c>, each
    /// <paramref name="blocks"/> blocks long, and writes their 32-byte chaining values to
    /// <paramref name="output"/> + 32 * i.
    /// </summary>
    /// <remarks>The stride is a type parameter for constant addressing, as in <see cref="Blake3Simd16.Hash16{TLayout}"/>.</remarks>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see Blake3Simd4.Hash4
    internal static void Hash8<TLayout>(byte* input, int blocks, uint* key, ulong counter, bool increment,
        uint flags, uint flagsStart, uint flagsEnd, byte* output)
        where TLayout : struct, IBlake3Layout
    {
        var stride = TLayout.Stride;
        Vector256<uint> h0 = Vector256.Create(key[0]), h1 = Vector256.Create(key[1]), h2 = Vector256.Create(key[2]), h3 = Vector256.Create(key[3]);
        Vector256<uint> h4 = Vector256.Create(key[4]), h5 = Vector256.Create(key[5]), h6 = Vector256.Create(key[6]), h7 = Vector256.Create(key[7]);
        // Input i has counter + i (chunks) or counter (parents); the high words carry where the low ones wrapped.
        var low = Vector256.Create((uint)counter);
        var counterLow = increment ? low + Vector256<uint>.Indices : low;
        var counterHigh = Vector256.Create((uint)(counter >> 32)) - Vector256.LessThan(counterLow, low);
        var end = input + (nint)blocks * Blake3Compress.BlockLen;
        var msg = stackalloc Vector256<uint>[16];
        // The third state row lives in memory too: its words are each used twice right after being
        // computed, and the registers it frees are the temporaries the rotations by shifts need
        // (AVX2 alone: 1.8 -> 2.2 GB/s). With AVX-512 this costs a store-forwarding delay per step,
        // but there the 16-way kernel does the bulk and this one only a few parents and leftovers.
        var rowC = stackalloc Vector256<uint>[4];
        for (var p = input; p < end; p += Blake3Compress.BlockLen)
        {
            if (blocks > 1) // as in Hash16, including the next eight inputs' start
            {
                var a = p + PrefetchDistance;
                if (a >= end) a += 7 * stride;
                Sse.Prefetch0(a);
                Sse.Prefetch0(a + 1 * stride);
                Sse.Prefetch0(a + 2 * stride);
                Sse.Prefetch0(a + 3 * stride);
                Sse.Prefetch0(a + 4 * stride);
                Sse.Prefetch0(a + 5 * stride);
                Sse.Prefetch0(a + 6 * stride);
                Sse.Prefetch0(a + 7 * stride);
            }
            var q = p + 32;
            Transpose(Load(p), Load(p + stride), Load(p + 2 * stride), Load(p + 3 * stride), Load(p + 4 * stride), Load(p + 5 * stride), Load(p + 6 * stride), Load(p + 7 * stride), out var m0, out var m1, out var m2, out var m3, out var m4, out var m5, out var m6, out var m7);
            Transpose(Load(q), Load(q + stride), Load(q + 2 * stride), Load(q + 3 * stride), Load(q + 4 * stride), Load(q + 5 * stride), Load(q + 6 * stride), Load(q + 7 * stride), out var m8, out var m9, out var m10, out var m11, out var m12, out var m13, out var m14, out var m15);
            msg[0] = m0; msg[1] = m1; msg[2] = m2; msg[3] = m3; msg[4] = m4; msg[5] = m5; msg[6] = m6; msg[7] = m7;
            msg[8] = m8; msg[9] = m9; msg[10] = m10; msg[11] = m11; msg[12] = m12; msg[13] = m13; msg[14] = m14; msg[15] = m15;
            var blockFlags = flags | (p == input ? flagsStart : 0) | (p + Blake3Compress.BlockLen == end ? flagsEnd : 0);
            if (Avx512F.VL.IsSupported)
            {
                // 32 vector registers and one-instruction rotations: the whole state stays in registers
                // (keeping the third row in memory, as below, cost 30 % here).
                Vector256<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
                var v8 = Vector256.Create(Blake3Compress.Iv0);
                var v9 = Vector256.Create(Blake3Compress.Iv1);
                var v10 = Vector256.Create(Blake3Compress.Iv2);
                var v11 = Vector256.Create(Blake3Compress.Iv3);
                var v12 = counterLow;
                var v13 = counterHigh;
                var v14 = Vector256.Create((uint)Blake3Compress.BlockLen);
                var v15 = Vector256.Create(blockFlags);
                ref var order = ref MemoryMarshal.GetReference(Blake3Compress.MessageSchedule);
                for (var r = 0; r < Blake3Compress.Rounds; r++, order = ref Unsafe.Add(ref order, 16))
                {
                    v0 = v0 + msg[Unsafe.Add(ref order, 0)] + v4;
                    v1 = v1 + msg[Unsafe.Add(ref order, 2)] + v5;
                    v2 = v2 + msg[Unsafe.Add(ref order, 4)] + v6;
                    v3 = v3 + msg[Unsafe.Add(ref order, 6)] + v7;
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
                    v0 = v0 + msg[Unsafe.Add(ref order, 1)] + v4;
                    v1 = v1 + msg[Unsafe.Add(ref order, 3)] + v5;
                    v2 = v2 + msg[Unsafe.Add(ref order, 5)] + v6;
                    v3 = v3 + msg[Unsafe.Add(ref order, 7)] + v7;
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
                    v0 = v0 + msg[Unsafe.Add(ref order, 8)] + v5;
                    v1 = v1 + msg[Unsafe.Add(ref order, 10)] + v6;
                    v2 = v2 + msg[Unsafe.Add(ref order, 12)] + v7;
                    v3 = v3 + msg[Unsafe.Add(ref order, 14)] + v4;
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
                    v0 = v0 + msg[Unsafe.Add(ref order, 9)] + v5;
                    v1 = v1 + msg[Unsafe.Add(ref order, 11)] + v6;
                    v2 = v2 + msg[Unsafe.Add(ref order, 13)] + v7;
                    v3 = v3 + msg[Unsafe.Add(ref order, 15)] + v4;
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
                }

                h0 = v0 ^ v8; h1 = v1 ^ v9; h2 = v2 ^ v10; h3 = v3 ^ v11;
                h4 = v4 ^ v12; h5 = v5 ^ v13; h6 = v6 ^ v14; h7 = v7 ^ v15;
            }
            else
            {
                Vector256<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
                rowC[0] = Vector256.Create(Blake3Compress.Iv0);
                rowC[1] = Vector256.Create(Blake3Compress.Iv1);
                rowC[2] = Vector256.Create(Blake3Compress.Iv2);
                rowC[3] = Vector256.Create(Blake3Compress.Iv3);
                var v12 = counterLow;
                var v13 = counterHigh;
                var v14 = Vector256.Create((uint)Blake3Compress.BlockLen);
                var v15 = Vector256.Create(blockFlags);
                // The rounds are a loop that picks each round's message words by index, used as memory
                // operands: without AVX-512 there are only 16 vector registers, and unrolled, the JIT kept
                // all 16 message words in registers and spilled the state around every rotation instead.
                ref var order = ref MemoryMarshal.GetReference(Blake3Compress.MessageSchedule);
                for (var r = 0; r < Blake3Compress.Rounds; r++, order = ref Unsafe.Add(ref order, 16))
                {
                    v0 = v0 + msg[Unsafe.Add(ref order, 0)] + v4;
                    v1 = v1 + msg[Unsafe.Add(ref order, 2)] + v5;
                    v2 = v2 + msg[Unsafe.Add(ref order, 4)] + v6;
                    v3 = v3 + msg[Unsafe.Add(ref order, 6)] + v7;
                    v12 = Rotr16(v12 ^ v0);
                    v13 = Rotr16(v13 ^ v1);
                    v14 = Rotr16(v14 ^ v2);
                    v15 = Rotr16(v15 ^ v3);
                    rowC[0] = rowC[0] + v12;
                    rowC[1] = rowC[1] + v13;
                    rowC[2] = rowC[2] + v14;
                    rowC[3] = rowC[3] + v15;
                    v4 = Rotr12(v4 ^ rowC[0]);
                    v5 = Rotr12(v5 ^ rowC[1]);
                    v6 = Rotr12(v6 ^ rowC[2]);
                    v7 = Rotr12(v7 ^ rowC[3]);
                    v0 = v0 + msg[Unsafe.Add(ref order, 1)] + v4;
                    v1 = v1 + msg[Unsafe.Add(ref order, 3)] + v5;
                    v2 = v2 + msg[Unsafe.Add(ref order, 5)] + v6;
                    v3 = v3 + msg[Unsafe.Add(ref order, 7)] + v7;
                    v12 = Rotr8(v12 ^ v0);
                    v13 = Rotr8(v13 ^ v1);
                    v14 = Rotr8(v14 ^ v2);
                    v15 = Rotr8(v15 ^ v3);
                    rowC[0] = rowC[0] + v12;
                    rowC[1] = rowC[1] + v13;
                    rowC[2] = rowC[2] + v14;
                    rowC[3] = rowC[3] + v15;
                    v4 = Rotr7(v4 ^ rowC[0]);
                    v5 = Rotr7(v5 ^ rowC[1]);
                    v6 = Rotr7(v6 ^ rowC[2]);
                    v7 = Rotr7(v7 ^ rowC[3]);
                    v0 = v0 + msg[Unsafe.Add(ref order, 8)] + v5;
                    v1 = v1 + msg[Unsafe.Add(ref order, 10)] + v6;
                    v2 = v2 + msg[Unsafe.Add(ref order, 12)] + v7;
                    v3 = v3 + msg[Unsafe.Add(ref order, 14)] + v4;
                    v15 = Rotr16(v15 ^ v0);
                    v12 = Rotr16(v12 ^ v1);
                    v13 = Rotr16(v13 ^ v2);
                    v14 = Rotr16(v14 ^ v3);
                    rowC[2] = rowC[2] + v15;
                    rowC[3] = rowC[3] + v12;
                    rowC[0] = rowC[0] + v13;
                    rowC[1] = rowC[1] + v14;
                    v5 = Rotr12(v5 ^ rowC[2]);
                    v6 = Rotr12(v6 ^ rowC[3]);
                    v7 = Rotr12(v7 ^ rowC[0]);
                    v4 = Rotr12(v4 ^ rowC[1]);
                    v0 = v0 + msg[Unsafe.Add(ref order, 9)] + v5;
                    v1 = v1 + msg[Unsafe.Add(ref order, 11)] + v6;
                    v2 = v2 + msg[Unsafe.Add(ref order, 13)] + v7;
                    v3 = v3 + msg[Unsafe.Add(ref order, 15)] + v4;
                    v15 = Rotr8(v15 ^ v0);
                    v12 = Rotr8(v12 ^ v1);
                    v13 = Rotr8(v13 ^ v2);
                    v14 = Rotr8(v14 ^ v3);
                    rowC[2] = rowC[2] + v15;
                    rowC[3] = rowC[3] + v12;
                    rowC[0] = rowC[0] + v13;
                    rowC[1] = rowC[1] + v14;
                    v5 = Rotr7(v5 ^ rowC[2]);
                    v6 = Rotr7(v6 ^ rowC[3]);
                    v7 = Rotr7(v7 ^ rowC[0]);
                    v4 = Rotr7(v4 ^ rowC[1]);
                }

                h0 = v0 ^ rowC[0]; h1 = v1 ^ rowC[1]; h2 = v2 ^ rowC[2]; h3 = v3 ^ rowC[3];
                h4 = v4 ^ v12; h5 = v5 ^ v13; h6 = v6 ^ v14; h7 = v7 ^ v15;
            }
        }
        Transpose(h0, h1, h2, h3, h4, h5, h6, h7, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
        o0.Store((uint*)output); o1.Store((uint*)(output + 32)); o2.Store((uint*)(output + 64)); o3.Store((uint*)(output + 96));
        o4.Store((uint*)(output + 128)); o5.Store((uint*)(output + 160)); o6.Store((uint*)(output + 192)); o7.Store((uint*)(output + 224));
    }
}
