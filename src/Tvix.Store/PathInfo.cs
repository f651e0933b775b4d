using System.Text;
using Google.Protobuf;
using ByteString = Google.Protobuf.ByteString;
using Tvix.CAStore;
using Tvix.NixCompat;

namespace Tvix.Store;

/// <summary>
/// What one store path holds and what Nix knows about it: the castore <see cref="Node"/> with its
/// contents, the NAR size and SHA-256, references, signatures, deriver and content address.
/// Instances are always valid; <see cref="FromProto"/> checks the wire form
/// (<c>tvix.store.v1.PathInfo</c>) before building one.
/// </summary>
public sealed class PathInfo
{
    /// <summary>Creates a path info.</summary>
    /// <param name="storePath">The store path.</param>
    /// <param name="node">The root of its contents in the castore.</param>
    /// <param name="nar">The size and SHA-256 of its NAR serialisation.</param>
    /// <param name="references">The store paths it refers to (sorted and deduplicated here).</param>
    public PathInfo(StorePath storePath, Node node, NarSummary nar, IEnumerable<StorePath>? references = null)
    {
        StorePath = storePath ?? throw new ArgumentNullException(nameof(storePath));
        Node = node ?? throw new ArgumentNullException(nameof(node));
        Nar = nar ?? throw new ArgumentNullException(nameof(nar));
        References = references is null ? [] : SortedUnique(references);
    }

    /// <summary>The store path (digest and name).</summary>
    public StorePath StorePath { get; }

    /// <summary>The root of the path's contents in the castore.</summary>
    public Node Node { get; }

    /// <summary>The NAR serialisation's size and SHA-256.</summary>
    public NarSummary Nar { get; }

    /// <summary>The store paths this one refers to, sorted as Nix sorts them (by base name).</summary>
    public IReadOnlyList<StorePath> References { get; }

    /// <summary>Signatures over the path's fingerprint.</summary>
    public IReadOnlyList<PathSignature> Signatures { get; init; } = [];

    /// <summary>The <c>.drv</c> store path that produced this path, when known.</summary>
    public StorePath? Deriver { get; init; }

    /// <summary>How the path's digest follows from its contents, when it is content-addressed.</summary>
    public ContentAddress? ContentAddress { get; init; }

    /// <summary>The wire form, <c>tvix.store.v1.PathInfo</c>: the node is named by the store path's base name.</summary>
    public Protos.PathInfo ToProto()
    {
        var narInfo = new Protos.NARInfo
        {
            NarSize = Nar.Size,
            NarSha256 = ByteString.CopyFrom(Nar.Sha256.Digest),
        };
        var proto = new Protos.PathInfo { Node = Node.ToProto(Encoding.ASCII.GetBytes(StorePath.BaseName)), Narinfo = narInfo };
        foreach (var reference in References)
        {
            proto.References.Add(ByteString.CopyFrom(reference.Digest));
            narInfo.ReferenceNames.Add(reference.BaseName);
        }
        foreach (var signature in Signatures)
            narInfo.Signatures.Add(new Protos.NARInfo.Types.Signature { Name = signature.Name, Data = ByteString.CopyFrom(signature.Data.Span) });
        if (Deriver is { } deriver)
        {
            if (!deriver.Name.EndsWith(".drv", StringComparison.Ordinal))
                throw new PathInfoValidationException($"deriver '{deriver.BaseName}' is not a .drv path");
            narInfo.Deriver = new Protos.StorePath { Name = deriver.Name[..^4], Digest = ByteString.CopyFrom(deriver.Digest) };
        }
        if (ContentAddress is { } ca) narInfo.Ca = ContentAddressCodec.ToProto(ca);
        return proto;
    }

