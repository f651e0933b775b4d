using System.Text;
using Tvix.NixCompat.BinaryCache;
using Tvix.NixCompat.Signing;
using Tvix.Testing;

namespace Tvix.NixCompat.Tests;

public sealed class NarInfoTests
{
    [SharedFact]
    public void Nix28CacheEntriesParseRenderAndVerify()
    {
        var root = VectorFiles.Json("narinfo", "nix28", "cases.json");
        var publicKey = VerifyingKey.Parse(File.ReadAllText(VectorFiles.Path("narinfo", "nix28", "test-key-1.public")));
        Assert.Equal(root.GetProperty("publicKey").GetString(), publicKey.ToString());
        var secretKey = SigningKey.Parse(File.ReadAllText(VectorFiles.Path("narinfo", "nix28", "test-key-1.secret")));
        Assert.Equal(publicKey.ToString(), secretKey.PublicKey.ToString());
        var count = 0;
        foreach (var c in root.GetProperty("cases").EnumerateArray())
        {
            var text = File.ReadAllText(VectorFiles.Path("narinfo", "nix28", c.GetProperty("cache").GetString()!, c.GetProperty("narinfo").GetString()!));
            var info = NarInfo.Parse(text);
            Assert.Equal(text, info.Render());
            var fields = c.GetProperty("fields");
            Assert.Equal(fields.GetProperty("StorePath").GetString(), StoreDirectory.Default.Print(info.StorePath));
            Assert.Equal(fields.GetProperty("URL").GetString(), info.Url);
            Assert.Equal(fields.GetProperty("Compression").GetString(), info.Compression);
            Assert.Equal(fields.GetProperty("NarHash").GetString(), info.NarHash.ToString(NixHashEncoding.NixBase32, true));
            Assert.Equal(fields.GetProperty("NarSize").GetString(), info.NarSize.ToString());
            Assert.Equal(fields.GetProperty("References").GetString(), string.Join(' ', info.References.Select(r => r.BaseName)));
            Assert.Equal(fields.OptionalString("CA"), info.ContentAddress);
            Assert.Equal(fields.OptionalString("Deriver"), info.Deriver?.BaseName);
            Assert.Equal(c.GetProperty("fingerprint").GetString(), info.Fingerprint());
            Assert.Equal(c.GetProperty("signatureVerifies").GetBoolean(), info.CountValidSignatures([publicKey]) == 1);
            // Ed25519 is deterministic: re-signing gives Nix's signature.
            Assert.Equal(info.Signatures.Single(), secretKey.SignFingerprint(info.Fingerprint()));
            count++;
        }
        Assert.Equal(36, count);
    }

    [ZstdFact]
    public void TvixCorpusRoundTrips()
    {
        var text = Encoding.UTF8.GetString(Zstd.Decompress(File.ReadAllBytes(VectorFiles.Path("narinfo", "tvix", "narinfo.zst"))));
        var count = 0;
        foreach (var entry in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var narinfo = entry + "\n";
            var info = NarInfo.Parse(narinfo);
            Assert.Equal(narinfo, info.Render());
            Assert.StartsWith("1;/nix/store/", info.Fingerprint());
            count++;
        }
        Assert.Equal(978, count);
    }

    [Fact]
    public void Rfc8032VectorsSignAndVerify()
    {
        (string Seed, string Public, string Message, string Signature)[] vectors =
        [
            ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
            ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
            ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
                "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
        ];
        foreach (var (seed, pub, message, signature) in vectors)
        {
            var key = SigningKey.FromSeed("rfc", Convert.FromHexString(seed));
            Assert.Equal(pub, Convert.ToHexStringLower(key.PublicKey.KeyBytes));
            var sig = key.Sign(Convert.FromHexString(message));
            Assert.Equal(signature, Convert.ToHexStringLower(sig));
            Assert.True(key.PublicKey.Verify(Convert.FromHexString(message), sig));
            sig[0] ^= 1;
            Assert.False(key.PublicKey.Verify(Convert.FromHexString(message), sig));
            // The Nix text form survives a round trip.
            Assert.Equal(key.ToString(), SigningKey.Parse(key.ToString()).ToString());
        }
    }

    [Fact]
    public void SignaturesOfOtherKeysOrMalformedOnesDoNotVerify()
    {
        var key = SigningKey.FromSeed("a", new byte[32]);
        var other = SigningKey.FromSeed("b", Enumerable.Repeat((byte)1, 32).ToArray());
        var sig = key.SignFingerprint("hello");
        Assert.True(key.PublicKey.VerifyFingerprint("hello", sig));
        Assert.False(key.PublicKey.VerifyFingerprint("hellO", sig));
        Assert.False(other.PublicKey.VerifyFingerprint("hello", sig));
        Assert.False(key.PublicKey.VerifyFingerprint("hello", "a:notbase64!"));
        Assert.False(key.PublicKey.VerifyFingerprint("hello", "nocolon"));
        Assert.Throws<NixFormatException>(() => VerifyingKey.Parse("x:AAAA"));
        Assert.Throws<NixFormatException>(() => SigningKey.Parse("nocolon"));
        // A secret key whose public half belongs to another seed is refused.
        var mixed = "a:" + Convert.ToBase64String([.. new byte[32], .. other.PublicKey.KeyBytes]);
        Assert.Throws<NixFormatException>(() => SigningKey.Parse(mixed));
    }

    [Fact]
    public void SigningANewNarInfoGivesAVerifiableEntry()
    {
        var store = StoreDirectory.Default;
        var path = store.ParsePath("/nix/store/00000000000000000000000000000000-x");
        var info = new NarInfo(path, "nar/x.nar", NixHash.Compute(NixHashAlgorithm.Sha256, "x"u8), 120) { Compression = "none" };
        var key = SigningKey.FromSeed("k", new byte[32]);
        info.Sign(key);
        info.Sign(key);
        Assert.Single(info.Signatures);
        var reparsed = NarInfo.Parse(info.Render());
        Assert.Equal(1, reparsed.CountValidSignatures([key.PublicKey]));
        Assert.Contains("References: \n", info.Render());
        Assert.Throws<NixFormatException>(() => NarInfo.Parse("URL: x\n"));
        Assert.Throws<NixFormatException>(() => NarInfo.Parse(info.Render().Replace("NarSize: 120", "NarSize: many")));
    }
}
