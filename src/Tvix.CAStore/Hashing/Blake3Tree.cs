using System.Runtime.CompilerServices;

namespace Tvix.CAStore.Hashing;

/// <summary>
/// Chaining values of complete subtrees (a power of two of whole chunks). Leaves are hashed many
/// chunks at a time, then each level of parents many at a time, so the SIMD kernels stay busy;
/// in parallel mode the two halves of a large subtree run on different cores.
/// </summary>
internal static unsafe class Blake3Tree
{
    /// <summary>
    /// Chunks hashed as one group; their chaining values (8 KiB) fit on the stack. Large enough that
    /// most parent levels fill the widest kernel: with 32, the narrow levels and the parents above
    /// the groups took about a tenth of the time.
    /// </summary>
    private const int LeafChunks = 256;

    /// <summary>Below this many bytes a subtree is not worth splitting across threads.</summary>
    private const long ParallelMinBytes = 256 * 1024;

    /// <summary>The chaining value (32 bytes, not root) of <paramref name="chunks"/> whole chunks, a power of two.</summary>
    [SkipLocalsInit]
    internal static void SubtreeCv(byte* input, long chunks, ulong chunkCounter, uint* key, uint flags, int lanes, bool parallel, byte* cvOut)
    {
        if (chunks <= LeafChunks)
        {
            var cvs = stackalloc byte[LeafChunks * Blake3Compress.OutLen];
            var n = (int)chunks;
            Blake3Many.Hash<ChunkLayout>(input, n, Blake3Compress.ChunkLen / Blake3Compress.BlockLen, key, chunkCounter, true,
                flags, Blake3Compress.ChunkStart, Blake3Compress.ChunkEnd, cvs, lanes);
            while (n > 1)
            {
                // Parent i reads cvs[64i..64i+64) and writes cvs[32i..32i+32): always at or behind what is read.
                n /= 2;
                Blake3Many.Hash<ParentLayout>(cvs, n, 1, key, 0, false, flags | Blake3Compress.Parent, 0, 0, cvs, lanes);
            }
            Unsafe.CopyBlockUnaligned(cvOut, cvs, Blake3Compress.OutLen);
            return;
        }
        var pair = stackalloc byte[2 * Blake3Compress.OutLen];
        SubtreeChildren(input, chunks, chunkCounter, key, flags, lanes, parallel, pair);
        Blake3Many.ParentCv(pair, key, flags, cvOut);
    }

    /// <summary>
    /// The chaining values of the left and right halves of a subtree of <paramref name="chunks"/>
    /// (a power of two, at least 2) whole chunks, written to <paramref name="pairOut"/> as 64 bytes.
    /// </summary>
    internal static void SubtreeChildren(byte* input, long chunks, ulong chunkCounter, uint* key, uint flags, int lanes, bool parallel, byte* pairOut)
    {
        var half = chunks / 2;
        var right = input + half * Blake3Compress.ChunkLen;
        if (parallel && chunks * Blake3Compress.ChunkLen >= ParallelMinBytes)
        {
            // The pointers stay valid: Parallel.Invoke returns only when both halves are done.
            nint l = (nint)input, r = (nint)right, k = (nint)key, o = (nint)pairOut;
            Parallel.Invoke(
                () => SubtreeCv((byte*)l, half, chunkCounter, (uint*)k, flags, lanes, true, (byte*)o),
                () => SubtreeCv((byte*)r, half, chunkCounter + (ulong)half, (uint*)k, flags, lanes, true, (byte*)o + Blake3Compress.OutLen));
            return;
        }
        SubtreeCv(input, half, chunkCounter, key, flags, lanes, false, pairOut);
        SubtreeCv(right, half, chunkCounter + (ulong)half, key, flags, lanes, false, pairOut + Blake3Compress.OutLen);
    }
}
