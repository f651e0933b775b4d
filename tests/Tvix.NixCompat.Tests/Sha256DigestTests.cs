using System.Security.Cryptography;

namespace Tvix.NixCompat.Tests;

public sealed class Sha256DigestTests
{
    [Fact]
    public void AgreesWithThePlatformAtEveryBlockBoundaryAndBeyondTheNativeLimit()
    {
        var random = new Random(8);
        var lengths = Enumerable.Range(0, 300).Concat([1000, 4095, 4096, 4097, 65535, 65536, 65537, 200_000]);
        foreach (var length in lengths)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(SHA256.HashData(data), Sha256Digest.HashData(data));
        }
    }

    [Fact]
    public void UsesLibcryptoOnLinuxWhenItIsThere()
    {
        // The fast path is what the derivation benchmark relies on; where libcrypto.so.3 exists
        // (every Linux .NET runs on with OpenSSL 3) it must have been picked up.
        var present = OperatingSystem.IsLinux()
                      && System.Runtime.InteropServices.NativeLibrary.TryLoad("libcrypto.so.3", out var library)
                      && System.Runtime.InteropServices.NativeLibrary.TryGetExport(library, "SHA256_Init", out _);
        Assert.Equal(present, Sha256Digest.UsesNative);
    }
}
