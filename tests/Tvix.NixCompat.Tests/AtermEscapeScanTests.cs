using Tvix.NixCompat.Derivations;

namespace Tvix.NixCompat.Tests;

/// <summary>The vectorised search for the first byte the ATerm escapes, against a byte-by-byte scan.</summary>
public sealed class AtermEscapeScanTests
{
    private static int Naive(ReadOnlySpan<byte> value)
    {
        for (var i = 0; i < value.Length; i++)
            if (value[i] is (byte)'"' or (byte)'\\' or (byte)'\n' or (byte)'\r' or (byte)'\t') return i;
        return -1;
    }

    [Fact]
    public void FindsTheFirstEscapeAtEveryPositionAndLength()
    {
        // Every length around the 16-byte blocks, each escaped byte at every position, with
        // neighbours that differ from the escaped bytes by one bit (a wrong comparison shows).
        foreach (var escaped in "\"\\\n\r\t"u8.ToArray())
        {
            for (var length = 0; length <= 50; length++)
            {
                var plain = new byte[length];
                for (var i = 0; i < length; i++) plain[i] = (byte)("#]\v\f\b~a"[i % 7]);
                Assert.Equal(-1, AtermWriter.FirstToEscape(plain));
                for (var at = 0; at < length; at++)
                {
                    var value = (byte[])plain.Clone();
                    value[at] = escaped;
                    if (at + 3 < length) value[at + 3] = (byte)'"';
                    Assert.Equal(at, AtermWriter.FirstToEscape(value));
                }
            }
        }
    }

    [Fact]
    public void AgreesWithAByteScanOnRandomInput()
    {
        var random = new Random(8);
        for (var n = 0; n < 2000; n++)
        {
            var value = new byte[random.Next(200)];
            random.NextBytes(value);
            Assert.Equal(Naive(value), AtermWriter.FirstToEscape(value));
        }
    }
}
