using Tvix.CAStore.Hashing;

namespace Tvix.CAStore.Tests.Model;

public sealed class B3DigestTests
{
    [Fact]
    public void EmptyIsBlake3OfNothing()
    {
        Assert.Equal("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", B3Digest.Empty.ToHex());
        Assert.Equal("b3:rxNJufX5oaagQE3qNtzJSZvLJcmtwRK3zJqTyuQfMmI=", B3Digest.Empty.ToString());
    }

    [Fact]
    public void TextFormsRoundTrip()
    {
        var d = B3Digest.Compute("Hello World!"u8);
        Assert.Equal(d, B3Digest.Parse(d.ToString()));
        Assert.Equal(d, B3Digest.Parse(d.ToString()[3..]));
        Assert.Equal(d, B3Digest.Parse(d.ToHex()));
        Assert.Equal(Blake3.Hash("Hello World!"u8), d.ToArray());
        Assert.Equal(d, B3Digest.FromByteString(d.ToByteString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("b3:")]
    [InlineData("b3:AAAA")]
    [InlineData("sha256:rxNJufX5oaagQE3qNtzJSZvLJcmtwRK3zJqTyuQfMmI=")]
    [InlineData("zz1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262")]
    public void MalformedTextIsRejected(string text)
    {
        Assert.False(B3Digest.TryParse(text, out _));
        Assert.Throws<FormatException>(() => B3Digest.Parse(text));
    }

    [Fact]
    public void WrongLengthIsRejected()
    {
        Assert.Throws<ArgumentException>(() => new B3Digest(new byte[31]));
        Assert.False(B3Digest.TryCreate(new byte[33], out _));
    }

    [Fact]
    public void EqualityHashingAndOrderFollowTheBytes()
    {
        var a = new byte[32];
        var b = new byte[32];
        b[31] = 1;
        var c = new byte[32];
        c[0] = 1;
        Assert.Equal(new B3Digest(a), new B3Digest((byte[])a.Clone()));
        Assert.Equal(new B3Digest(a).GetHashCode(), new B3Digest(a).GetHashCode());
        Assert.True(new B3Digest(a) != new B3Digest(b));
        Assert.True(new B3Digest(a).CompareTo(new B3Digest(b)) < 0);
        Assert.True(new B3Digest(b).CompareTo(new B3Digest(c)) < 0);
    }
}
