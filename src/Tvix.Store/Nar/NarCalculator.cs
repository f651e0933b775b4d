using Tvix.CAStore;
using Tvix.CAStore.Services;

namespace Tvix.Store.Nar;

/// <summary>
/// Computes the NAR size and SHA-256 of castore trees without keeping the NAR, and remembers the
/// answer per root (directory digest, or blob digest and executable bit) since the same roots
/// are asked about again and again. The cache is bounded: when full it starts over.
/// </summary>
public sealed class NarCalculator
{
    private readonly NarRenderer _renderer;
    // A plain dictionary under a lock: every file-backed path info service makes one of these when
    // it is created (each store command), and the concurrent one loaded its assembly and set up
    // its tables there; lookups here are rare and short.
    private readonly Dictionary<Node, NarSummary> _cache = [];
    private readonly int _capacity;

    /// <summary>Creates a calculator over these castore services, remembering up to <paramref name="capacity"/> roots.</summary>
    public NarCalculator(IBlobService blobs, IDirectoryService directories, int capacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _renderer = new NarRenderer(blobs, directories);
        _capacity = capacity;
    }

    /// <summary>The NAR size and SHA-256 of the tree below <paramref name="root"/>.</summary>
    /// <exception cref="MissingContentException">A blob or directory below the root is not stored.</exception>
    public async ValueTask<NarSummary> CalculateAsync(Node root, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        lock (_cache)
        {
            if (_cache.TryGetValue(root, out var known)) return known;
        }
        var summary = await _renderer.WriteNarAsync(root, Stream.Null, cancellationToken).ConfigureAwait(false);
        Remember(root, summary);
        return summary;
    }

    /// <summary>Records a summary learnt elsewhere (e.g. while ingesting a NAR), so it is not recomputed.</summary>
    public void Remember(Node root, NarSummary summary)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(summary);
        if (_capacity == 0) return;
        lock (_cache)
        {
            if (_cache.Count >= _capacity) _cache.Clear();
            _cache[root] = summary;
        }
    }
}
