namespace Tvix.CAStore.Services;

/// <summary>
/// A put-many session: directories arrive leaves first; each is checked against the ones already
/// put (every child present, with the size its entry claims) before it is stored, so a store
/// never holds a directory whose subtree was not written first.
/// </summary>
/// <remarks>
/// Not thread-safe: one session is one ordered stream of directories. A backend may hold the
/// directories back and store them together (in the order they were put) when the session is
/// closed, so they are certain to be stored only once <see cref="CloseAsync"/> returns; if it
/// throws, those held back are not stored.
/// </remarks>
public sealed class DirectoryPutter
{
    // A backend that stores in batches gets at most this many encoded bytes at once.
    private const long BatchBytes = 8 << 20;
    private readonly IDirectoryService _target;
    private readonly Func<IReadOnlyList<CADirectory>, CancellationToken, ValueTask>? _storeBatch;
    private readonly List<CADirectory> _batch = [];
    private long _batchBytes;
    // Every directory put, with its size and whether a later one refers to it. One map with a class
    // value: maps keyed by a value type are framework generic code that ReadyToRun cannot precompile,
    // so each is JIT-compiled on every run, and two (one per value type) cost twice that.
    private readonly Dictionary<B3Digest, PutDirectory> _put = [];
    private B3Digest? _last;
    private bool _closed;

    /// <summary>A session that stores accepted directories with <paramref name="target"/>'s <see cref="IDirectoryService.PutAsync"/>.</summary>
    public DirectoryPutter(IDirectoryService target) => _target = target ?? throw new ArgumentNullException(nameof(target));

    /// <summary>
    /// A session that hands accepted directories to <paramref name="storeBatch"/> in batches, in the
    /// order they were put; a batch must be stored in that order (a parent never before its children).
    /// </summary>
    internal DirectoryPutter(IDirectoryService target, Func<IReadOnlyList<CADirectory>, CancellationToken, ValueTask> storeBatch)
        : this(target) => _storeBatch = storeBatch;

    /// <summary>Checks and stores one directory (or holds it back for the batch stored at <see cref="CloseAsync"/>).</summary>
    /// <exception cref="CAStoreValidationException">A subdirectory was not put first, or its size is wrong.</exception>
    public async ValueTask PutAsync(CADirectory directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ObjectDisposedException.ThrowIf(_closed, this);
        var entries = directory.EntrySpan;
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            if (entry.Node is not DirectoryNode child) continue;
            if (!_put.TryGetValue(child.Digest, out var put))
                throw new CAStoreValidationException(
                    $"directory {directory.Digest} refers to {child.Digest} ({NodeNames.Show(entry.Name.Span)}), which was not put before it");
            if (put.Size != child.Size)
                throw new CAStoreValidationException(
                    $"directory {directory.Digest} gives {NodeNames.Show(entry.Name.Span)} size {child.Size}, but {child.Digest} has size {put.Size}");
        }
        if (_put.ContainsKey(directory.Digest))
        {
            _last = directory.Digest;
            return; // the same subtree appears twice in the tree: stored already
        }
        if (_storeBatch is null)
        {
            await _target.PutAsync(directory, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _batch.Add(directory);
            _batchBytes += 64 + 100L * directory.EntrySpan.Length; // a rough size: it only bounds memory
            if (_batchBytes >= BatchBytes) await StoreBatchAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var entry in directory.EntrySpan)
            if (entry.Node is DirectoryNode child) _put[child.Digest].Referenced = true;
        _put.Add(directory.Digest, new PutDirectory(directory.Size));
        _last = directory.Digest;
    }

    /// <summary>
    /// Stores the directories held back so far (a backend that stores each one when it is put holds
    /// none) and leaves the session open: a caller that puts directories while it waits for other
    /// work can so have them written then rather than all at <see cref="CloseAsync"/>.
    /// </summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        return _storeBatch is null ? ValueTask.CompletedTask : StoreBatchAsync(cancellationToken);
    }

    /// <summary>
    /// Ends the session and returns the root: the last directory put, which must reach all the
    /// others. Directories held back are stored before it returns.
    /// </summary>
    /// <exception cref="CAStoreValidationException">Nothing was put, or some directory is not below the root.</exception>
    public async ValueTask<B3Digest> CloseAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        cancellationToken.ThrowIfCancellationRequested();
        _closed = true;
        if (_last is not { } root) throw new CAStoreValidationException("no directories were put");
        // The graph is acyclic, so it is connected exactly when the root is its only unreferenced node.
        foreach (var (digest, put) in _put)
        {
            if (!put.Referenced && digest != root)
                throw new CAStoreValidationException($"directory {digest} was put but is not below the root {root}");
        }
        await StoreBatchAsync(cancellationToken).ConfigureAwait(false);
        return root;
    }

    private async ValueTask StoreBatchAsync(CancellationToken cancellationToken)
    {
        if (_batch.Count == 0) return;
        await _storeBatch!(_batch.ToArray(), cancellationToken).ConfigureAwait(false);
        _batch.Clear();
        _batchBytes = 0;
    }

    private sealed class PutDirectory(ulong size)
    {
        public ulong Size { get; } = size;
        public bool Referenced { get; set; }
    }
}
