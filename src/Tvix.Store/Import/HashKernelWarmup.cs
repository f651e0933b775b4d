using Tvix.CAStore.Hashing;

namespace Tvix.Store.Import;

/// <summary>
/// Has the JIT compile the BLAKE3 vector kernels on a thread-pool thread while a tree add gets going.
/// </summary>
/// <remarks>
/// The kernels are compiled fully optimised in every process (their AVX-512/AVX2 code is not
/// ReadyToRun): about 25–30 ms of compilation, which otherwise happens on the thread that hashes
/// the tree's first blobs, at the point where that thread is the one the add waits for. Started
/// when the add starts, the compilation runs on the other core while the add opens the NAR hash,
/// starts its threads and reads the first mebibyte; a thread that needs a kernel meanwhile waits
/// for that compilation instead of starting its own. Same CPU, less wall time; only for
/// directories (a single file's add stays on the caller's thread and often needs no kernel).
/// </remarks>
internal sealed class HashKernelWarmup
{
    // Chunks (1 KiB each) in the warm-up input: 16 + 8 + 4 + 1, so that the 16-, 8- and 4-way
    // kernels, the one-chunk path, the parents and the root output are all compiled.
    private const int WarmupChunks = 29;
    private int _started;

    /// <summary>Queues the warm-up, once per instance (later calls find the kernels compiled and return).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        ThreadPool.UnsafeQueueUserWorkItem(static _ => Run(), null);
    }

    private static void Run()
    {
        Span<byte> digest = stackalloc byte[Blake3.HashSize];
        Blake3.Hash(new byte[WarmupChunks * 1024 + 1], digest);
    }
}
