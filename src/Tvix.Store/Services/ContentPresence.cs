using Tvix.CAStore;
using Tvix.CAStore.Services;

namespace Tvix.Store.Services;

/// <summary>Checks that every blob and directory below a node is in the castore, before a path info may name it.</summary>
internal static class ContentPresence
{
    public static async ValueTask EnsureAsync(IBlobService blobs, IDirectoryService directories, PathInfo pathInfo, CancellationToken cancellationToken)
    {
        switch (pathInfo.Node)
        {
            case FileNode file:
                if (!await blobs.HasAsync(file.Digest, cancellationToken).ConfigureAwait(false))
                    throw Missing(pathInfo, $"its blob {file.Digest}");
                break;
            case DirectoryNode root:
            {
                var found = false;
                try
                {
                    await foreach (var directory in directories.GetRecursiveAsync(root.Digest, cancellationToken).ConfigureAwait(false))
                    {
                        found = true;
                        foreach (var entry in directory.Entries)
                        {
                            if (entry.Node is FileNode child && !await blobs.HasAsync(child.Digest, cancellationToken).ConfigureAwait(false))
                                throw Missing(pathInfo, $"blob {child.Digest} of directory {directory.Digest}");
                        }
                    }
                }
                catch (CAStoreValidationException e)
                {
                    throw new MissingContentException($"refusing the path info of {pathInfo.StorePath.BaseName}: its tree is incomplete: {e.Message}");
                }
                if (!found) throw Missing(pathInfo, $"its root directory {root.Digest}");
                break;
            }
        }
    }

    private static MissingContentException Missing(PathInfo pathInfo, string what) =>
        new($"refusing the path info of {pathInfo.StorePath.BaseName}: {what} is not in the castore");
}
