using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Tvix.Hashing;

namespace Tvix.NixCompat.Tests;

/// <summary>Our own SHA-256, which hashes until a process has hashed its budget (then libcrypto does).</summary>
public sealed class ManagedSha256Tests
{
    private static string Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[ManagedSha256.DigestSize];
        ManagedSha256.HashData(data, digest);
        return Convert.ToHexStringLower(digest);
    }

    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    [InlineData("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")]
    public void PublishedVectors(string message, string hex) => Assert.Equal(hex, Hex(Encoding.ASCII.GetBytes(message)));

    [Fact]
    public void OneMillionAs()
    {
        var sha = ManagedSha256.Create();
        var chunk = Enumerable.Repeat((byte)'a', 1000).ToArray();
        for (var i = 0; i < 1000; i++) sha.Append(chunk);
        var digest = new byte[32];
        sha.Finish(digest);
        Assert.Equal("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void AgreesWithThePlatformForEveryLengthAroundTheBlocks()
    {
        var random = new Random(11);
        foreach (var length in Enumerable.Range(0, 300).Concat([1000, 4096, 65537]))
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), Hex(data));
        }
    }

    [Fact]
    public void PiecesAtEverySplitAndPeekingGiveTheOneShotDigest()
    {
        var data = new byte[200];
        new Random(5).NextBytes(data);
        var expected = SHA256.HashData(data);
        var digest = new byte[32];
        for (var split = 0; split <= data.Length; split++)
        {
            var sha = ManagedSha256.Create();
            sha.Append(data.AsSpan(0, split));
            sha.Peek(digest);
            Assert.Equal(SHA256.HashData(data.AsSpan(0, split)), digest);
            sha.Append(data.AsSpan(split));
            sha.Finish(digest);
            Assert.Equal(expected, digest);
            // After a reset, a new message.
            sha.Reset();
            sha.Append("abc"u8);
            sha.Finish(digest);
            Assert.Equal(SHA256.HashData("abc"u8), digest);
        }
    }

    [Fact]
    public void RandomPiecesGiveTheOneShotDigest() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), ArbMap.Default.ArbFor<int[]>(), (data, cuts) =>
        {
            var sha = ManagedSha256.Create();
            var at = 0;
            foreach (var cut in cuts)
            {
                var take = Math.Min(data.Length - at, Math.Abs(cut % 131));
                sha.Append(data.AsSpan(at, take));
                at += take;
            }
            sha.Append(data.AsSpan(at));
            var digest = new byte[32];
            sha.Finish(digest);
            return digest.AsSpan().SequenceEqual(SHA256.HashData(data));
        }).QuickCheckThrowOnFailure();

    [Theory]
    // Kept whole and hashed at the end; just at the limit; past it (moved to libcrypto mid-message).
    [InlineData(1000)]
    [InlineData(IncrementalDigest.MaxBuffered)]
    [InlineData(IncrementalDigest.MaxBuffered + 1)]
    public void AnIncrementalSha256OfAnyLengthIsRight(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        using var digest = new IncrementalDigest(DigestKind.Sha256);
        for (var at = 0; at < length; at += 1000) digest.Append(data.AsSpan(at, Math.Min(1000, length - at)));
        Assert.Equal(SHA256.HashData(data), digest.GetCurrentHash());
        Assert.Equal(SHA256.HashData(data), digest.GetHashAndReset());
        digest.Append("abc"u8);
        Assert.Equal(SHA256.HashData("abc"u8), digest.GetHashAndReset());
    }

    [Fact]
    public void AMessageLongerThanWhatIsLeftOfTheBudgetGoesToLibcrypto()
    {
        // Whatever this process has used of the budget, a message longer than all of it never
        // takes it, and asking does not use any of it up.
        var open = NativeDigest.ManagedSha256Open;
        Assert.False(NativeDigest.TakeManagedSha256(NativeDigest.ManagedSha256Budget + 1));
        Assert.False(NativeDigest.TakeManagedSha256(long.MaxValue));
        Assert.Equal(open, NativeDigest.ManagedSha256Open);
    }

    [Fact]
    public void AnIncrementalSha256StaysOnTheCodeItStartedWith()
    {
        // Whichever tier it starts on (this process may have used the budget up), a digest fed
        // more than the whole budget ends with the right value.
        var data = new byte[(int)(NativeDigest.ManagedSha256Budget / 4) + 12345];
        new Random(9).NextBytes(data);
        using var digest = new IncrementalDigest(DigestKind.Sha256);
        for (var i = 0; i < 5; i++) digest.Append(data);
        var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var i = 0; i < 5; i++) expected.AppendData(data);
        Assert.Equal(expected.GetHashAndReset(), digest.GetHashAndReset());
    }
}
