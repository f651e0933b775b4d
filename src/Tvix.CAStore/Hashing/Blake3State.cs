using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tvix.CAStore.Hashing;

/// <summary>
/// The whole incremental BLAKE3 state in one unmanaged struct, so one-shot hashing lives on the
/// stack and a <see cref="Blake3Hasher"/> holds it inline. The operations are static and take a
/// pointer to a pinned or stack-allocated state.
/// </summary>
/// <remarks>
/// Layout of the tree: the current chunk is compressed block by block (its last block is kept
/// back until more input proves it is not the final one); completed subtrees sit on a stack of
/// chaining values that is merged lazily, so the final chunk can always become the root.
/// </remarks>
internal unsafe struct Blake3State
{
    /// <summary>Enough for 2^54 chunks (2^64 bytes) plus the one entry lazy merging keeps extra.</summary>
    private const int MaxStack = 56;

    private fixed uint _key[8];
    private fixed uint _chunkCv[8];
    private fixed byte _block[64];
    private fixed byte _stack[MaxStack * 32];
    private int _blockLen;
    private int _blocksCompressed;
    private ulong _chunkCounter;
    private int _stackLen;
    private uint _flags;
    private int _lanes;

    /// <summary>Starts a new hash with the given key words (the IV for plain hashing) and mode flags.</summary>
    internal static void Init(Blake3State* s, uint* key, uint flags, int lanes)
    {
        for (var i = 0; i < 8; i++) s->_key[i] = key[i];
        s->_flags = flags;
        s->_lanes = lanes;
        Reset(s);
    }

    /// <summary>Forgets all input, keeping key, mode and SIMD width.</summary>
    internal static void Reset(Blake3State* s)
    {
        s->_chunkCounter = 0;
        s->_stackLen = 0;
        StartChunk(s);
    }

    private static void StartChunk(Blake3State* s)
    {
        for (var i = 0; i < 8; i++) s->_chunkCv[i] = s->_key[i];
        s->_blockLen = 0;
        s->_blocksCompressed = 0;
    }

    private static long ChunkLength(Blake3State* s) => (long)s->_blocksCompressed * Blake3Compress.BlockLen + s->_blockLen;

    private static uint StartFlag(Blake3State* s) => s->_blocksCompressed == 0 ? Blake3Compress.ChunkStart : 0;

    /// <summary>Adds bytes to the current chunk; never more than fit in it.</summary>
    private static void ChunkUpdate(Blake3State* s, byte* input, long len)
    {
        while (len > 0)
        {
            if (s->_blockLen == Blake3Compress.BlockLen)
            {
                Blake3Compress.CompressInPlace(s->_chunkCv, s->_block, Blake3Compress.BlockLen, s->_chunkCounter, s->_flags | StartFlag(s));
                s->_blocksCompressed++;
                s->_blockLen = 0;
            }
            // Whole blocks straight from the input, keeping the last one back: it may be the chunk's end.
            while (s->_blockLen == 0 && len > Blake3Compress.BlockLen)
            {
                Blake3Compress.CompressInPlace(s->_chunkCv, input, Blake3Compress.BlockLen, s->_chunkCounter, s->_flags | StartFlag(s));
                s->_blocksCompressed++;
                input += Blake3Compress.BlockLen;
                len -= Blake3Compress.BlockLen;
            }
            var take = (int)Math.Min(Blake3Compress.BlockLen - s->_blockLen, len);
            Unsafe.CopyBlockUnaligned(s->_block + s->_blockLen, input, (uint)take);
            s->_blockLen += take;
            input += take;
            len -= take;
        }
    }

    /// <summary>Merges completed subtrees so that the stack holds one entry per set bit of <paramref name="totalChunks"/>.</summary>
    private static void MergeStack(Blake3State* s, ulong totalChunks)
    {
        var keep = BitOperations.PopCount(totalChunks);
        while (s->_stackLen > keep)
        {
            var left = s->_stack + (s->_stackLen - 2) * Blake3Compress.OutLen;
            Blake3Many.ParentCv(left, s->_key, s->_flags, left);
            s->_stackLen--;
        }
    }

    private static void PushCv(Blake3State* s, byte* cv, ulong chunkCounter)
    {
        MergeStack(s, chunkCounter);
        Unsafe.CopyBlockUnaligned(s->_stack + s->_stackLen * Blake3Compress.OutLen, cv, Blake3Compress.OutLen);
        s->_stackLen++;
    }

