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

    /// <summary>Inputs up to this long (four chunks, too few for the vector kernels' lanes) take <see cref="HashSmall"/>.</summary>
    private const int SmallInput = 4 * Blake3Compress.ChunkLen;

    /// <summary>
    /// The hash of at most four chunks with the scalar compression function, which ReadyToRun
    /// precompiles: a process that only hashes small things (a NAR dump checking directory
    /// digests) then never waits for the JIT to compile the vector kernels, which costs more than
    /// all its hashing. The general path gives the same result (the test vectors check every length
    /// on both sides of the limit); below four chunks it would compress one block at a time too.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static unsafe void HashSmall(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var chunks = Math.Max(1, (input.Length + Blake3Compress.ChunkLen - 1) / Blake3Compress.ChunkLen);
        var root = stackalloc byte[Blake3Compress.BlockLen];
        if (chunks == 1)
        {
            ChunkChainingValue(input, 0, root: root);
        }
        else
        {
            // Left-balanced, as BLAKE3 builds the tree: two chunks are one parent, three are a parent
            // and a chunk, four are two parents. Each chaining value is 8 words.
            var cvs = stackalloc uint[4 * 8];
            for (var i = 0; i < chunks; i++)
            {
                var start = i * Blake3Compress.ChunkLen;
                ChunkChainingValue(input.Slice(start, Math.Min(Blake3Compress.ChunkLen, input.Length - start)), (ulong)i, cvs + 8 * i);
            }
            uint* left = cvs, right;
            if (chunks == 2)
            {
                right = cvs + 8;
            }
            else
            {
                ParentChainingValue(cvs, cvs + 8, cvs); // chunks 0 and 1
                if (chunks == 4) ParentChainingValue(cvs + 16, cvs + 24, cvs + 16);
                right = cvs + 16;
            }
            var block = stackalloc byte[Blake3Compress.BlockLen];
            StoreWords(left, block);
            StoreWords(right, block + Blake3Compress.OutLen);
            var key = stackalloc uint[8];
            Blake3Compress.WriteIv(key);
            Blake3Compress.CompressXofPortable(key, block, Blake3Compress.BlockLen, 0, Blake3Compress.Parent | Blake3Compress.Root, root);
        }
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
