using FsCheck;
using FsCheck.Fluent;
using Tvix.CAStore;
using Tvix.NixCompat;

namespace Tvix.Store.Tests;

public sealed class PathInfoPropertyTests
{
    private static Gen<byte[]> Bytes(int length) => Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), length);

    private static Gen<StorePath> StorePaths(string suffix = "") =>
        from digest in Bytes(StorePath.DigestLength)
        from name in Gen.Elements("hello-2.12", "glibc", "a", "source", "x.y_z+1-?=")
        select new StorePath(digest, name + suffix);

    private static Gen<Node> Nodes() => Gen.OneOf(
        from d in Bytes(32) from size in Gen.Choose(0, int.MaxValue) select (Node)new DirectoryNode(new B3Digest(d), (ulong)size),
        from d in Bytes(32) from size in Gen.Choose(0, int.MaxValue) from x in Gen.Elements(true, false) select (Node)new FileNode(new B3Digest(d), (ulong)size, x),
        from t in Gen.Elements("target", "/nix/store/x", "../a b") select (Node)new SymlinkNode(System.Text.Encoding.UTF8.GetBytes(t)));

    private static Gen<ContentAddress?> ContentAddresses() =>
        from method in Gen.Elements(ContentAddressMethod.Text, ContentAddressMethod.Flat, ContentAddressMethod.Recursive)
        from algorithm in method == ContentAddressMethod.Text ? Gen.Constant(NixHashAlgorithm.Sha256) : Gen.Elements(NixHashAlgorithm.Md5, NixHashAlgorithm.Sha1, NixHashAlgorithm.Sha256, NixHashAlgorithm.Sha512)
        from digest in Bytes(NixHashAlgorithms.DigestSize(algorithm))
        from present in Gen.Elements(true, false)
        select present ? new ContentAddress(method, new NixHash(algorithm, digest)) : null;

    private static Gen<PathInfo> PathInfos() =>
        from path in StorePaths()
        from node in Nodes()
        from narSize in Gen.Choose(0, int.MaxValue)
        from narHash in Bytes(32)
        from references in Gen.ListOf(StorePaths())
        from selfReference in Gen.Elements(true, false)
        from signatures in Gen.ListOf(from key in Gen.Elements("cache.nixos.org-1", "k") from sig in Bytes(64) select new PathSignature(key, sig))
        from deriver in Gen.OneOf(StorePaths(".drv").Select(p => (StorePath?)p), Gen.Constant<StorePath?>(null))
        from ca in ContentAddresses()
        select new PathInfo(path, node, new NarSummary((ulong)narSize, new NixHash(NixHashAlgorithm.Sha256, narHash)), selfReference ? references.Append(path) : references)
        {
            Signatures = signatures.ToArray(),
            Deriver = deriver,
            ContentAddress = ca,
        };

    [Fact]
    public void WireFormRoundTrips() =>
        Prop.ForAll(PathInfos().ToArbitrary(), info =>
        {
            var encoded = info.Encode();
            var back = PathInfo.Decode(encoded);
            return back.StorePath.Equals(info.StorePath) && back.Node.Equals(info.Node) && back.Nar.Equals(info.Nar)
                   && back.References.SequenceEqual(info.References) && back.Signatures.SequenceEqual(info.Signatures)
                   && Equals(back.Deriver, info.Deriver) && Equals(back.ContentAddress, info.ContentAddress)
                   && back.Encode().AsSpan().SequenceEqual(encoded);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    [Fact]
    public void FingerprintAgreesWithTheNarInfoOne() =>
        Prop.ForAll(PathInfos().ToArbitrary(), info =>
            info.Fingerprint(StoreDirectory.Default) == info.ToNarInfo().Fingerprint()).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
}