    /// <summary>Absorbs <paramref name="len"/> bytes; with <paramref name="parallel"/> large subtrees use several cores.</summary>
    [SkipLocalsInit]
    internal static void Update(Blake3State* s, byte* input, long len, bool parallel)
    {
        var cv = stackalloc byte[2 * Blake3Compress.OutLen];
        if (ChunkLength(s) > 0)
        {
            var take = Math.Min(Blake3Compress.ChunkLen - ChunkLength(s), len);
            ChunkUpdate(s, input, take);
            input += take;
            len -= take;
            if (len == 0) return;
            // More input follows, so the buffered chunk is complete and not the root.
            ChunkCv(s, cv);
            PushCv(s, cv, s->_chunkCounter);
            s->_chunkCounter++;
            StartChunk(s);
        }

        // Whole subtrees while more than one chunk remains: the final (possibly partial) chunk stays buffered.
        while (len > Blake3Compress.ChunkLen)
        {
            var subtreeLen = 1L << (63 - BitOperations.LeadingZeroCount((ulong)len)); // largest power of two <= len
            var soFar = s->_chunkCounter * Blake3Compress.ChunkLen;
            // A subtree must start at a multiple of its own size.
            while (((ulong)subtreeLen - 1 & soFar) != 0) subtreeLen /= 2;
            var chunks = subtreeLen / Blake3Compress.ChunkLen;
            if (chunks <= 1)
            {
                Blake3Many.HashOne(input, Blake3Compress.ChunkLen / Blake3Compress.BlockLen, s->_key, s->_chunkCounter, s->_flags,
                    Blake3Compress.ChunkStart, Blake3Compress.ChunkEnd, cv);
                PushCv(s, cv, s->_chunkCounter);
            }
            else
            {
                // Push both halves, not their parent: if this subtree ends the input, the parent is the root.
                Blake3Tree.SubtreeChildren(input, chunks, s->_chunkCounter, s->_key, s->_flags, s->_lanes, parallel, cv);
                PushCv(s, cv, s->_chunkCounter);
                PushCv(s, cv + Blake3Compress.OutLen, s->_chunkCounter + (ulong)(chunks / 2));
            }
            s->_chunkCounter += (ulong)chunks;
            input += subtreeLen;
            len -= subtreeLen;
        }
        if (len > 0)
        {
            ChunkUpdate(s, input, len);
            // The buffered chunk now exists, so everything before it can be merged down.
            MergeStack(s, s->_chunkCounter);
        }
    }

    /// <summary>The chaining value of the buffered chunk as a non-root node.</summary>
    private static void ChunkCv(Blake3State* s, byte* cvOut)
    {
        Output o;
        ChunkOutput(s, &o);
        ChainingValue(&o, cvOut);
    }

    /// <summary>What the final compression of a node needs, kept so it can be replayed for any output block.</summary>
    private struct Output
    {
        public fixed uint Cv[8];
        public fixed byte Block[64];
        public uint BlockLen;
        public ulong Counter;
        public uint Flags;
    }

    private static void ChunkOutput(Blake3State* s, Output* o)
    {
        for (var i = 0; i < 8; i++) o->Cv[i] = s->_chunkCv[i];
        Unsafe.InitBlockUnaligned(o->Block, 0, Blake3Compress.BlockLen);
        Unsafe.CopyBlockUnaligned(o->Block, s->_block, (uint)s->_blockLen);
        o->BlockLen = (uint)s->_blockLen;
        o->Counter = s->_chunkCounter;
        o->Flags = s->_flags | StartFlag(s) | Blake3Compress.ChunkEnd;
    }

    private static void ParentOutput(Blake3State* s, byte* left, byte* right, Output* o)
    {
        for (var i = 0; i < 8; i++) o->Cv[i] = s->_key[i];
        Unsafe.CopyBlockUnaligned(o->Block, left, Blake3Compress.OutLen);
        Unsafe.CopyBlockUnaligned(o->Block + Blake3Compress.OutLen, right, Blake3Compress.OutLen);
        o->BlockLen = Blake3Compress.BlockLen;
        o->Counter = 0;
        o->Flags = s->_flags | Blake3Compress.Parent;
    }

    [SkipLocalsInit]
    private static void ChainingValue(Output* o, byte* cvOut)
    {
        var cv = stackalloc uint[8];
        for (var i = 0; i < 8; i++) cv[i] = o->Cv[i];
        Blake3Compress.CompressInPlace(cv, o->Block, o->BlockLen, o->Counter, o->Flags);
        Blake3Many.StoreCv(cv, cvOut);
    }

    /// <summary>
    /// Writes <paramref name="len"/> bytes of output starting at byte <paramref name="seek"/> of the
    /// extended output. The state is not changed: more input may follow.
    /// </summary>
    [SkipLocalsInit]
    internal static void Finalize(Blake3State* s, ulong seek, byte* output, long len)
    {
        Output o;
        var cv = stackalloc byte[Blake3Compress.OutLen];
        var remaining = s->_stackLen;
        if (remaining == 0)
        {
            ChunkOutput(s, &o);
        }
        else
        {
            if (ChunkLength(s) > 0)
            {
                ChunkOutput(s, &o);
            }
            else
            {
                // The input ended exactly on a subtree boundary: the last two stack entries are the root's children.
                var left = s->_stack + (remaining - 2) * Blake3Compress.OutLen;
                ParentOutput(s, left, left + Blake3Compress.OutLen, &o);
                remaining -= 2;
            }
            while (remaining > 0)
            {
                ChainingValue(&o, cv);
                ParentOutput(s, s->_stack + (remaining - 1) * Blake3Compress.OutLen, cv, &o);
                remaining--;
            }
        }

        var block = stackalloc byte[Blake3Compress.BlockLen];
        var blockCounter = seek / Blake3Compress.BlockLen;
        var skip = (int)(seek % Blake3Compress.BlockLen);
        while (len > 0)
        {
            Blake3Compress.CompressXof(o.Cv, o.Block, o.BlockLen, blockCounter, o.Flags | Blake3Compress.Root, block);
            var take = (int)Math.Min(Blake3Compress.BlockLen - skip, len);
            Unsafe.CopyBlockUnaligned(output, block + skip, (uint)take);
            output += take;
            len -= take;
            skip = 0;
            blockCounter++;
        }
    }
}
