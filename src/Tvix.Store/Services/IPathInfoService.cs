using Tvix.CAStore;

namespace Tvix.Store.Services;

/// <summary>
/// Stores <see cref="PathInfo"/>s, keyed by the 20-byte digest of their store path, on top of a
/// castore. Implementations are thread-safe and refuse a path info whose contents are not all in
/// the castore, so no stored path info ever names missing content.
/// </summary>
public interface IPathInfoService
{
    /// <summary>The path info of the store path with this 20-byte digest, or null if there is none.</summary>
    /// <exception cref="ArgumentException">The digest is not 20 bytes.</exception>
    /// <exception cref="PathInfoValidationException">The stored data is corrupt.</exception>
    ValueTask<PathInfo?> GetAsync(ReadOnlyMemory<byte> digest, CancellationToken cancellationToken = default);

    /// <summary>Stores (or replaces) the path info of its store path and returns it.</summary>
    /// <exception cref="MissingContentException">A blob or directory below its node is not in the castore; nothing is stored.</exception>
    ValueTask<PathInfo> PutAsync(PathInfo pathInfo, CancellationToken cancellationToken = default);

    /// <summary>Every stored path info, in no particular order.</summary>
    IAsyncEnumerable<PathInfo> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The NAR size and SHA-256 of a castore tree (remembered per root).</summary>
    /// <exception cref="MissingContentException">A blob or directory below the root is not stored.</exception>
    ValueTask<NarSummary> CalculateNarAsync(Node root, CancellationToken cancellationToken = default);
}
