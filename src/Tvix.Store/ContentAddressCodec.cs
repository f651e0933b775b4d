using Google.Protobuf;
using ByteString = Google.Protobuf.ByteString;
using Tvix.NixCompat;
using ProtoCA = Tvix.Store.Protos.NARInfo.Types.CA;

namespace Tvix.Store;

/// <summary>Maps Nix content addresses to and from the <c>NARInfo.CA</c> enum of method and algorithm.</summary>
internal static class ContentAddressCodec
{
    public static ProtoCA ToProto(ContentAddress ca) => new()
    {
        Type = (ca.Method, ca.Hash.Algorithm) switch
        {
            (ContentAddressMethod.Recursive, NixHashAlgorithm.Sha256) => ProtoCA.Types.Hash.NarSha256,
            (ContentAddressMethod.Recursive, NixHashAlgorithm.Sha1) => ProtoCA.Types.Hash.NarSha1,
            (ContentAddressMethod.Recursive, NixHashAlgorithm.Sha512) => ProtoCA.Types.Hash.NarSha512,
            (ContentAddressMethod.Recursive, NixHashAlgorithm.Md5) => ProtoCA.Types.Hash.NarMd5,
            (ContentAddressMethod.Text, NixHashAlgorithm.Sha256) => ProtoCA.Types.Hash.TextSha256,
            (ContentAddressMethod.Flat, NixHashAlgorithm.Sha1) => ProtoCA.Types.Hash.FlatSha1,
            (ContentAddressMethod.Flat, NixHashAlgorithm.Md5) => ProtoCA.Types.Hash.FlatMd5,
            (ContentAddressMethod.Flat, NixHashAlgorithm.Sha256) => ProtoCA.Types.Hash.FlatSha256,
            (ContentAddressMethod.Flat, NixHashAlgorithm.Sha512) => ProtoCA.Types.Hash.FlatSha512,
            _ => throw new PathInfoValidationException($"content address '{ca}' has no tvix.store.v1 form"),
        },
        Digest = ByteString.CopyFrom(ca.Hash.Digest),
    };

    public static ContentAddress FromProto(ProtoCA proto, StorePath owner)
    {
        var (method, algorithm) = proto.Type switch
        {
            ProtoCA.Types.Hash.NarSha256 => (ContentAddressMethod.Recursive, NixHashAlgorithm.Sha256),
            ProtoCA.Types.Hash.NarSha1 => (ContentAddressMethod.Recursive, NixHashAlgorithm.Sha1),
            ProtoCA.Types.Hash.NarSha512 => (ContentAddressMethod.Recursive, NixHashAlgorithm.Sha512),
            ProtoCA.Types.Hash.NarMd5 => (ContentAddressMethod.Recursive, NixHashAlgorithm.Md5),
            ProtoCA.Types.Hash.TextSha256 => (ContentAddressMethod.Text, NixHashAlgorithm.Sha256),
            ProtoCA.Types.Hash.FlatSha1 => (ContentAddressMethod.Flat, NixHashAlgorithm.Sha1),
            ProtoCA.Types.Hash.FlatMd5 => (ContentAddressMethod.Flat, NixHashAlgorithm.Md5),
            ProtoCA.Types.Hash.FlatSha256 => (ContentAddressMethod.Flat, NixHashAlgorithm.Sha256),
            ProtoCA.Types.Hash.FlatSha512 => (ContentAddressMethod.Flat, NixHashAlgorithm.Sha512),
            _ => throw new PathInfoValidationException($"PathInfo.narinfo.ca of {owner.BaseName} has an unknown type {(int)proto.Type}"),
        };
        var expected = NixHashAlgorithms.DigestSize(algorithm);
        if (proto.Digest.Length != expected)
            throw new PathInfoValidationException(
                $"PathInfo.narinfo.ca of {owner.BaseName} has a {proto.Digest.Length}-byte {NixHashAlgorithms.Name(algorithm)} digest, expected {expected}");
        return new ContentAddress(method, new NixHash(algorithm, proto.Digest.Span));
    }
}
