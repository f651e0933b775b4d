using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Tvix.NixCompat;
using Tvix.NixCompat.Derivations;
using Tvix.NixCompat.Nar;

namespace Tvix.Benchmarks;

/// <summary>
/// Derivation serialisation and hashing (what <c>derivation</c> does 20,000 times in the
/// derivations bench case) and NAR writing of an in-memory tree.
/// </summary>
[MemoryDiagnoser]
public class NixCompatBenchmarks
{
    // A derivation with one input derivation (from shared/vectors/derivations/tvix/ok).
    private const string Aterm = """Derive([("out","/nix/store/5vyvcwah9l9kf07d52rcgdk70g2f4y13-foo","","")],[("/nix/store/0hm2f1psjpcwg8fijsmr4wwxrx59s092-bar.drv",["out"])],[],":",":",[],[("bar","/nix/store/4q0pg5zpfmznxscq3avycvf9xdvx50n3-bar"),("builder",":"),("name","foo"),("out","/nix/store/5vyvcwah9l9kf07d52rcgdk70g2f4y13-foo"),("system",":")])""";

    private static readonly DerivationHashModulo InputHash = new(new byte[32], isDeferred: false);
    private static readonly Func<StorePath, DerivationHashModulo> InputHashModulo = static _ => InputHash;

    private byte[] _atermBytes = null!;
    private Derivation _derivation = null!;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private byte[][] _files = null!;
    private MemoryStream _narOutput = null!;

    /// <summary>Parses the derivation and makes the NAR tree's file contents.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _atermBytes = Encoding.UTF8.GetBytes(Aterm);
        _derivation = Derivation.ParseAterm(_atermBytes);
        var random = new Random(42);
        _files = new byte[200][];
        for (var i = 0; i < _files.Length; i++)
        {
            _files[i] = new byte[random.Next(0, 16 * 1024)];
            random.NextBytes(_files[i]);
        }
        _narOutput = new MemoryStream(4 << 20);
    }

    /// <summary>Parse an ATerm.</summary>
    [Benchmark] public int ParseAterm() => Derivation.ParseAterm(_atermBytes).Outputs.Count;

    /// <summary>Write the ATerm into a reused buffer.</summary>
    [Benchmark]
    public int WriteAterm()
    {
        _buffer.ResetWrittenCount();
        _derivation.WriteAterm(_buffer);
        return _buffer.WrittenCount;
    }

    /// <summary><c>hashDerivationModulo</c>: masked ATerm with input derivations replaced by their hashes, then SHA-256.</summary>
    [Benchmark] public int HashModulo() => _derivation.CalculateHashModulo(InputHashModulo).Hash.Length;

    /// <summary>All of derivationStrict's hashing in one pass: output paths, hash modulo, .drv path and the ATerm.</summary>
    [Benchmark]
    public int Instantiate()
    {
        _buffer.ResetWrittenCount();
        return _derivation.Instantiate("foo", InputHashModulo, _buffer).Path.Name.Length + _buffer.WrittenCount;
    }

    /// <summary>The .drv store path (ATerm + references + SHA-256 + store-path compression).</summary>
    [Benchmark] public int DerivationPath() => _derivation.CalculateDerivationPath("foo").ToString().Length;

    /// <summary>A NAR of a directory with 200 files (0..16 KiB each, ~1.6 MB), written to memory.</summary>
    [Benchmark]
    public async Task<long> WriteNar()
    {
        _narOutput.SetLength(0);
        await using (var writer = new NarWriter(_narOutput))
        {
            await writer.BeginDirectoryAsync(default);
            for (var i = 0; i < _files.Length; i++)
            {
                await writer.BeginEntryAsync(Encoding.ASCII.GetBytes($"file-{i:D4}"), default);
                await writer.RegularFileAsync(i % 7 == 0, _files[i]);
                await writer.EndEntryAsync(default);
            }
            await writer.EndDirectoryAsync(default);
            await writer.CompleteAsync();
        }
        return _narOutput.Length;
    }
}
