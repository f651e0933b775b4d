using Google.Protobuf;
using Tvix.CAStore;
using Tvix.NixCompat;
using ByteString = Google.Protobuf.ByteString;

namespace Tvix.Store.Tests;

public sealed class PathInfoTests
{
    private static readonly StorePath Path = StorePath.ParseBaseName("00bgd045z0d4icpbc2yyz4gx48ak44la-net-tools-1.60_p20170221182432");
    private static readonly StorePath Ref = StorePath.ParseBaseName("0wkgqsiv6hlaq5xhgnk5p97bxirxi8mi-glibc-2.24");
    private static readonly StorePath Drv = StorePath.ParseBaseName("9nvxx7x0kknp4blhqqms3j0yfnzcf6dq-net-tools-1.60_p20170221182432.drv");
    private static readonly NarSummary Nar = new(1234, NixHash.Compute(NixHashAlgorithm.Sha256, "nar"u8));

    private static PathInfo Sample() => new(Path, new FileNode(B3Digest.Compute("x"u8), 1, executable: true), Nar, [Ref, Path])
    {
        Signatures = [new PathSignature("cache.nixos.org-1", new byte[64])],
        Deriver = Drv,
        ContentAddress = new ContentAddress(ContentAddressMethod.Flat, NixHash.Compute(NixHashAlgorithm.Sha1, "x"u8)),
    };

    [Fact]
    public void RoundTripsThroughTheWireForm()
    {
        var info = Sample();
        var back = PathInfo.Decode(info.Encode());
        Assert.Equal(info.StorePath, back.StorePath);
        Assert.Equal(info.Node, back.Node);
        Assert.Equal(info.Nar, back.Nar);
        Assert.Equal(info.References, back.References);
        Assert.Equal(info.Signatures, back.Signatures);
        Assert.Equal(info.Deriver, back.Deriver);
        Assert.Equal(info.ContentAddress, back.ContentAddress);
    }

    [Fact]
    public void WireFormUsesTvixFieldNumbersAndNames()
    {
        var proto = Sample().ToProto();
        Assert.Equal("tvix.store.v1.PathInfo", Protos.PathInfo.Descriptor.FullName);
        Assert.Equal(1, Protos.PathInfo.NodeFieldNumber);
        Assert.Equal(2, Protos.PathInfo.ReferencesFieldNumber);
        Assert.Equal(3, Protos.PathInfo.NarinfoFieldNumber);
        Assert.Equal("tvix.castore.v1.Node", Protos.PathInfo.Descriptor.FindFieldByNumber(1).MessageType.FullName);
        Assert.Same(CAStore.Protos.Node.Descriptor, Protos.PathInfo.Descriptor.FindFieldByNumber(1).MessageType);
        Assert.Equal(Path.BaseName, proto.Node.File.Name.ToStringUtf8());
        Assert.Equal("9nvxx7x0kknp4blhqqms3j0yfnzcf6dq", NixBase32.Encode(proto.Narinfo.Deriver.Digest.Span));
        Assert.Equal("net-tools-1.60_p20170221182432", proto.Narinfo.Deriver.Name);
        Assert.Equal(Protos.NARInfo.Types.CA.Types.Hash.FlatSha1, proto.Narinfo.Ca.Type);
        // References are sorted by base name, and reference_names follow them.
        Assert.Equal([Path.BaseName, Ref.BaseName], proto.Narinfo.ReferenceNames);
    }

    [Fact]
    public void FingerprintIsNixs()
    {
        var info = new PathInfo(Path, new FileNode(B3Digest.Compute("x"u8), 1, false), Nar, [Ref]);
        Assert.Equal($"1;/nix/store/{Path.BaseName};sha256:{Nar.Sha256.ToNixBase32()};1234;/nix/store/{Ref.BaseName}", info.Fingerprint(StoreDirectory.Default));
    }

    private static void AssertRejected(Action<Protos.PathInfo> corrupt, string expectedFragment)
    {
        var proto = Sample().ToProto();
        corrupt(proto);
        var error = Assert.Throws<PathInfoValidationException>(() => PathInfo.FromProto(proto));
        Assert.Contains(expectedFragment, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NodeNameMustBeAStorePathBaseName() =>
        AssertRejected(p => p.Node.File.Name = ByteString.CopyFromUtf8("not-a-store-path"), "is not a store path base name");

    [Fact]
    public void MissingNodeIsRejected() => AssertRejected(p => p.Node = null, "node is missing");

    [Fact]
    public void InvalidNodeIsRejected() => AssertRejected(p => p.Node.File.Digest = ByteString.CopyFrom(new byte[31]), "node is invalid");

    [Fact]
    public void MissingNarInfoIsRejected() => AssertRejected(p => p.Narinfo = null, "narinfo");

    [Fact]
    public void NarHashMustBe32Bytes() => AssertRejected(p => p.Narinfo.NarSha256 = ByteString.CopyFrom(new byte[20]), "has 20 bytes, expected 32");

    [Fact]
    public void ReferenceDigestsMustBe20Bytes() => AssertRejected(p => p.References[0] = ByteString.CopyFrom(new byte[32]), "has 32 bytes, expected 20");

    [Fact]
    public void ReferenceNamesMustMatchInCount() => AssertRejected(p => p.Narinfo.ReferenceNames.RemoveAt(1), "2 references but 1 reference_names");

    [Fact]
    public void ReferenceNamesMustMatchDigests() =>
        AssertRejected(p => (p.Narinfo.ReferenceNames[0], p.Narinfo.ReferenceNames[1]) = (p.Narinfo.ReferenceNames[1], p.Narinfo.ReferenceNames[0]), "does not match references[0]");

    [Fact]
    public void ReferenceNamesMustParse() => AssertRejected(p => p.Narinfo.ReferenceNames[0] = "glibc", "is not a store path base name");

    [Fact]
    public void ContentAddressDigestLengthFollowsItsAlgorithm() =>
        AssertRejected(p => p.Narinfo.Ca.Digest = ByteString.CopyFrom(new byte[32]), "expected 20");

    [Fact]
    public void DeriverDigestMustBe20Bytes() => AssertRejected(p => p.Narinfo.Deriver.Digest = ByteString.CopyFrom(new byte[3]), "deriver");

    [Fact]
    public void GarbageBytesAreRejected() =>
        Assert.Throws<PathInfoValidationException>(() => PathInfo.Decode([0xff, 0xff, 0xff]));
}
