namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// Directories as files of their canonical encoding under
/// <c>&lt;root&gt;/directories/ab/&lt;hex digest&gt;</c> (URL <c>file:///root</c>).
/// Reads re-check the digest, so a corrupted file is reported, never returned.
/// </summary>
public sealed class FileDirectoryService : IDirectoryService
{
    private readonly ContentAddressedFiles _files;

    /// <summary>A store rooted at <paramref name="root"/> (an absolute path).</summary>
    public FileDirectoryService(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _files = new ContentAddressedFiles(Root, "directories");
    }

    /// <summary>The store's root folder.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    public async ValueTask<CADirectory?> GetAsync(B3Digest digest, CancellationToken cancellationToken = default)
    {
        // Small, and from the page cache: read inline, which beats a thread-pool hop.
        var bytes = _files.ReadAll(digest);
        if (bytes is null) return null;
        var directory = CADirectory.Decode(bytes);
        if (directory.Digest != digest)
            throw new CAStoreValidationException($"stored directory {digest} is corrupt: its contents hash to {directory.Digest}");
        return directory;
    }

    /// <inheritdoc/>
    public async ValueTask<B3Digest> PutAsync(CADirectory directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        await _files.WriteAsync(directory.Digest, directory.Encoded, cancellationToken).ConfigureAwait(false);
        return directory.Digest;
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<CADirectory> GetRecursiveAsync(B3Digest root, CancellationToken cancellationToken = default) =>
        DirectoryTraversal.GetRecursiveAsync(this, root, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// The session holds the directories back and writes them together (all made durable by one
    /// flush, then published leaves first), so they are stored once it is closed.
    /// </remarks>
    public DirectoryPutter CreatePutter() => new(this, StoreBatchAsync);

    private ValueTask StoreBatchAsync(IReadOnlyList<CADirectory> directories, CancellationToken cancellationToken) =>
        _files.WriteAllAsync(directories, cancellationToken);
}
