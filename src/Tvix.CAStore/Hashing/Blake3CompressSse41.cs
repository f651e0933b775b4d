using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Tvix.CAStore.Hashing;

/// <summary>
/// The compression function for one block on 128-bit vectors: each state row is a vector, so the
/// four column steps run together, and a lane rotation turns diagonals into columns. Used for
/// inputs too small to fill the many-input kernels (short blobs, directories, parents, output).
/// </summary>
internal static unsafe class Blake3CompressSse41
{
    /// <summary>Whether this path can run on this machine.</summary>
    internal static bool IsSupported => Blake3Simd4.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Word(byte* p, int i) => Unsafe.ReadUnaligned<uint>(p + 4 * i);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rotr16(Vector128<uint> x) => Blake3Simd4.Rotr16(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rotr12(Vector128<uint> x) => Blake3Simd4.Rotr12(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rotr8(Vector128<uint> x) => Blake3Simd4.Rotr8(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Rotr7(Vector128<uint> x) => Blake3Simd4.Rotr7(x);

    /// <summary>Compresses one 64-byte block into the chaining value <paramref name="cv"/> (8 words, updated in place).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see Blake3Simd4.Hash4
    internal static void CompressInPlace(uint* cv, byte* block, uint blockLen, ulong counter, uint flags)
    {
        uint m0 = Word(block, 0), m1 = Word(block, 1), m2 = Word(block, 2), m3 = Word(block, 3);
        uint m4 = Word(block, 4), m5 = Word(block, 5), m6 = Word(block, 6), m7 = Word(block, 7);
        uint m8 = Word(block, 8), m9 = Word(block, 9), m10 = Word(block, 10), m11 = Word(block, 11);
        uint m12 = Word(block, 12), m13 = Word(block, 13), m14 = Word(block, 14), m15 = Word(block, 15);
        var row0 = Vector128.Load(cv);
        var row1 = Vector128.Load(cv + 4);
        var row2 = Vector128.Create(Blake3Compress.Iv0, Blake3Compress.Iv1, Blake3Compress.Iv2, Blake3Compress.Iv3);
        var row3 = Vector128.Create((uint)counter, (uint)(counter >> 32), blockLen, flags);
        // round 0
        row0 = row0 + Vector128.Create(m0, m2, m4, m6) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m1, m3, m5, m7) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m8, m10, m12, m14) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m9, m11, m13, m15) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 1
        row0 = row0 + Vector128.Create(m2, m3, m7, m4) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m6, m10, m0, m13) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m1, m12, m9, m15) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m11, m5, m14, m8) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 2
        row0 = row0 + Vector128.Create(m3, m10, m13, m7) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m4, m12, m2, m14) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m6, m9, m11, m8) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m5, m0, m15, m1) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 3
        row0 = row0 + Vector128.Create(m10, m12, m14, m13) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m7, m9, m3, m15) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m4, m11, m5, m1) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m0, m2, m8, m6) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 4
        row0 = row0 + Vector128.Create(m12, m9, m15, m14) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m13, m11, m10, m8) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m7, m5, m0, m6) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m2, m3, m1, m4) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 5
        row0 = row0 + Vector128.Create(m9, m11, m8, m15) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m14, m5, m12, m1) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m13, m0, m2, m4) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m3, m10, m6, m7) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 6
        row0 = row0 + Vector128.Create(m11, m5, m1, m8) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m15, m0, m9, m6) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m14, m2, m3, m7) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m10, m12, m4, m13) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        (row0 ^ row2).Store(cv);
        (row1 ^ row3).Store(cv + 4);
    }

    /// <summary>Compresses one block and writes the full 64-byte extended output.</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // see Blake3Simd4.Hash4
    internal static void CompressXof(uint* cv, byte* block, uint blockLen, ulong counter, uint flags, byte* out64)
    {
        uint m0 = Word(block, 0), m1 = Word(block, 1), m2 = Word(block, 2), m3 = Word(block, 3);
        uint m4 = Word(block, 4), m5 = Word(block, 5), m6 = Word(block, 6), m7 = Word(block, 7);
        uint m8 = Word(block, 8), m9 = Word(block, 9), m10 = Word(block, 10), m11 = Word(block, 11);
        uint m12 = Word(block, 12), m13 = Word(block, 13), m14 = Word(block, 14), m15 = Word(block, 15);
        var row0 = Vector128.Load(cv);
        var row1 = Vector128.Load(cv + 4);
        var row2 = Vector128.Create(Blake3Compress.Iv0, Blake3Compress.Iv1, Blake3Compress.Iv2, Blake3Compress.Iv3);
        var row3 = Vector128.Create((uint)counter, (uint)(counter >> 32), blockLen, flags);
        // round 0
        row0 = row0 + Vector128.Create(m0, m2, m4, m6) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m1, m3, m5, m7) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m8, m10, m12, m14) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m9, m11, m13, m15) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 1
        row0 = row0 + Vector128.Create(m2, m3, m7, m4) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m6, m10, m0, m13) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m1, m12, m9, m15) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m11, m5, m14, m8) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 2
        row0 = row0 + Vector128.Create(m3, m10, m13, m7) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m4, m12, m2, m14) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m6, m9, m11, m8) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m5, m0, m15, m1) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 3
        row0 = row0 + Vector128.Create(m10, m12, m14, m13) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m7, m9, m3, m15) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m4, m11, m5, m1) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m0, m2, m8, m6) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 4
        row0 = row0 + Vector128.Create(m12, m9, m15, m14) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m13, m11, m10, m8) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m7, m5, m0, m6) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m2, m3, m1, m4) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 5
        row0 = row0 + Vector128.Create(m9, m11, m8, m15) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m14, m5, m12, m1) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m13, m0, m2, m4) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m3, m10, m6, m7) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        // round 6
        row0 = row0 + Vector128.Create(m11, m5, m1, m8) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m15, m0, m9, m6) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x39); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x93); // diagonals into columns
        row0 = row0 + Vector128.Create(m14, m2, m3, m7) + row1;
        row3 = Rotr16(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr12(row1 ^ row2);
        row0 = row0 + Vector128.Create(m10, m12, m4, m13) + row1;
        row3 = Rotr8(row3 ^ row0);
        row2 = row2 + row3;
        row1 = Rotr7(row1 ^ row2);
        row1 = Sse2.Shuffle(row1, 0x93); row2 = Sse2.Shuffle(row2, 0x4E); row3 = Sse2.Shuffle(row3, 0x39); // and back
        var o = (uint*)out64;
        (row0 ^ row2).Store(o);
        (row1 ^ row3).Store(o + 4);
        (row2 ^ Vector128.Load(cv)).Store(o + 8);
        (row3 ^ Vector128.Load(cv + 4)).Store(o + 12);
    }
}
