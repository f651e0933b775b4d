namespace Tvix.CAStore.Hashing;

/// <summary>
/// One-shot BLAKE3: the default hash, keyed hash and key derivation, each with output of any
/// length (the first 32 bytes are the standard digest). For input that arrives in pieces, use
/// <see cref="Blake3Hasher"/>.
/// </summary>
public static class Blake3
{
    /// <summary>Length of a standard BLAKE3 digest in bytes.</summary>
    public const int HashSize = 32;

    /// <summary>Length of a keyed-mode key in bytes.</summary>
    public const int KeySize = 32;

    /// <summary>The read size used when hashing streams.</summary>
    internal const int StreamBufferSize = 64 * 1024;

    /// <summary>The standard 32-byte hash of <paramref name="input"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> input)
    {
        var result = new byte[HashSize];
        Hash(input, result);
        return result;
    }

    /// <summary>Hashes <paramref name="input"/> into <paramref name="output"/>, whose length picks the output length.</summary>
    public static void Hash(ReadOnlySpan<byte> input, Span<byte> output) => Run(input, output, parallel: false);

    /// <summary>Like <see cref="Hash(ReadOnlySpan{byte}, Span{byte})"/>, hashing independent subtrees of a large input on several cores.</summary>
    public static void HashParallel(ReadOnlySpan<byte> input, Span<byte> output) => Run(input, output, parallel: true);

    [System.Runtime.CompilerServices.SkipLocalsInit] // the state is written before it is read
    private static unsafe void Run(ReadOnlySpan<byte> input, Span<byte> output, bool parallel)
    {
        if (input.Length <= SmallInput && output.Length <= Blake3Compress.BlockLen)
        {
            HashSmall(input, output);
            return;
        }
        RunOnState(input, output, parallel);
    }

    /// <summary>
    /// The standard hash of <paramref name="input"/> through the stack-held incremental state and its
    /// vector kernels whatever the length: for a writer that hashes thousands of small blobs (a tree
    /// add), where inputs of two to four chunks go through the four-lane kernel instead of one
    /// scalar chunk after another, and the kernels are compiled once for all of them anyway.
    /// </summary>
    internal static void HashWithKernels(ReadOnlySpan<byte> input, Span<byte> output) => RunOnState(input, output, parallel: false);

    [System.Runtime.CompilerServices.SkipLocalsInit] // the state is written before it is read
    private static unsafe void RunOnState(ReadOnlySpan<byte> input, Span<byte> output, bool parallel)
    {
        Blake3State state;
        var iv = stackalloc uint[8];
        Blake3Compress.WriteIv(iv);
        Blake3State.Init(&state, iv, 0, Blake3Many.MaxLanes);
        fixed (byte* i = input)
        fixed (byte* o = output)
        {
            Blake3State.Update(&state, i, input.Length, parallel);
            Blake3State.Finalize(&state, 0, o, output.Length);
        }
    }

    /// <summary>
    /// Inputs up to this long take <see cref="HashSmall"/>: sixteen chunks, so that the encodings of
    /// directories of up to a few hundred entries (which every reader of a directory hashes to check
    /// it) never need the vector kernels. Compiling those (they are not ReadyToRun) cost a NAR dump
    /// of a tree whose largest directory encoded to just over four chunks about 15 ms of its ~100.
    /// </summary>
    private const int SmallInput = 16 * Blake3Compress.ChunkLen;

