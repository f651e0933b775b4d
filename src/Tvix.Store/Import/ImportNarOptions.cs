using Tvix.NixCompat;

namespace Tvix.Store.Import;

/// <summary>The metadata a NAR does not carry, for <see cref="TvixStore.ImportNarAsync"/>.</summary>
public sealed class ImportNarOptions
{
    /// <summary>The store paths the imported path refers to.</summary>
    public IReadOnlyList<StorePath> References { get; init; } = [];

    /// <summary>The <c>.drv</c> that produced it, when known.</summary>
    public StorePath? Deriver { get; init; }

    /// <summary>Its content address, when content-addressed: the store path must then be the one it implies.</summary>
    public ContentAddress? ContentAddress { get; init; }

    /// <summary>Signatures to keep with it.</summary>
    public IReadOnlyList<PathSignature> Signatures { get; init; } = [];

    /// <summary>When set, the NAR's SHA-256 must equal this (e.g. a <c>.narinfo</c>'s NarHash).</summary>
    public NixHash? ExpectedNarHash { get; init; }
}
