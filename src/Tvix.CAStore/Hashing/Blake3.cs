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
        if (input.Length <= Blake3Compress.ChunkLen && output.Length <= Blake3Compress.BlockLen)
        {
            HashOneChunk(input, output);
            return;
        }
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
    /// The hash of at most one chunk with the scalar compression function, which ReadyToRun
    /// precompiles: a process that only hashes small things (a NAR dump checking directory
    /// digests) then never waits for the JIT to compile the vector kernels, which costs more than
    /// all its hashing. Same result as the general path, which the test vectors check for every length.
    /// </summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static unsafe void HashOneChunk(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var cv = stackalloc uint[8];
        var block = stackalloc byte[Blake3Compress.BlockLen];
        Blake3Compress.WriteIv(cv);
        var flags = Blake3Compress.ChunkStart;
        while (input.Length > Blake3Compress.BlockLen)
        {
            fixed (byte* b = input) Blake3Compress.CompressInPlacePortable(cv, b, Blake3Compress.BlockLen, 0, flags);
            input = input[Blake3Compress.BlockLen..];
            flags = 0;
        }
        // The last (possibly partial, possibly empty) block, zero-padded, is the root.
        new Span<byte>(block, Blake3Compress.BlockLen).Clear();
        input.CopyTo(new Span<byte>(block, Blake3Compress.BlockLen));
        var root = stackalloc byte[Blake3Compress.BlockLen];
        Blake3Compress.CompressXofPortable(cv, block, (uint)input.Length, 0, flags | Blake3Compress.ChunkEnd | Blake3Compress.Root, root);
        new ReadOnlySpan<byte>(root, output.Length).CopyTo(output);
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
