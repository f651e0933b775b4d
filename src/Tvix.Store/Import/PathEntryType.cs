namespace Tvix.Store.Import;

/// <summary>The kind of a filesystem entry, as a path filter sees it (Nix's <c>builtins.path</c> filter types).</summary>
public enum PathEntryType
{
    /// <summary>A regular file (<c>"regular"</c>).</summary>
    Regular,

    /// <summary>A directory (<c>"directory"</c>).</summary>
    Directory,

    /// <summary>A symbolic link, not followed (<c>"symlink"</c>).</summary>
    Symlink,

    /// <summary>Anything else: FIFO, socket, device (<c>"unknown"</c>); adding one fails.</summary>
    Unknown,
}

/// <summary>
/// Decides whether an entry below the added root is included: <paramref name="path"/> is its
/// absolute path. A directory left out is left out with everything below it. The root itself is
/// always included, as in Nix.
/// </summary>
public delegate bool PathFilter(string path, PathEntryType type);
