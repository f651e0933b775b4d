using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Tvix.Eval.Support.Hashing;
using Tvix.Testing;
using Xunit;

namespace Tvix.Eval.Tests.Support;

public sealed class NixHashTests
{
    private static JsonDocument Load(params string[] parts) => JsonDocument.Parse(File.ReadAllBytes(TestPaths.Shared(parts)));

    [SharedFact]
    public void DigestsInEveryFormatMatchNix()
    {
        using var doc = Load("vectors", "hashes", "hashes.json");
        var checkedCount = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var input = c.GetProperty("input");
            byte[] data = input.TryGetProperty("utf8", out var utf8)
                ? Encoding.UTF8.GetBytes(utf8.GetString()!)
                : Enumerable.Range(0, input.GetProperty("length").GetInt32()).Select(i => (byte)(i % 251)).ToArray();
            foreach (var algo in c.GetProperty("hashes").EnumerateObject())
            {
                var a = NixHash.ParseAlgorithm(algo.Name);
                var digest = a.Compute(data);
                Assert.Equal(algo.Value.GetProperty("base16").GetString(), NixHash.Format(a, digest, NixHashFormat.Base16));
                Assert.Equal(algo.Value.GetProperty("nixbase32").GetString(), NixHash.Format(a, digest, NixHashFormat.Nix32));
                Assert.Equal(algo.Value.GetProperty("base64").GetString(), NixHash.Format(a, digest, NixHashFormat.Base64));
                Assert.Equal(algo.Value.GetProperty("sri").GetString(), NixHash.Format(a, digest, NixHashFormat.Sri));
                checkedCount++;
            }
        }
        Assert.Equal(24, checkedCount);
    }

    [SharedFact]
    public void NixBase32MatchesVectors()
    {
        using var doc = Load("vectors", "nixbase32", "nixbase32.json");
        foreach (var name in new[] { "valid", "otherLengths" })
        {
            foreach (var c in doc.RootElement.GetProperty(name).EnumerateArray())
            {
                var bytes = Convert.FromHexString(c.GetProperty("base16").GetString()!);
                var text = c.GetProperty("nixbase32").GetString()!;
                Assert.Equal(text, NixBase32.Encode(bytes));
                Assert.True(NixBase32.TryDecode(text, bytes.Length, out var decoded));
                Assert.Equal(bytes, decoded);
            }
        }
        foreach (var c in doc.RootElement.GetProperty("invalid").EnumerateArray())
        {
            var text = c.GetProperty("nixbase32").GetString()!;
            if (!c.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String) continue;
            var e = Assert.Throws<NixHashException>(() => NixHash.Parse(text, NixHash.ParseAlgorithm(type.GetString()!)));
            AssertSameError(c.GetProperty("nixError").GetString()!, e.Message);
        }
    }

    [SharedFact]
    public void ParsesEverySpellingNixAcceptsAndRejectsTheRest()
    {
        using var doc = Load("vectors", "hashes", "parse.json");
        int valid = 0, invalid = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var input = c.GetProperty("input").GetString()!;
            NixHashAlgorithm? type = c.GetProperty("type").ValueKind == JsonValueKind.String ? NixHash.ParseAlgorithm(c.GetProperty("type").GetString()!) : null;
            if (c.GetProperty("valid").GetBoolean())
            {
                var (algo, digest) = NixHash.Parse(input, type);
                Assert.Equal(c.GetProperty("algo").GetString(), algo.Name);
                Assert.Equal(c.GetProperty("base16").GetString(), NixHash.Format(algo, digest, NixHashFormat.Base16));
                Assert.Equal(c.GetProperty("sri").GetString(), NixHash.Format(algo, digest, NixHashFormat.Sri));
                valid++;
                continue;
            }
            var e = Assert.Throws<NixHashException>(() => NixHash.Parse(input, type));
            AssertSameError(c.GetProperty("nixError").GetString()!, e.Message);
            invalid++;
        }
        Assert.Equal(150, valid + invalid);
    }

    /// <summary>Compares with Nix 2.8's message, allowing for what current Nix words differently.</summary>
    private static void AssertSameError(string nixError, string message)
    {
        var first = nixError.Split('\n')[0]["error: ".Length..];
        if (first.StartsWith("unknown hash algorithm 'blake3'", StringComparison.Ordinal))
        {
            Assert.Contains("blake3", message, StringComparison.Ordinal); // known to current Nix, behind a feature
        }
        else if (first.StartsWith("unknown hash algorithm", StringComparison.Ordinal))
        {
            // Current Nix lists the known algorithms after the name (and drops 2.8's CLI hint).
            Assert.StartsWith(first, message, StringComparison.Ordinal);
        }
        else if (first.StartsWith("invalid character in Base64 string", StringComparison.Ordinal))
        {
            // Nix 2.8 printed the character as ''; we name it.
            Assert.StartsWith("invalid character in Base64 string: '", message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(first, message);
        }
    }

    [Fact]
    public void UnknownAlgorithmMessageIsCurrentNixs()
    {
        var e = Assert.Throws<NixHashException>(() => NixHash.ParseAlgorithm("foo"));
        Assert.Equal("unknown hash algorithm 'foo', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'", e.Message);
    }

    [Fact]
    public void NixBase32RoundTrips()
    {
        Prop.ForAll<byte[]>(bytes =>
        {
            bytes ??= [];
            return NixBase32.TryDecode(NixBase32.Encode(bytes), bytes.Length, out var back) && back.AsSpan().SequenceEqual(bytes);
        }).QuickCheckThrowOnFailure();
    }
}
