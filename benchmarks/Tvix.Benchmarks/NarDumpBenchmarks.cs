using BenchmarkDotNet.Attributes;
using Tvix.NixCompat;
using Tvix.NixCompat.Nar;

namespace Tvix.Benchmarks;

/// <summary>
/// <c>NarDumper</c> on a generated tree on disk (2,000 files of mixed sizes, ~60 MB, plus
/// symlinks, in 20 directories): into a <see cref="FileStream"/> on <c>/dev/null</c> (the
/// direct descriptor writer, large files copied by the kernel) and into a
/// <see cref="HashingStream"/> (the sink path through <see cref="NarWriter"/>, as
/// <c>tvix hash path</c> does). The side-by-side comparison of the CLI with
/// <c>nix-store --dump</c> is <c>nar-dump-vs-nix.sh</c> beside this file.
/// </summary>
[MemoryDiagnoser]
public class NarDumpBenchmarks
{
    private string _root = null!;

    /// <summary>Writes the tree (deterministic sizes and contents).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("tvix-nar-bench-").FullName;
        var random = new Random(42);
        var blob = new byte[8 << 20];
        random.NextBytes(blob);
        for (var i = 0; i < 2000; i++)
        {
            var dir = Path.Join(_root, "d" + (i % 20).ToString("D2"));
            Directory.CreateDirectory(dir);
            var roll = random.NextDouble();
            var size = roll < 0.7 ? random.Next(0, 16 << 10) : roll < 0.97 ? random.Next(16 << 10, 256 << 10) : random.Next(256 << 10, 4 << 20);
            var path = Path.Join(dir, $"f{i:D5}");
            using (var file = File.Create(path))
                file.Write(blob, random.Next(0, blob.Length - size), size);
            if (i % 13 == 0 && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
            if (i % 50 == 0) File.CreateSymbolicLink(Path.Join(dir, $"l{i:D5}"), $"f{i:D5}");
        }
    }

    /// <summary>Removes the tree.</summary>
    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    /// <summary>Dump into /dev/null through a FileStream (what <c>tvix nar dump &gt; /dev/null</c> does).</summary>
    [Benchmark]
    public async Task DumpToFileStream()
    {
        await using var output = new FileStream(OperatingSystem.IsWindows() ? "NUL" : "/dev/null", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0);
        await NarDumper.DumpToStreamAsync(_root, output);
    }

    /// <summary>Dump through a NarWriter into a SHA-256 HashingStream (what <c>tvix hash path</c> does).</summary>
    [Benchmark]
    public async Task<long> DumpToHashingStream()
    {
        using var hashing = new HashingStream(NixHashAlgorithm.Sha256);
        await NarDumper.DumpToStreamAsync(_root, hashing);
        return hashing.BytesWritten;
    }
}
