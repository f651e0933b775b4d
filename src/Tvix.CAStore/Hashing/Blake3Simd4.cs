using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tvix.CAStore.Hashing;

/// <summary>
/// Hashes four independent inputs at once with 128-bit vectors (SSE4.1): lane <c>i</c> of every
/// state vector belongs to input <c>i</c>, so the message words are loaded transposed.
/// </summary>
internal static unsafe class Blake3Simd4
{
    /// <summary>Whether this kernel can run on this machine.</summary>
    internal static bool IsSupported => Sse41.IsSupported && BitConverter.IsLittleEndian;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> Rotr16(Vector128<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 16)
        : Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> Rotr8(Vector128<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 8)
        : Ssse3.Shuffle(x.AsByte(), Vector128.Create((byte)1, 2, 3, 0, 5, 6, 7, 4, 9, 10, 11, 8, 13, 14, 15, 12)).AsUInt32();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> Rotr12(Vector128<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 12)
        : Vector128.ShiftRightLogical(x, 12) | Vector128.ShiftLeft(x, 20);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<uint> Rotr7(Vector128<uint> x) => Avx512F.VL.IsSupported
        ? Avx512F.VL.RotateRight(x, 7)
        : Vector128.ShiftRightLogical(x, 7) | Vector128.ShiftLeft(x, 25);

    /// <summary>Transposes a 4x4 matrix of words given as rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(Vector128<uint> r0, Vector128<uint> r1, Vector128<uint> r2, Vector128<uint> r3,
        out Vector128<uint> o0, out Vector128<uint> o1, out Vector128<uint> o2, out Vector128<uint> o3)
    {
        var t0 = Sse2.UnpackLow(r0, r1).AsUInt64();
        var t1 = Sse2.UnpackLow(r2, r3).AsUInt64();
        var t2 = Sse2.UnpackHigh(r0, r1).AsUInt64();
        var t3 = Sse2.UnpackHigh(r2, r3).AsUInt64();
        o0 = Sse2.UnpackLow(t0, t1).AsUInt32();
        o1 = Sse2.UnpackHigh(t0, t1).AsUInt32();
        o2 = Sse2.UnpackLow(t2, t3).AsUInt32();
        o3 = Sse2.UnpackHigh(t2, t3).AsUInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Load(byte* p) => Vector128.Load((uint*)p);

    /// <summary>
    /// Hashes the four inputs at <paramref name="input"/> + i * <paramref name="stride"/>, each
    /// <paramref name="blocks"/> blocks long, and writes their 32-byte chaining values to
    /// <paramref name="output"/> + 32 * i.
    /// </summary>
    [SkipLocalsInit]
    // Fully optimised at its first call, as are the other compression kernels. ReadyToRun leaves
    // methods using SSE4.1/AVX2/AVX-512 to the JIT, whose first tier (no inlining, no register
    // allocation of vectors) runs them several times slower, and a short command (a NAR dump checking
    // directory digests, the start of an import) finishes before they are promoted.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Hash4(byte* input, nint stride, int blocks, uint* key, ulong counter, bool increment,
        uint flags, uint flagsStart, uint flagsEnd, byte* output)
    {
        Vector128<uint> h0 = Vector128.Create(key[0]), h1 = Vector128.Create(key[1]), h2 = Vector128.Create(key[2]), h3 = Vector128.Create(key[3]);
        Vector128<uint> h4 = Vector128.Create(key[4]), h5 = Vector128.Create(key[5]), h6 = Vector128.Create(key[6]), h7 = Vector128.Create(key[7]);
        ulong c0 = counter + (increment ? 0UL : 0UL);
        ulong c1 = counter + (increment ? 1UL : 0UL);
        ulong c2 = counter + (increment ? 2UL : 0UL);
        ulong c3 = counter + (increment ? 3UL : 0UL);
        var counterLow = Vector128.Create((uint)c0, (uint)c1, (uint)c2, (uint)c3);
        var counterHigh = Vector128.Create((uint)(c0 >> 32), (uint)(c1 >> 32), (uint)(c2 >> 32), (uint)(c3 >> 32));
        byte* p0 = input, p1 = input + stride, p2 = input + 2 * stride, p3 = input + 3 * stride;
        var msg = stackalloc Vector128<uint>[16];
        var rowC = stackalloc Vector128<uint>[4]; // see Blake3Simd8.Hash8
        for (var b = 0; b < blocks; b++)
        {
            var off = b * 64;
            Transpose(Load(p0 + off), Load(p1 + off), Load(p2 + off), Load(p3 + off), out var m0, out var m1, out var m2, out var m3);
            Transpose(Load(p0 + off + 16), Load(p1 + off + 16), Load(p2 + off + 16), Load(p3 + off + 16), out var m4, out var m5, out var m6, out var m7);
            Transpose(Load(p0 + off + 32), Load(p1 + off + 32), Load(p2 + off + 32), Load(p3 + off + 32), out var m8, out var m9, out var m10, out var m11);
            Transpose(Load(p0 + off + 48), Load(p1 + off + 48), Load(p2 + off + 48), Load(p3 + off + 48), out var m12, out var m13, out var m14, out var m15);
            msg[0] = m0; msg[1] = m1; msg[2] = m2; msg[3] = m3; msg[4] = m4; msg[5] = m5; msg[6] = m6; msg[7] = m7;
            msg[8] = m8; msg[9] = m9; msg[10] = m10; msg[11] = m11; msg[12] = m12; msg[13] = m13; msg[14] = m14; msg[15] = m15;
            var blockFlags = flags | (b == 0 ? flagsStart : 0) | (b == blocks - 1 ? flagsEnd : 0);
            if (Avx512F.VL.IsSupported)
            {
                // 32 vector registers and one-instruction rotations: the whole state stays in registers
                // (keeping the third row in memory, as below, cost 30 % here).
                Vector128<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
                var v8 = Vector128.Create(Blake3Compress.Iv0);
                var v9 = Vector128.Create(Blake3Compress.Iv1);
                var v10 = Vector128.Create(Blake3Compress.Iv2);
                var v11 = Vector128.Create(Blake3Compress.Iv3);
                var v12 = counterLow;
                var v13 = counterHigh;
                var v14 = Vector128.Create((uint)Blake3Compress.BlockLen);
                var v15 = Vector128.Create(blockFlags);
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
                Vector128<uint> v0 = h0, v1 = h1, v2 = h2, v3 = h3, v4 = h4, v5 = h5, v6 = h6, v7 = h7;
                rowC[0] = Vector128.Create(Blake3Compress.Iv0);
                rowC[1] = Vector128.Create(Blake3Compress.Iv1);
                rowC[2] = Vector128.Create(Blake3Compress.Iv2);
                rowC[3] = Vector128.Create(Blake3Compress.Iv3);
                var v12 = counterLow;
                var v13 = counterHigh;
                var v14 = Vector128.Create((uint)Blake3Compress.BlockLen);
                var v15 = Vector128.Create(blockFlags);
                // The rounds loop over the message schedule, and the third state row lives in memory, as in
                // Blake3Simd8.Hash8.
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
        Transpose(h0, h1, h2, h3, out var a0, out var a1, out var a2, out var a3);
        Transpose(h4, h5, h6, h7, out var b0, out var b1, out var b2, out var b3);
        a0.Store((uint*)output); b0.Store((uint*)(output + 16));
        a1.Store((uint*)(output + 32)); b1.Store((uint*)(output + 48));
        a2.Store((uint*)(output + 64)); b2.Store((uint*)(output + 80));
        a3.Store((uint*)(output + 96)); b3.Store((uint*)(output + 112));
    }
}