    /// <summary>Checks the wire form and builds the path info it describes.</summary>
    /// <exception cref="PathInfoValidationException">A rule is broken; the message names the field and the problem.</exception>
    public static PathInfo FromProto(Protos.PathInfo proto)
    {
        ArgumentNullException.ThrowIfNull(proto);
        if (proto.Node is null || proto.Node.NodeCase == CAStore.Protos.Node.NodeOneofCase.None)
            throw new PathInfoValidationException("PathInfo.node is missing");
        Node node;
        ReadOnlyMemory<byte> nodeName;
        try
        {
            node = Node.FromProto(proto.Node, out nodeName);
        }
        catch (CAStoreValidationException e)
        {
            throw new PathInfoValidationException("PathInfo.node is invalid: " + e.Message, e);
        }
        var storePath = ParseNodeName(nodeName.Span);

        var narInfo = proto.Narinfo ?? throw new PathInfoValidationException($"PathInfo.narinfo of {storePath.BaseName} is missing");
        if (narInfo.NarSha256.Length != 32)
            throw new PathInfoValidationException($"PathInfo.narinfo.nar_sha256 of {storePath.BaseName} has {narInfo.NarSha256.Length} bytes, expected 32");
        var nar = new NarSummary(narInfo.NarSize, new NixHash(NixHashAlgorithm.Sha256, narInfo.NarSha256.Span));

        if (narInfo.ReferenceNames.Count != proto.References.Count)
            throw new PathInfoValidationException(
                $"PathInfo of {storePath.BaseName} has {proto.References.Count} references but {narInfo.ReferenceNames.Count} reference_names");
        var references = new StorePath[proto.References.Count];
        for (var i = 0; i < references.Length; i++)
        {
            var digest = proto.References[i];
            if (digest.Length != StorePath.DigestLength)
                throw new PathInfoValidationException($"PathInfo.references[{i}] of {storePath.BaseName} has {digest.Length} bytes, expected {StorePath.DigestLength}");
            if (!StorePath.TryParseBaseName(narInfo.ReferenceNames[i], out var reference))
                throw new PathInfoValidationException($"PathInfo.narinfo.reference_names[{i}] of {storePath.BaseName}, '{narInfo.ReferenceNames[i]}', is not a store path base name");
            if (!digest.Span.SequenceEqual(reference!.Digest))
                throw new PathInfoValidationException(
                    $"PathInfo.narinfo.reference_names[{i}] of {storePath.BaseName}, '{reference.BaseName}', does not match references[{i}] ({NixBase32.Encode(digest.Span)})");
            references[i] = reference;
        }

        var signatures = new PathSignature[narInfo.Signatures.Count];
        for (var i = 0; i < signatures.Length; i++)
        {
            var signature = narInfo.Signatures[i];
            if (signature.Name.Length == 0 || signature.Name.Contains(':'))
                throw new PathInfoValidationException($"PathInfo.narinfo.signatures[{i}] of {storePath.BaseName} has an invalid key name '{signature.Name}'");
            signatures[i] = new PathSignature(signature.Name, signature.Data.Span);
        }

        StorePath? deriver = null;
        if (narInfo.Deriver is { } d)
        {
            if (d.Digest.Length != StorePath.DigestLength)
                throw new PathInfoValidationException($"PathInfo.narinfo.deriver of {storePath.BaseName} has a {d.Digest.Length}-byte digest, expected {StorePath.DigestLength}");
            try
            {
                deriver = new StorePath(d.Digest.Span, d.Name + ".drv");
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                throw new PathInfoValidationException($"PathInfo.narinfo.deriver of {storePath.BaseName} has an invalid name '{d.Name}': {e.Message}", e);
            }
        }

        ContentAddress? ca = narInfo.Ca is { } caProto ? ContentAddressCodec.FromProto(caProto, storePath) : null;
        return new PathInfo(storePath, node, nar, references) { Signatures = signatures, Deriver = deriver, ContentAddress = ca };
    }

    /// <summary>Parses the encoded wire form.</summary>
    /// <exception cref="PathInfoValidationException">The bytes are not a protobuf message or break a rule.</exception>
    public static PathInfo Decode(ReadOnlySpan<byte> encoded)
    {
        Protos.PathInfo proto;
        try
        {
            proto = Protos.PathInfo.Parser.ParseFrom(encoded);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new PathInfoValidationException("not a tvix.store.v1.PathInfo message: " + e.Message, e);
        }
        return FromProto(proto);
    }

    /// <summary>The encoded wire form.</summary>
    public byte[] Encode() => ToProto().ToByteArray();

    /// <summary>
    /// Nix's fingerprint of the path, the text that signatures sign:
    /// <c>1;/nix/store/…;sha256:&lt;nixbase32&gt;;&lt;narSize&gt;;/nix/store/ref1,…</c>.
    /// </summary>
    public string Fingerprint(StoreDirectory storeDirectory)
    {
        ArgumentNullException.ThrowIfNull(storeDirectory);
        var text = new StringBuilder("1;").Append(storeDirectory.Print(StorePath)).Append(";sha256:")
            .Append(Nar.Sha256.ToNixBase32()).Append(';').Append(Nar.Size).Append(';');
        for (var i = 0; i < References.Count; i++)
        {
            if (i > 0) text.Append(',');
            text.Append(storeDirectory.Print(References[i]));
        }
        return text.ToString();
    }

    private static StorePath ParseNodeName(ReadOnlySpan<byte> name)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(name);
        }
        catch (DecoderFallbackException)
        {
            throw new PathInfoValidationException("PathInfo.node's name is not UTF-8, so it cannot be a store path base name");
        }
        if (!StorePath.TryParseBaseName(text, out var path))
            throw new PathInfoValidationException($"PathInfo.node's name '{text}' is not a store path base name (<32 nixbase32 characters>-<name>)");
        return path!;
    }

    private static StorePath[] SortedUnique(IEnumerable<StorePath> references)
    {
        var set = new SortedSet<StorePath>();
        foreach (var reference in references) set.Add(reference ?? throw new ArgumentException("a reference is null", nameof(references)));
        var array = new StorePath[set.Count];
        set.CopyTo(array);
        return array;
    }
}
