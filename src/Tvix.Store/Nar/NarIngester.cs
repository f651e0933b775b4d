using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.NixCompat;
using Tvix.NixCompat.Nar;

namespace Tvix.Store.Nar;

/// <summary>A tree stored in the castore and the size and SHA-256 of its NAR.</summary>
/// <param name="Root">The root node.</param>
/// <param name="Nar">The NAR's size and SHA-256.</param>
public sealed record NarIngestResult(Node Root, NarSummary Nar);

/// <summary>
/// Turns a NAR stream into castore blobs and directories while computing its size and SHA-256,
/// in bounded memory. The NAR is validated as it is read (Nix's format rules, names, sorting,
/// padding, nothing after the end); on any error the exception propagates and nothing names the
/// blobs already written (they are content-addressed and harmless).
/// </summary>
public sealed class NarIngester
{
    private readonly IBlobService _blobs;
    private readonly IDirectoryService _directories;

    /// <summary>Creates an ingester writing to these castore services.</summary>
    public NarIngester(IBlobService blobs, IDirectoryService directories)
    {
        _blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        _directories = directories ?? throw new ArgumentNullException(nameof(directories));
    }

    /// <summary>Reads one NAR from <paramref name="nar"/> and stores its tree.</summary>
    /// <exception cref="NixFormatException">The NAR is malformed.</exception>
    /// <exception cref="CAStoreValidationException">The tree breaks a castore rule (e.g. a symlink target too long).</exception>
    public async Task<NarIngestResult> IngestAsync(Stream nar, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nar);
        var sink = new CastoreNarSink(_blobs, _directories);
        await using var _ = sink.ConfigureAwait(false);
        var result = await NarReader.ReadAsync(nar, sink, NixHashAlgorithm.Sha256, allowTrailingData: false, cancellationToken).ConfigureAwait(false);
        var root = await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return new NarIngestResult(root, new NarSummary((ulong)result.Size, result.Hash!));
    }
}
