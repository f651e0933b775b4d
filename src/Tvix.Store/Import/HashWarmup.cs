using System.Security.Cryptography;
using Tvix.CAStore.Hashing;

namespace Tvix.Store.Import;

/// <summary>
/// Gets the hash code a tree add needs ready on a thread-pool thread while the add gets going:
/// loads the SHA-256 implementation (OpenSSL on Linux) and has the JIT compile the BLAKE3 vector kernels.
/// </summary>
/// <remarks>
/// Both are one-time costs of every process, paid on whichever thread first needs them: the
/// kernels (fully optimised, their AVX-512/AVX2 code is not ReadyToRun, ~38 ms of compilation) on
/// the thread that hashes the tree's first blobs, and the SHA-256 library's load and set-up on the
/// thread that hashes the NAR (<see cref="DeferredWriteStream"/> moves it off the caller's).
/// Started when the add starts, both run on the other core while the add starts its threads and
/// reads the first mebibyte; a thread that needs them meanwhile waits for that work instead of
/// doing it again. Same CPU, less wall time. Only for directories: a single file's add stays on
/// the caller's thread and often needs no kernel.
/// </remarks>
internal sealed class HashWarmup
{
    // Chunks (1 KiB each) in the BLAKE3 warm-up input: 16 + 8 + 4 + 1, so that the 16-, 8- and
    // 4-way kernels, the one-chunk path, the parents and the root output are all compiled (above
    // the one-shot hash's scalar limit of 16 chunks, so it takes the kernel path).
    private const int WarmupChunks = 29;
    private int _started;

    /// <summary>Queues the warm-up, once per instance (later calls would find everything ready).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        // One item, the quicker part first: two would take both cores from the thread starting the walk.
        ThreadPool.UnsafeQueueUserWorkItem(static _ => Run(), null);
    }

    private static void Run()
    {
        SHA256.HashData(ReadOnlySpan<byte>.Empty, stackalloc byte[SHA256.HashSizeInBytes]);
        Blake3.Hash(new byte[WarmupChunks * 1024 + 1], stackalloc byte[Blake3.HashSize]);
    }
}
