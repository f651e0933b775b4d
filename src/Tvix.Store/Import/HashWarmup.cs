using Tvix.NixCompat;
using Tvix.CAStore.Hashing;

namespace Tvix.Store.Import;

/// <summary>
/// Gets the hash code a tree add needs ready on a thread-pool thread while the add goes on: loads
/// the SHA-256 implementation (OpenSSL on Linux) and has the JIT compile the BLAKE3 vector kernels.
/// </summary>
/// <remarks>
/// Both are one-time costs of every process, paid on whichever thread first needs them: the
/// kernels (fully optimised, their AVX-512/AVX2 code is not ReadyToRun: ~38 ms of compilation) on
/// the thread that hashes the tree's blobs, and the SHA-256 library's load and set-up on the thread
/// that hashes the NAR (<see cref="DeferredWriteStream"/> moves it off the caller's). Started
/// early, they run on the other core while the add starts its threads and reads the first
/// mebibyte; a thread that needs them meanwhile waits for that work instead of doing it again.
/// Same CPU, less wall time. The kernels only once the walk meets a file large enough to need the
/// wide ones: a tree of small files hashes with a few of the smaller kernels, compiled when first
/// used, and compiling all of them for it would cost more than it hides.
/// </remarks>
internal sealed class HashWarmup
{
    /// <summary>Files larger than this are hashed with the 16-lane kernel (16 chunks of 1 KiB).</summary>
    public const long WideFrom = 16 * 1024;

    // Chunks (1 KiB each) in the BLAKE3 warm-up input: 16 + 8 + 4 + 1, so that the 16-, 8- and
    // 4-way kernels, the one-chunk path, the parents and the root output are all compiled (above
    // the one-shot hash's scalar limit of 16 chunks, so it takes the kernel path).
    private const int WarmupChunks = 29;
    private int _narHash;
    private int _kernels;

    /// <summary>Queues the SHA-256 set-up, once per instance.</summary>
    public void StartNarHash()
    {
        if (Volatile.Read(ref _narHash) != 0 || Interlocked.Exchange(ref _narHash, 1) != 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(static _ => NixHashAlgorithm.Sha256.HashData(ReadOnlySpan<byte>.Empty, stackalloc byte[32]), null);
    }

    /// <summary>Queues the BLAKE3 kernels' compilation, once per instance (a plain read when done: the walk calls this per large file).</summary>
    public void StartKernels()
    {
        if (Volatile.Read(ref _kernels) != 0 || Interlocked.Exchange(ref _kernels, 1) != 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(static _ => Blake3.Hash(new byte[WarmupChunks * 1024 + 1], stackalloc byte[Blake3.HashSize]), null);
    }
}
