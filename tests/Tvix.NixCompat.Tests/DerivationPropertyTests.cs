using FsCheck;
using FsCheck.Fluent;
using Tvix.NixCompat.Derivations;

namespace Tvix.NixCompat.Tests;

public sealed class DerivationPropertyTests
{
    private static StorePath RandomPath(Random random, string name)
    {
        var digest = new byte[20];
        random.NextBytes(digest);
        return new StorePath(digest, name);
    }

    private static ByteString RandomBytes(Random random, int max)
    {
        var bytes = new byte[random.Next(max)];
        random.NextBytes(bytes);
        // Bias towards the bytes the ATerm escapes.
        for (var i = 0; i < bytes.Length; i++)
            if (random.Next(4) == 0) bytes[i] = "\"\\\n\r\t("[random.Next(6)] is var c ? (byte)c : (byte)0;
        return new ByteString(bytes);
    }

    internal static Derivation RandomDerivation(int seed)
    {
        var random = new Random(seed);
        var drv = new Derivation { System = RandomBytes(random, 12), Builder = RandomBytes(random, 20) };
        var outputs = random.Next(1, 4);
        for (var i = 0; i < outputs; i++)
        {
            var name = i == 0 ? "out" : "o" + random.Next(100);
            drv.Outputs[name] = random.Next(3) switch
            {
                0 => DerivationOutput.InputAddressed(RandomPath(random, "p" + i)),
                1 => DerivationOutput.Fixed(NixHash.Compute((NixHashAlgorithm)random.Next(1, 5), [(byte)i]), (OutputHashMode)random.Next(3), RandomPath(random, "f")),
                _ => DerivationOutput.Deferred,
            };
        }
        for (var i = random.Next(4); i > 0; i--)
            drv.AddInputDerivationOutput(RandomPath(random, "d" + i + ".drv"), "o" + random.Next(3));
        for (var i = random.Next(4); i > 0; i--) drv.InputSources.Add(RandomPath(random, "s" + i));
        for (var i = random.Next(4); i > 0; i--) drv.Arguments.Add(RandomBytes(random, 30));
        for (var i = random.Next(8); i > 0; i--) drv.Environment[RandomBytes(random, 8)] = RandomBytes(random, 40);
        return drv;
    }

    [Fact]
    public void AtermWriteParseWriteIsTheIdentity() =>
        Prop.ForAll<int>(seed =>
        {
            var drv = RandomDerivation(seed);
            var aterm = drv.ToAterm();
            var reparsed = Derivation.ParseAterm(aterm);
            return reparsed.ToAterm().AsSpan().SequenceEqual(aterm) && reparsed.Environment.Count == drv.Environment.Count;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void ParserThrowsOnlyFormatErrorsOnCorruptedAterms() =>
        Prop.ForAll<int, int, byte>((seed, position, value) =>
        {
            var aterm = RandomDerivation(seed).ToAterm();
            aterm[Math.Abs(position % aterm.Length)] = value;
            try
            {
                Derivation.ParseAterm(aterm);
            }
            catch (NixFormatException)
            {
            }
            return true;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void ParserThrowsOnlyFormatErrorsOnTruncatedAterms()
    {
        var aterm = RandomDerivation(42).ToAterm();
        for (var length = 0; length < aterm.Length; length++)
            Assert.Throws<NixFormatException>(() => Derivation.ParseAterm(aterm.AsSpan(0, length)));
    }
}
