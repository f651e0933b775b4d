using System.Runtime.CompilerServices;

namespace Tvix.CAStore.Services;

/// <summary>Walks a stored tree of directories; the shared implementation of <see cref="IDirectoryService.GetRecursiveAsync"/>.</summary>
public static class DirectoryTraversal
{
    /// <summary>Breadth-first from <paramref name="root"/>, each directory once, checking that children exist and sizes agree.</summary>
    public static async IAsyncEnumerable<CADirectory> GetRecursiveAsync(IDirectoryService service, B3Digest root,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        var first = await service.GetAsync(root, cancellationToken).ConfigureAwait(false);
        if (first is null) yield break;
        var queue = new Queue<CADirectory>();
        var visited = new HashSet<B3Digest> { root };
        queue.Enqueue(first);
        while (queue.TryDequeue(out var directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return directory;
            foreach (var entry in directory.Entries)
            {
                if (entry.Node is not DirectoryNode child || !visited.Add(child.Digest)) continue;
                var loaded = await service.GetAsync(child.Digest, cancellationToken).ConfigureAwait(false)
                    ?? throw new CAStoreValidationException($"directory {directory.Digest} refers to {child.Digest}, which is not stored");
                if (loaded.Size != child.Size)
                    throw new CAStoreValidationException($"directory {directory.Digest} gives {child.Digest} size {child.Size}, but it has size {loaded.Size}");
                queue.Enqueue(loaded);
            }
        }
    }
}
