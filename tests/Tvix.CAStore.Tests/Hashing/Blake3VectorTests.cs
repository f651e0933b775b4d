using System.Text;
using System.Text.Json;
using Tvix.CAStore.Hashing;
using Tvix.Testing;

namespace Tvix.CAStore.Tests.Hashing;

/// <summary>The official BLAKE3 vectors plus the extra lengths, in every mode and on every SIMD width.</summary>
/// <remarks>
/// The widths this machine lacks fall back to narrower ones. To exercise the fallbacks of the
/// kernels themselves (rotations without AVX-512, no AVX2, scalar only), rerun with
/// <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c>, or <c>DOTNET_EnableSSE42=0 DOTNET_EnableAVX=0</c>.
/// </remarks>
public sealed class Blake3VectorTests
{
    public sealed record Case(string File, int InputLength, string Hash, string KeyedHash, string DeriveKey)
    {
        public override string ToString() => $"{File}:{InputLength}";
    }

    private const string Key = "whats the Elvish word for friend";
    private const string Context = "BLAKE3 2019-12-27 16:29:52 test vectors context";

    public static TheoryData<string> Files() => new() { "test_vectors.json", "extra_vectors.json" };

    private static List<Case> Load(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Shared("vectors", "blake3", file)));
        Assert.Equal(Key, doc.RootElement.GetProperty("key").GetString());
        Assert.Equal(Context, doc.RootElement.GetProperty("context_string").GetString());
        var cases = new List<Case>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            cases.Add(new Case(file, c.GetProperty("input_len").GetInt32(), c.GetProperty("hash").GetString()!,
                c.GetProperty("keyed_hash").GetString()!, c.GetProperty("derive_key").GetString()!));
        return cases;
    }

    internal static byte[] Mod251(int length)
    {
        var input = new byte[length];
        for (var i = 0; i < length; i++) input[i] = (byte)(i % 251);
        return input;
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    [SharedTheory]
    [MemberData(nameof(Files))]
    public void OneShotMatchesEveryVector(string file)
    {
        var cases = Load(file);
        Assert.NotEmpty(cases);
        foreach (var c in cases)
        {
            var input = Mod251(c.InputLength);
            var output = new byte[c.Hash.Length / 2];
            Blake3.Hash(input, output);
            Assert.Equal(c.Hash, Hex(output));
            Assert.Equal(c.Hash[..64], Hex(Blake3.Hash(input)));
            Blake3.HashParallel(input, output);
            Assert.Equal(c.Hash, Hex(output));
            Blake3.KeyedHash(Encoding.ASCII.GetBytes(Key), input, output);
            Assert.Equal(c.KeyedHash, Hex(output));
            Blake3.DeriveKey(Context, input, output);
            Assert.Equal(c.DeriveKey, Hex(output));
        }
    }

    [SharedTheory]
    [MemberData(nameof(Files))]
    public void EverySimdWidthAndFeedPatternMatches(string file)
    {
        foreach (var c in Load(file))
        {
            var input = Mod251(c.InputLength);
            foreach (var lanes in new[] { 1, 4, 8, 16 })
            {
                // Whole input, then odd-sized pieces that cross block and chunk edges.
                foreach (var piece in new[] { int.MaxValue, 1, 63, 1000, 1025, 4097 })
                {
                    Check(new Blake3Hasher(lanes), input, piece, c.Hash, lanes);
                    Check(Blake3Hasher.CreateKeyed(Encoding.ASCII.GetBytes(Key), lanes), input, piece, c.KeyedHash, lanes);
                    Check(Blake3Hasher.CreateDeriveKey(Context, lanes), input, piece, c.DeriveKey, lanes);
                    if (c.InputLength > 70000) break; // small pieces of the largest inputs add time, not coverage
                }
            }
        }
    }

    private static void Check(Blake3Hasher hasher, byte[] input, int piece, string expected, int lanes)
    {
        for (var at = 0; at < input.Length; at += piece)
            hasher.Update(input.AsSpan(at, Math.Min(piece, input.Length - at)));
        var output = new byte[expected.Length / 2];
        hasher.Finalize(output);
        Assert.True(expected == Hex(output), $"len {input.Length}, piece {piece}, lanes {lanes}");
        // Seeking into the extended output gives the same bytes.
        var tail = new byte[output.Length - 37];
        hasher.Finalize(tail, 37);
        Assert.Equal(expected[74..], Hex(tail));
    }

    [SharedFact]
    public void StringCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Shared("vectors", "blake3", "extra_vectors.json")));
        var n = 0;
        foreach (var c in doc.RootElement.GetProperty("string_cases").EnumerateArray())
        {
            var input = Encoding.UTF8.GetBytes(c.GetProperty("input_utf8").GetString()!);
            foreach (var (prop, len) in new[] { ("hash_1", 1), ("hash_32", 32), ("hash_64", 64) })
            {
                var output = new byte[len];
                Blake3.Hash(input, output);
                Assert.Equal(c.GetProperty(prop).GetString(), Hex(output));
                n++;
            }
        }
        Assert.True(n >= 15);
    }

    [Fact]
    public async Task StreamHashEqualsOneShot()
    {
        var input = Mod251(300_000);
        using var stream = new MemoryStream(input);
        Assert.Equal(Blake3.Hash(input), await Blake3.HashAsync(stream));
    }

    [Fact]
    public void KeyOfWrongLengthIsRejected() =>
        Assert.Throws<ArgumentException>(() => Blake3Hasher.CreateKeyed(new byte[31]));
}
