using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Tvix.Hashing;

namespace Tvix.NixCompat.Tests;

public sealed class NativeDigestTests
{
    private static readonly DigestKind[] Kinds = [DigestKind.Md5, DigestKind.Sha1, DigestKind.Sha256, DigestKind.Sha512];

    private static byte[] Platform(DigestKind kind, byte[] data) => kind switch
    {
        DigestKind.Md5 => MD5.HashData(data),
        DigestKind.Sha1 => SHA1.HashData(data),
        DigestKind.Sha256 => SHA256.HashData(data),
        _ => SHA512.HashData(data),
    };

    [Fact]
    public void AgreesWithThePlatformAtEveryBlockBoundaryAndBeyondTheShortCallLimit()
    {
        var random = new Random(8);
        var lengths = Enumerable.Range(0, 300).Concat([1000, 4095, 4096, 4097, 65535, 65536, 65537, 200_000]);
        foreach (var length in lengths)
        {
            var data = new byte[length];
            random.NextBytes(data);
            foreach (var kind in Kinds)
                Assert.Equal(Platform(kind, data), NativeDigest.HashData(kind, data));
            Assert.Equal(SHA256.HashData(data), Sha256Digest.HashData(data));
        }
    }

    [Theory]
    [InlineData(NixHashAlgorithm.Md5, "900150983cd24fb0d6963f7d28e17f72")]
    [InlineData(NixHashAlgorithm.Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData(NixHashAlgorithm.Sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData(NixHashAlgorithm.Sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")]
    public void PublishedTestVectorsOfAbc(NixHashAlgorithm algorithm, string hex)
    {
        Assert.Equal(hex, Convert.ToHexStringLower(algorithm.HashData("abc"u8)));
        using var incremental = algorithm.CreateIncremental();
        incremental.AppendData("a"u8);
        incremental.AppendData("bc"u8);
        Assert.Equal(hex, Convert.ToHexStringLower(incremental.GetHashAndReset()));
    }

    [Fact]
    public void AnIncrementalHashInPiecesIsTheOneShotHash() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<int[]>(), (data, cuts) =>
        {
            foreach (var algorithm in Enum.GetValues<NixHashAlgorithm>())
            {
                using var incremental = algorithm.CreateIncremental();
                var at = 0;
                foreach (var cut in cuts)
                {
                    var take = Math.Min(data.Length - at, Math.Abs(cut % 97));
                    incremental.AppendData(data, at, take);
                    at += take;
                }
                incremental.AppendData(data.AsSpan(at));
                if (!incremental.GetHashAndReset().AsSpan().SequenceEqual(algorithm.HashData(data))) return false;
            }
            return true;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void CurrentHashLeavesTheStateAndResetStartsAgain()
    {
        var big = new byte[150_000];
        new Random(3).NextBytes(big);
        foreach (var algorithm in Enum.GetValues<NixHashAlgorithm>())
        {
            using var incremental = algorithm.CreateIncremental();
            incremental.AppendData(big);
            Assert.Equal(algorithm.HashData(big), incremental.GetCurrentHash());
            incremental.AppendData("tail"u8);
            var expected = algorithm.HashData([.. big, .. "tail"u8.ToArray()]);
            Assert.Equal(expected, incremental.GetHashAndReset());
            // After a reset the hash starts from nothing.
            incremental.AppendData("abc"u8);
            Assert.Equal(algorithm.HashData("abc"u8), incremental.GetHashAndReset());
        }
    }

    private static bool Exports(string library, string symbol) =>
        OperatingSystem.IsLinux()
        && System.Runtime.InteropServices.NativeLibrary.TryLoad(library, out var handle)
        && System.Runtime.InteropServices.NativeLibrary.TryGetExport(handle, symbol, out _);

    [Fact]
    public void UsesNettleOrLibcryptoOnLinuxWhenOneIsThere()
    {
        // The fast path is what derivations and path imports rely on; where Nettle or
        // libcrypto.so.3 exists (every Linux .NET runs on has OpenSSL 3) it must have been picked up,
        // Nettle first.
        var nettle = Exports("libnettle.so.8", "nettle_sha256_init") || Exports("libnettle.so.7", "nettle_sha256_init")
                     || Exports("libnettle.so.6", "nettle_sha256_init");
        var libcrypto = Exports("libcrypto.so.3", "SHA256_Init");
        Assert.Equal(nettle || libcrypto, Sha256Digest.UsesNative);
        foreach (var kind in Kinds)
        {
            Assert.Equal(nettle || libcrypto, NativeDigest.UsesNative(kind));
            Assert.Equal(nettle, NativeDigest.UsesNettle(kind));
        }
        // With Nettle there is no managed tier for SHA-256.
        Assert.Equal(!nettle, NativeDigest.ManagedSha256Wanted);
    }

    [Fact]
    public unsafe void EachLibraryThatIsThereAgreesWithThePlatform()
    {
        // Whichever library a machine picks, both are checked where they exist: lengths around the
        // blocks, and beyond the limit of a call the collector does not wait for.
        var random = new Random(12);
        var lengths = new[] { 0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, 65536, 65537, 300_000 };
        var checkedAny = false;
        var context = stackalloc byte[NativeDigest.ContextSize];
        foreach (var table in new[] { NativeDigest.Functions.LoadNettle(), NativeDigest.Functions.LoadLibcrypto() })
        {
            foreach (var kind in Kinds)
            {
                if (table[(int)kind] is not { } functions) continue;
                checkedAny = true;
                var digest = new byte[NativeDigest.Size(kind)];
                foreach (var length in lengths)
                {
                    var data = new byte[length];
                    random.NextBytes(data);
                    functions.Init(context);
                    // In two pieces, the second starting inside a block.
                    var cut = length / 3;
                    functions.Update(context, data.AsSpan(0, cut));
                    functions.Update(context, data.AsSpan(cut));
                    functions.Final(context, digest);
                    Assert.Equal(Platform(kind, data), digest);
                }
            }
        }
        Assert.Equal(OperatingSystem.IsLinux() && (NativeDigest.UsesNative(DigestKind.Sha256)), checkedAny);
    }
}
