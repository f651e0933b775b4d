using Tvix.CAStore;
using Tvix.NixCompat;
using Tvix.NixCompat.BinaryCache;

namespace Tvix.Store;

/// <summary>Converts between <see cref="PathInfo"/> and binary-cache <c>.narinfo</c> files (<see cref="NarInfo"/>).</summary>
public static class NarInfoBridge
{
    /// <summary>
    /// The <c>.narinfo</c> that describes <paramref name="pathInfo"/>, with its NAR at <paramref name="url"/>
    /// (by default <c>nar/&lt;nixbase32 NAR hash&gt;.nar</c>, uncompressed).
    /// </summary>
    public static NarInfo ToNarInfo(this PathInfo pathInfo, string? url = null)
    {
        ArgumentNullException.ThrowIfNull(pathInfo);
        var narInfo = new NarInfo(pathInfo.StorePath, url ?? $"nar/{pathInfo.Nar.Sha256.ToNixBase32()}.nar", pathInfo.Nar.Sha256, checked((long)pathInfo.Nar.Size))
        {
            Compression = "none",
            Deriver = pathInfo.Deriver,
            ContentAddress = pathInfo.ContentAddress?.ToString(),
        };
        narInfo.References.AddRange(pathInfo.References);
        foreach (var signature in pathInfo.Signatures) narInfo.Signatures.Add(signature.ToString());
        return narInfo;
    }

    /// <summary>
    /// The path info a <c>.narinfo</c> describes, once its NAR has been ingested as <paramref name="root"/>
    /// (e.g. with <see cref="Nar.NarIngester"/>).
    /// </summary>
    /// <exception cref="PathInfoValidationException">The narinfo's NAR hash is not SHA-256, or a signature or content address is malformed.</exception>
    public static PathInfo ToPathInfo(this NarInfo narInfo, Node root)
    {
        ArgumentNullException.ThrowIfNull(narInfo);
        ArgumentNullException.ThrowIfNull(root);
        if (narInfo.NarHash.Algorithm != NixHashAlgorithm.Sha256)
            throw new PathInfoValidationException($"the narinfo of {narInfo.StorePath.BaseName} has a {NixHashAlgorithms.Name(narInfo.NarHash.Algorithm)} NAR hash; path infos keep SHA-256");
        var signatures = new PathSignature[narInfo.Signatures.Count];
        try
        {
            for (var i = 0; i < signatures.Length; i++) signatures[i] = PathSignature.Parse(narInfo.Signatures[i]);
        }
        catch (FormatException e)
        {
            throw new PathInfoValidationException($"the narinfo of {narInfo.StorePath.BaseName} has a malformed signature: {e.Message}", e);
        }
        ContentAddress? ca;
        try
        {
            ca = string.IsNullOrEmpty(narInfo.ContentAddress) ? null : ContentAddress.Parse(narInfo.ContentAddress);
        }
        catch (FormatException e)
        {
            throw new PathInfoValidationException($"the narinfo of {narInfo.StorePath.BaseName} has a malformed CA: {e.Message}", e);
        }
        return new PathInfo(narInfo.StorePath, root, new NarSummary(checked((ulong)narInfo.NarSize), narInfo.NarHash), narInfo.References)
        {
            Deriver = narInfo.Deriver,
            ContentAddress = ca,
            Signatures = signatures,
        };
    }
}