    /// <summary>
    /// The hash of at most <see cref="SmallInput"/> bytes with the scalar compression function, which
    /// ReadyToRun precompiles: a process that only hashes small things (a NAR dump checking directory
    /// digests) then never waits for the JIT to compile the vector kernels, which costs more than
    /// all its hashing. The general path gives the same result (the tests check every length on both
    /// sides of the limit). The tree is built as BLAKE3 builds it incrementally: each chunk but the
    /// last is merged with the subtrees it completes (a stack of chaining values, one per level),
    /// and at the end the last chunk's value is merged with the stack from the top down, the final
    /// merge being the root.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static unsafe void HashSmall(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var chunks = Math.Max(1, (input.Length + Blake3Compress.ChunkLen - 1) / Blake3Compress.ChunkLen);
        var root = stackalloc byte[Blake3Compress.BlockLen];
        if (chunks == 1)
        {
            ChunkChainingValue(input, 0, root: root);
            new ReadOnlySpan<byte>(root, output.Length).CopyTo(output);
            return;
        }
        // At most log2(SmallInput / ChunkLen) + 1 subtrees are pending at once; each value is 8 words.
        var stack = stackalloc uint[8 * 8];
        var depth = 0;
        for (var i = 0; i < chunks - 1; i++)
        {
            var cv = stack + 8 * depth;
            ChunkChainingValue(input.Slice(i * Blake3Compress.ChunkLen, Blake3Compress.ChunkLen), (ulong)i, cv);
            depth++;
            // Chunks 0..i form complete subtrees: merge once per trailing zero bit of their count.
            for (var total = i + 1; (total & 1) == 0; total >>= 1)
            {
                ParentChainingValue(stack + 8 * (depth - 2), stack + 8 * (depth - 1), stack + 8 * (depth - 2));
                depth--;
            }
        }
        var last = (chunks - 1) * Blake3Compress.ChunkLen;
        var right = stackalloc uint[8];
        ChunkChainingValue(input[last..], (ulong)(chunks - 1), right);
        // Merge from the top of the stack; the bottom merge is the root.
        while (depth > 1)
        {
            ParentChainingValue(stack + 8 * (depth - 1), right, right);
            depth--;
        }
        var block = stackalloc byte[Blake3Compress.BlockLen];
        StoreWords(stack, block);
        StoreWords(right, block + Blake3Compress.OutLen);
        var key = stackalloc uint[8];
        Blake3Compress.WriteIv(key);
        Blake3Compress.CompressXofPortable(key, block, Blake3Compress.BlockLen, 0, Blake3Compress.Parent | Blake3Compress.Root, root);
        new ReadOnlySpan<byte>(root, output.Length).CopyTo(output);
    }

    /// <summary>
    /// A chunk's chaining value (into <paramref name="cv"/>), or with <paramref name="root"/> the
    /// 64-byte root output of an input that is this one chunk.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static unsafe void ChunkChainingValue(ReadOnlySpan<byte> chunk, ulong counter, uint* cv = null, byte* root = null)
    {
        var state = stackalloc uint[8];
        Blake3Compress.WriteIv(state);
        var flags = Blake3Compress.ChunkStart;
        while (chunk.Length > Blake3Compress.BlockLen)
        {
            fixed (byte* b = chunk) Blake3Compress.CompressInPlacePortable(state, b, Blake3Compress.BlockLen, counter, flags);
            chunk = chunk[Blake3Compress.BlockLen..];
            flags = 0;
        }
        // The last (possibly partial, possibly empty) block, zero-padded.
        var block = stackalloc byte[Blake3Compress.BlockLen];
        new Span<byte>(block, Blake3Compress.BlockLen).Clear();
        chunk.CopyTo(new Span<byte>(block, Blake3Compress.BlockLen));
        flags |= Blake3Compress.ChunkEnd;
        if (root != null)
        {
            Blake3Compress.CompressXofPortable(state, block, (uint)chunk.Length, 0, flags | Blake3Compress.Root, root);
            return;
        }
        Blake3Compress.CompressInPlacePortable(state, block, (uint)chunk.Length, counter, flags);
        for (var i = 0; i < 8; i++) cv[i] = state[i];
    }

    /// <summary>The chaining value of a (non-root) parent of two chaining values; <paramref name="cv"/> may be <paramref name="left"/>.</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static unsafe void ParentChainingValue(uint* left, uint* right, uint* cv)
    {
        var block = stackalloc byte[Blake3Compress.BlockLen];
        StoreWords(left, block);
        StoreWords(right, block + Blake3Compress.OutLen);
        var state = stackalloc uint[8];
        Blake3Compress.WriteIv(state);
        Blake3Compress.CompressInPlacePortable(state, block, Blake3Compress.BlockLen, 0, Blake3Compress.Parent);
        for (var i = 0; i < 8; i++) cv[i] = state[i];
    }

    /// <summary>Eight words, little-endian, as a chaining value is fed into a parent block.</summary>
    private static unsafe void StoreWords(uint* words, byte* bytes)
    {
        for (var i = 0; i < 8; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(bytes + 4 * i, 4), words[i]);
    }

    /// <summary>The keyed hash (MAC / PRF) of <paramref name="input"/> under a 32-byte <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes long.</exception>
    public static void KeyedHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> input, Span<byte> output)
    {
        var hasher = Blake3Hasher.CreateKeyed(key);
        hasher.Update(input);
        hasher.Finalize(output);
    }

    /// <summary>Derives a key from <paramref name="keyMaterial"/> for the application-specific <paramref name="context"/> string.</summary>
    public static void DeriveKey(string context, ReadOnlySpan<byte> keyMaterial, Span<byte> output)
    {
        var hasher = Blake3Hasher.CreateDeriveKey(context);
        hasher.Update(keyMaterial);
        hasher.Finalize(output);
    }

    /// <summary>The standard 32-byte hash of the rest of <paramref name="stream"/>, read in bounded pieces.</summary>
    public static async ValueTask<byte[]> HashAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        var hasher = new Blake3Hasher();
        await hasher.UpdateAsync(stream, cancellationToken).ConfigureAwait(false);
        return hasher.FinalizeToArray();
    }
}
