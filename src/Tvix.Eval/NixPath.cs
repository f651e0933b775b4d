namespace Tvix.Eval;

/// <summary>Path helpers with Nix's semantics (purely lexical; symlinks are never resolved).</summary>
public static class NixPath
{
    /// <summary>
    /// Makes an absolute path canonical as Nix does: collapses repeated slashes, drops <c>.</c>
    /// components, resolves <c>..</c> lexically and removes a trailing slash (<c>/</c> stays <c>/</c>).
    /// </summary>
    public static string Canonicalize(string path)
    {
        if (path.Length == 0 || path[0] != '/') throw new ArgumentException($"not an absolute path: '{path}'", nameof(path));
        // Most paths are canonical already (every path literal is canonicalised once more).
        if (IsCanonical(path)) return path;
        // One pass over the components into a buffer (no split, list or builder): `./x` literals
        // and `dir + "/../y"` make non-canonical paths on every import.
        var buffer = path.Length <= 512 ? stackalloc char[path.Length] : new char[path.Length];
        var length = 0;
        var i = 0;
        while (i < path.Length)
        {
            while (i < path.Length && path[i] == '/') i++;
            var start = i;
            while (i < path.Length && path[i] != '/') i++;
            var segment = path.AsSpan(start, i - start);
            if (segment.Length == 0 || segment is ".") continue;
            if (segment is "..")
            {
                // Drop the last component written (".." at the root stays at the root).
                while (length > 0 && buffer[length - 1] != '/') length--;
                if (length > 0) length--;
                continue;
            }
            buffer[length++] = '/';
            segment.CopyTo(buffer[length..]);
            length += segment.Length;
        }
        return length == 0 ? "/" : new string(buffer[..length]);
    }

    /// <summary>Whether an absolute path has no empty, <c>.</c> or <c>..</c> component and no trailing slash.</summary>
    private static bool IsCanonical(string path)
    {
        if (path.Length == 1) return true;
        if (path[^1] == '/') return false;
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] != '/') continue;
            var next = i + 1 < path.Length ? path[i + 1] : '/';
            if (next == '/') return false;
            if (next != '.') continue;
            var after = i + 2 < path.Length ? path[i + 2] : '/';
            if (after == '/') return false;
            if (after == '.' && (i + 3 >= path.Length || path[i + 3] == '/')) return false;
        }
        return true;
    }

    /// <summary>Joins a directory and a relative path and canonicalises the result.</summary>
    public static string Join(string dir, string relative) => Canonicalize(dir + "/" + relative);

    /// <summary>The parent of a canonical absolute path (<c>/</c> for <c>/</c>).</summary>
    public static string DirOf(string path)
    {
        var i = path.LastIndexOf('/');
        if (i <= 0) return "/";
        return path[..i];
    }

    /// <summary>The last component of a path (empty for <c>/</c>).</summary>
    public static string BaseNameOf(string path)
    {
        var end = path.Length;
        if (end > 1 && path[end - 1] == '/') end--;
        var i = path.LastIndexOf('/', end - 1);
        return path[(i + 1)..end];
    }
}
