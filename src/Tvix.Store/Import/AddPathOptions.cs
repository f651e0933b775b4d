using Tvix.NixCompat;

namespace Tvix.Store.Import;

/// <summary>How <see cref="TvixStore.AddPathAsync"/> turns a filesystem path into a content-addressed store path.</summary>
public sealed class AddPathOptions
{
    /// <summary>The store path's name; the path's base name when null (as <c>nix-store --add</c> does).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// <see cref="ContentAddressMethod.Recursive"/> (the NAR is hashed; the default, as <c>nix-store --add</c>
    /// and <c>--add-fixed --recursive</c>) or <see cref="ContentAddressMethod.Flat"/> (a regular file's
    /// contents are hashed, as <c>--add-fixed</c>). Text paths are added with <see cref="TvixStore.AddTextAsync"/>.
    /// </summary>
    public ContentAddressMethod Method { get; init; } = ContentAddressMethod.Recursive;

    /// <summary>The content address's hash algorithm; SHA-256 by default (which makes recursive paths "source" paths).</summary>
    public NixHashAlgorithm HashAlgorithm { get; init; } = NixHashAlgorithm.Sha256;

    /// <summary>Leaves entries below the root out (see <see cref="PathFilter"/>); everything is included when null.</summary>
    public PathFilter? Filter { get; init; }

    /// <summary>
    /// When set, the content address's hash must equal this (as with <c>builtins.path</c>'s
    /// <c>sha256</c>); a mismatch fails and stores no path info.
    /// </summary>
    public NixHash? ExpectedHash { get; init; }
}
