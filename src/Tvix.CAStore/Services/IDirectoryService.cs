namespace Tvix.CAStore.Services;

/// <summary>
/// Stores directories (<see cref="CADirectory"/>) under their digest: the Merkle DAG of a tree.
/// Implementations are thread-safe.
/// </summary>
public interface IDirectoryService
{
    /// <summary>The directory with this digest, or null if it is not stored.</summary>
    /// <exception cref="CAStoreValidationException">The stored data is corrupt.</exception>
    ValueTask<CADirectory?> GetAsync(B3Digest digest, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores one directory and returns its digest. Its children are not checked: to store a whole
    /// tree with that check, use <see cref="CreatePutter"/>.
    /// </summary>
    ValueTask<B3Digest> PutAsync(CADirectory directory, CancellationToken cancellationToken = default);

    /// <summary>
    /// The directory <paramref name="root"/> and every directory below it, each once, root first
    /// (breadth-first). Empty if the root is not stored.
    /// </summary>
    /// <exception cref="CAStoreValidationException">A child is missing or its size disagrees with its parent's entry.</exception>
    IAsyncEnumerable<CADirectory> GetRecursiveAsync(B3Digest root, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a session that stores a tree leaves first and checks it: a directory is accepted only
    /// once all its subdirectories have been put in the session, and closing it returns the root.
    /// </summary>
    DirectoryPutter CreatePutter();
}
