using System.Runtime.CompilerServices;

namespace Tvix.CAStore.Hashing;

/// <summary>
/// Chaining values of complete subtrees (a power of two of whole chunks). Leaves are hashed many
/// chunks at a time, then each level of parents many at a time, so the SIMD kernels stay busy;
/// in parallel mode pieces of a large subtree run on different cores.
/// </summary>
internal static unsafe class Blake3Tree
{
    /// <summary>
    /// Chunks hashed as one group; their chaining values (8 KiB) fit on the stack. Large enough that
    /// most parent levels fill the widest kernel: with 32, the narrow levels and the parents above
    /// the groups took about a tenth of the time.
    /// </summary>
    private const int LeafChunks = 256;

    /// <summary>
    /// The smallest piece of a subtree one thread hashes on its own (a leaf group, ~50 µs): small
    /// enough to split a few MiB across cores, large enough that handing it out costs little.
    /// </summary>
    private const long MinUnitChunks = LeafChunks;

    /// <summary>
    /// At most this many pieces per parallel subtree (their chaining values, 2 KiB, fit on the
    /// stack): many more than cores, so a core slowed by other work hands pieces to the others.
    /// </summary>
    private const int MaxUnits = 64;

    /// <summary>The chaining value (32 bytes, not root) of <paramref name="chunks"/> whole chunks, a power of two, on this thread.</summary>
    [SkipLocalsInit]
    internal static void SubtreeCv(byte* input, long chunks, ulong chunkCounter, uint* key, uint flags, int lanes, byte* cvOut)
    {
        if (chunks <= LeafChunks)
        {
            LeafGroup(input, (int)chunks, chunkCounter, key, flags, lanes, 1, cvOut);
            return;
        }
        var pair = stackalloc byte[2 * Blake3Compress.OutLen];
        SubtreeChildren(input, chunks, chunkCounter, key, flags, lanes, false, pair);
        Blake3Many.ParentCv(pair, key, flags, cvOut);
    }

    /// <summary>
    /// Hashes <paramref name="chunks"/> (a power of two, at most <see cref="LeafChunks"/>) whole
    /// chunks, then their parents level by level until <paramref name="roots"/> (1 or 2) chaining
    /// values remain, written to <paramref name="output"/>.
    /// </summary>
    [SkipLocalsInit]
    private static void LeafGroup(byte* input, int chunks, ulong chunkCounter, uint* key, uint flags, int lanes, int roots, byte* output)
    {
        var cvs = stackalloc byte[LeafChunks * Blake3Compress.OutLen];
        var n = chunks;
        Blake3Many.Hash<ChunkLayout>(input, n, Blake3Compress.ChunkLen / Blake3Compress.BlockLen, key, chunkCounter, true,
            flags, Blake3Compress.ChunkStart, Blake3Compress.ChunkEnd, cvs, lanes);
        while (n > roots)
        {
            // Parent i reads cvs[64i..64i+64) and writes cvs[32i..32i+32): always at or behind what is read.
            n /= 2;
            Blake3Many.Parents(cvs, n, key, flags, cvs, lanes);
        }
        Unsafe.CopyBlockUnaligned(output, cvs, (uint)(roots * Blake3Compress.OutLen));
    }

    /// <summary>
    /// The chaining values of the left and right halves of a subtree of <paramref name="chunks"/>
    /// (a power of two, at least 2) whole chunks, written to <paramref name="pairOut"/> as 64 bytes.
    /// </summary>
    internal static void SubtreeChildren(byte* input, long chunks, ulong chunkCounter, uint* key, uint flags, int lanes, bool parallel, byte* pairOut)
    {
        if (parallel && chunks >= 2 * MinUnitChunks && Environment.ProcessorCount > 1)
        {
            ParallelChildren(input, chunks, chunkCounter, key, flags, lanes, pairOut);
            return;
        }
        if (chunks <= LeafChunks)
        {
            // One group, not two halves: a stream fed in 64 KiB pieces gets its parents 16 wide.
            LeafGroup(input, (int)chunks, chunkCounter, key, flags, lanes, 2, pairOut);
            return;
        }
        var half = chunks / 2;
        SubtreeCv(input, half, chunkCounter, key, flags, lanes, pairOut);
        SubtreeCv(input + half * Blake3Compress.ChunkLen, half, chunkCounter + (ulong)half, key, flags, lanes, pairOut + Blake3Compress.OutLen);
    }

    /// <summary>
    /// <see cref="SubtreeChildren"/> on several cores: the subtree is cut into equal power-of-two
    /// pieces that at most one thread per core takes in turn; their chaining values are then merged
    /// level by level with the many-input kernels, down to the two halves.
    /// </summary>
    [SkipLocalsInit]
    private static void ParallelChildren(byte* input, long chunks, ulong chunkCounter, uint* key, uint flags, int lanes, byte* pairOut)
    {
        var units = (int)Math.Min(MaxUnits, chunks / MinUnitChunks); // both powers of two, so this one is too
        var unitChunks = chunks / units;
        var cvs = stackalloc byte[units * Blake3Compress.OutLen];
        // The pointers stay valid: Parallel.For returns only when every piece is done.
        nint i0 = (nint)input, k = (nint)key, c = (nint)cvs;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, units, options, u => SubtreeCv((byte*)i0 + u * unitChunks * Blake3Compress.ChunkLen, unitChunks,
            chunkCounter + (ulong)(u * unitChunks), (uint*)k, flags, lanes, (byte*)c + u * Blake3Compress.OutLen));
        for (var n = units / 2; n >= 2; n /= 2)
            Blake3Many.Parents(cvs, n, key, flags, cvs, lanes);
        Unsafe.CopyBlockUnaligned(pairOut, cvs, 2 * Blake3Compress.OutLen);
    }
}
