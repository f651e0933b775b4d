using System.Security.Cryptography;
using System.Text;
using Tvix.Eval.Tests.Runtime;
using Xunit;

namespace Tvix.Eval.Tests.Support;

/// <summary>
/// The hashing hook: <c>blake3</c> (which the evaluator cannot compute itself) needs the
/// <c>blake3-hashes</c> feature, as in Nix, and then an implementation from the host.
/// </summary>
public sealed class ExtraHashAlgorithmTests
{
    // A stand-in for the host's BLAKE3 (the real one is Tvix.CAStore's, tested through the glue):
    // any 32-byte function shows that the builtins call the hook and format its digest.
    private static void StandIn(ReadOnlySpan<byte> data, Span<byte> digest) => SHA512.HashData(data).AsSpan(0, 32).CopyTo(digest);

    private static EvaluatorOptions Options(bool feature, bool hook)
    {
        var options = new EvaluatorOptions { IO = new InMemoryEvalIO().AddFile("/base/f", "file contents") };
        if (feature) options.ExperimentalFeatures.Add("blake3-hashes");
        if (hook) options.ExtraHashAlgorithms.Add(new ExtraHashAlgorithm("blake3", 32, StandIn));
        return options;
    }

    private static byte[] Expected(string s)
    {
        var digest = new byte[32];
        StandIn(Encoding.UTF8.GetBytes(s), digest);
        return digest;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    public void Blake3NeedsTheExperimentalFeatureAsInNix(bool feature, bool hook)
    {
        foreach (var code in new[] { "builtins.hashString \"blake3\" \"abc\"", "builtins.hashFile \"blake3\" ./f",
            "builtins.convertHash { hash = \"blake3-AAAA\"; toHashFormat = \"base16\"; }" })
        {
            var (message, _, _, _) = EvalHelper.EvalError(code, Options(feature, hook));
            Assert.Equal("experimental Nix feature 'blake3-hashes' is disabled; add '--extra-experimental-features blake3-hashes' to enable it", message);
        }
    }

    [Fact]
    public void Blake3WithoutAnImplementationSaysHowToGetOne()
    {
        foreach (var code in new[] { "builtins.hashString \"blake3\" \"abc\"", "builtins.hashFile \"blake3\" ./f",
            "builtins.convertHash { hash = \"abc\"; hashAlgo = \"blake3\"; toHashFormat = \"sri\"; }" })
        {
            var (message, _, _, catchable) = EvalHelper.EvalError(code, Options(feature: true, hook: false));
            Assert.StartsWith("hash algorithm 'blake3' is not available", message);
            Assert.Contains("Tvix.Glue", message);
            Assert.Contains("EvaluatorOptions.ExtraHashAlgorithms", message);
            Assert.False(catchable);
        }
    }

    [Fact]
    public void HookedAlgorithmHashesStringsAndFilesInBase16()
    {
        var options = Options(feature: true, hook: true);
        Assert.Equal($"\"{Convert.ToHexStringLower(Expected("abc"))}\"", EvalHelper.Nix("builtins.hashString \"blake3\" \"abc\"", options));
        Assert.Equal($"\"{Convert.ToHexStringLower(Expected("file contents"))}\"", EvalHelper.Nix("builtins.hashFile \"blake3\" ./f", options));
    }

    [Fact]
    public void HookedAlgorithmConvertsBetweenEveryFormat()
    {
        var digest = Expected("abc");
        var hex = Convert.ToHexStringLower(digest);
        var b64 = Convert.ToBase64String(digest);
        var options = Options(feature: true, hook: true);
        string Convert1(string hash, string format, string? algo = null) => EvalHelper.Nix(
            $"builtins.convertHash {{ hash = \"{hash}\"; toHashFormat = \"{format}\"; {(algo is null ? "" : $"hashAlgo = \"{algo}\";")} }}", options);

        Assert.Equal($"\"blake3-{b64}\"", Convert1("blake3:" + hex, "sri"));
        Assert.Equal($"\"{b64}\"", Convert1(hex, "base64", "blake3"));
        var nix32 = Convert1("blake3-" + b64, "nix32").Trim('"');
        Assert.Equal(52, nix32.Length);
        Assert.Equal($"\"{hex}\"", Convert1(nix32, "base16", "blake3"));
        Assert.Equal($"\"{hex}\"", Convert1("blake3:" + nix32, "base16"));
        var (message, _, _, _) = EvalHelper.EvalError($"builtins.convertHash {{ hash = \"blake3:{hex}\"; hashAlgo = \"sha256\"; toHashFormat = \"sri\"; }}", options);
        Assert.Equal($"hash 'blake3:{hex}' should have type 'sha256'", message);
    }

    [Fact]
    public void UnknownNamesStillFailWithNixsMessage()
    {
        var (message, _, _, _) = EvalHelper.EvalError("builtins.hashString \"sha3\" \"abc\"", Options(feature: true, hook: true));
        Assert.Equal("unknown hash algorithm 'sha3', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'", message);
    }

    [Fact]
    public void ExtraAlgorithmsCannotShadowOrConfuseTheParser()
    {
        Assert.Throws<ArgumentException>(() => new ExtraHashAlgorithm("sha256", 32, StandIn));
        Assert.Throws<ArgumentException>(() => new ExtraHashAlgorithm("a-b", 32, StandIn));
        Assert.Throws<ArgumentException>(() => new ExtraHashAlgorithm("a:b", 32, StandIn));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExtraHashAlgorithm("x", 0, StandIn));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExtraHashAlgorithm("x", 65, StandIn));
    }
}
