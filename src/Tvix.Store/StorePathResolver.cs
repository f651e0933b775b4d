using System.Text;
using Tvix.CAStore;
using Tvix.NixCompat;

namespace Tvix.Store;

/// <summary>
/// Finds the node at a path inside a store path the way a filesystem walks a path: symlinks met on
/// the way (and the last one, if asked) are followed, relative targets from the directory holding
/// the link, absolute ones from the root if they name a store path this store holds (as
/// <c>/nix/store/…</c> resolves on a real Nix system). A target leaving the store directory is an
/// error, and more than <see cref="MaxSymlinks"/> links in one walk (a loop) is too.
/// </summary>
internal sealed class StorePathResolver(TvixStore store)
{
    /// <summary>As Linux's limit for one path walk (<c>ELOOP</c>).</summary>
    public const int MaxSymlinks = 40;

    /// <exception cref="FileNotFoundException">The store path is not held, or nothing is at the subpath.</exception>
    /// <exception cref="ArgumentException">The subpath itself contains '..'.</exception>
    /// <exception cref="IOException">A symlink leaves the store, or there are too many symlinks (a loop).</exception>
    public async Task<Node> ResolveAsync(StorePath storePath, string subpath, bool followFinalSymlink, CancellationToken cancellationToken)
    {
        // The names still to walk; a symlink's target is put in front. Only targets may say '..'.
        var pending = new LinkedList<byte[]>();
        foreach (var part in subpath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..") throw new ArgumentException($"subpath '{subpath}' must not contain '..'", nameof(subpath));
            pending.AddLast(Encoding.UTF8.GetBytes(part));
        }

        // Where the walk is: the store path and the directories entered below its root (with their names, for messages).
        var current = storePath;
        var node = await RootAsync(current, cancellationToken).ConfigureAwait(false);
        var parents = new List<(DirectoryNode Directory, byte[] Name)>();
        var links = 0;
        while (true)
        {
            if (node is SymlinkNode link && (pending.Count > 0 || followFinalSymlink))
            {
                if (++links > MaxSymlinks)
                    throw new IOException($"too many levels of symbolic links resolving '{Show(storePath, subpath)}' (a symlink loop?)");
                var target = link.Target.ToArray();
                var parts = Split(target);
                if (target is [(byte)'/', ..] || parents.Count == 0)
                {
                    // Absolute, or relative to the store directory (the link is a store path's root): it must name a store path.
                    var (nextPath, rest) = InStore(target, parts, current, storePath, subpath);
                    current = nextPath;
                    node = await RootAsync(current, cancellationToken).ConfigureAwait(false);
                    parents.Clear();
                    parts = rest;
                }
                else
                {
                    // Relative: from the directory holding the link.
                    node = parents[^1].Directory;
                    parents.RemoveAt(parents.Count - 1);
                }
                for (var i = parts.Count - 1; i >= 0; i--) pending.AddFirst(parts[i]);
                continue;
            }
            if (pending.Count == 0) return node;
            var component = pending.First!.Value;
            pending.RemoveFirst();
            if (component is [(byte)'.']) continue;
            if (component is [(byte)'.', (byte)'.'])
            {
                if (parents.Count == 0)
                    throw new IOException($"a symlink in '{Show(storePath, subpath)}' leads out of {store.StoreDirectory.Print(current)}");
                node = parents[^1].Directory;
                parents.RemoveAt(parents.Count - 1);
                continue;
            }
            if (node is not DirectoryNode directoryNode)
                throw new FileNotFoundException($"'{Walked(current, parents)}' is not a directory, so it has no '{Encoding.UTF8.GetString(component)}'");
            var directory = await store.Directories.GetAsync(directoryNode.Digest, cancellationToken).ConfigureAwait(false)
                ?? throw new MissingContentException($"directory {directoryNode.Digest} ('{Walked(current, parents)}') is not in the castore");
            if (!directory.TryGetNode(component, out var child))
                throw new FileNotFoundException($"'{Walked(current, parents)}/{Encoding.UTF8.GetString(component)}' does not exist");
            parents.Add((directoryNode, component));
            node = child;
        }
    }

    /// <summary>A symlink target that must point into the store: the store path it names and the components after it.</summary>
    private (StorePath Path, List<byte[]> Remaining) InStore(byte[] target, List<byte[]> parts, StorePath current, StorePath start, string subpath)
    {
        if (target is [(byte)'/', ..])
        {
            var storeDir = Split(Encoding.UTF8.GetBytes(store.StoreDirectory.Path));
            var matches = parts.Count > storeDir.Count;
            for (var i = 0; matches && i < storeDir.Count; i++) matches = parts[i].AsSpan().SequenceEqual(storeDir[i]);
            if (!matches) throw Outside(target, current, start, subpath);
            parts = parts[storeDir.Count..];
        }
        // Relative to the store directory ('.' and '..' would stay in or leave it: only a plain store path name is followed).
        if (parts.Count == 0 || !StorePath.TryParseBaseName(Encoding.UTF8.GetString(parts[0]), out var path))
            throw Outside(target, current, start, subpath);
        return (path!, parts[1..]);
    }

    private IOException Outside(byte[] target, StorePath current, StorePath start, string subpath) =>
        new($"a symlink in '{Show(start, subpath)}' points to '{Encoding.UTF8.GetString(target)}', outside the store paths of {store.StoreDirectory.Path} (from {store.StoreDirectory.Print(current)})");

    private async Task<Node> RootAsync(StorePath path, CancellationToken cancellationToken) =>
        (await store.GetPathInfoAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new FileNotFoundException($"path '{store.StoreDirectory.Print(path)}' is not in the store")).Node;

    private static List<byte[]> Split(byte[] path)
    {
        var parts = new List<byte[]>();
        foreach (var range in path.AsSpan().Split((byte)'/'))
        {
            if (range.End.Value > range.Start.Value) parts.Add(path[range]);
        }
        return parts;
    }

    private string Show(StorePath path, string subpath) =>
        store.StoreDirectory.Print(path) + (subpath.Trim('/').Length > 0 ? "/" + subpath.Trim('/') : "");

    private string Walked(StorePath path, List<(DirectoryNode, byte[] Name)> parents)
    {
        var text = new StringBuilder(store.StoreDirectory.Print(path));
        foreach (var (_, name) in parents) text.Append('/').Append(Encoding.UTF8.GetString(name));
        return text.ToString();
    }
}
