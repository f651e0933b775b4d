using System.Text;

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
        var parts = new List<string>();
        foreach (var seg in path.Split('/'))
        {
            if (seg.Length == 0 || seg == ".") continue;
            if (seg == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(seg);
        }
        if (parts.Count == 0) return "/";
        var sb = new StringBuilder(path.Length);
        foreach (var p in parts) sb.Append('/').Append(p);
        return sb.ToString();
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
