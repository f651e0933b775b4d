using BenchmarkDotNet.Attributes;
using Tvix.CAStore.Hashing;

namespace Tvix.Benchmarks;

/// <summary>CAStore's BLAKE3 (blob digests) at a small and a large input, serial and parallel.</summary>
[MemoryDiagnoser]
public class Blake3Benchmarks
{
    private byte[] _small = null!;
    private byte[] _large = null!;
    private readonly byte[] _digest = new byte[Blake3.HashSize];

    /// <summary>Random inputs: 1 KiB and 16 MiB.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _small = new byte[1024];
        _large = new byte[16 << 20];
        random.NextBytes(_small);
        random.NextBytes(_large);
    }

    /// <summary>BLAKE3 of 1 KiB (one chunk).</summary>
    [Benchmark] public byte Hash1KiB() { Blake3.Hash(_small, _digest); return _digest[0]; }

    /// <summary>BLAKE3 of 16 MiB on one core.</summary>
    [Benchmark] public byte Hash16MiB() { Blake3.Hash(_large, _digest); return _digest[0]; }

    /// <summary>BLAKE3 of 16 MiB using <see cref="Blake3.HashParallel"/>.</summary>
    [Benchmark] public byte Hash16MiBParallel() { Blake3.HashParallel(_large, _digest); return _digest[0]; }
}
