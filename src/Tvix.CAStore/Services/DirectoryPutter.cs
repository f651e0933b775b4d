namespace Tvix.CAStore.Services;

/// <summary>
/// A put-many session: directories arrive leaves first; each is checked against the ones already
/// put (every child present, with the size its entry claims) before it is stored, so a store
/// never holds a directory whose subtree was not written first.
/// </summary>
/// <remarks>Not thread-safe: one session is one ordered stream of directories.</remarks>
public sealed class DirectoryPutter
{
    private readonly IDirectoryService _target;
    private readonly Dictionary<B3Digest, bool> _seen = []; // digest -> referenced by a later directory
    private readonly Dictionary<B3Digest, ulong> _sizes = [];
    private B3Digest? _last;
    private bool _closed;

    /// <summary>A session that stores accepted directories with <paramref name="target"/>'s <see cref="IDirectoryService.PutAsync"/>.</summary>
    public DirectoryPutter(IDirectoryService target) => _target = target ?? throw new ArgumentNullException(nameof(target));

    /// <summary>Checks and stores one directory.</summary>
    /// <exception cref="CAStoreValidationException">A subdirectory was not put first, or its size is wrong.</exception>
    public async ValueTask PutAsync(CADirectory directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ObjectDisposedException.ThrowIf(_closed, this);
        foreach (var entry in directory.Entries)
        {
            if (entry.Node is not DirectoryNode child) continue;
            if (!_sizes.TryGetValue(child.Digest, out var size))
                throw new CAStoreValidationException(
                    $"directory {directory.Digest} refers to {child.Digest} ({NodeNames.Show(entry.Name.Span)}), which was not put before it");
            if (size != child.Size)
                throw new CAStoreValidationException(
                    $"directory {directory.Digest} gives {NodeNames.Show(entry.Name.Span)} size {child.Size}, but {child.Digest} has size {size}");
        }
        if (_sizes.ContainsKey(directory.Digest))
        {
            _last = directory.Digest;
            return; // the same subtree appears twice in the tree: stored already
        }
        await _target.PutAsync(directory, cancellationToken).ConfigureAwait(false);
        foreach (var entry in directory.Entries)
            if (entry.Node is DirectoryNode child) _seen[child.Digest] = true;
        _seen.TryAdd(directory.Digest, false);
        _sizes[directory.Digest] = directory.Size;
        _last = directory.Digest;
    }

    /// <summary>Ends the session and returns the root: the last directory put, which must reach all the others.</summary>
    /// <exception cref="CAStoreValidationException">Nothing was put, or some directory is not below the root.</exception>
    public ValueTask<B3Digest> CloseAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        cancellationToken.ThrowIfCancellationRequested();
        _closed = true;
        if (_last is not { } root) throw new CAStoreValidationException("no directories were put");
        // The graph is acyclic, so it is connected exactly when the root is its only unreferenced node.
        foreach (var (digest, referenced) in _seen)
        {
            if (!referenced && digest != root)
                throw new CAStoreValidationException($"directory {digest} was put but is not below the root {root}");
        }
        return ValueTask.FromResult(root);
    }
}
