using System.Globalization;
using System.Text;

namespace Tvix.Eval.Support.FlakeRefs;

/// <summary>A flake reference failed to parse or print; the message names the reference and why.</summary>
internal sealed class FlakeRefException(string message) : Exception(message);

/// <summary>
/// Flake references as <c>builtins.parseFlakeRef</c>/<c>builtins.flakeRefToString</c> see them: a
/// set of input attributes (strings, integers, Booleans) keyed by name, sorted ordinally, with the
/// optional subdirectory as <c>dir</c>. Supported: indirect ids (<c>nixpkgs</c>,
/// <c>flake:nixpkgs/ref</c>), <c>github:</c>/<c>gitlab:</c>/<c>sourcehut:</c>, <c>path:</c>,
/// <c>git+…:</c> and <c>tarball+…:</c>/<c>file+…:</c> (and plain http(s) URLs). Local paths
/// without a scheme need the file system and a git lookup, so they are rejected.
/// </summary>
internal static class FlakeRef
{
    private static readonly string[] ArchiveSuffixes = [".zip", ".tar", ".tgz", ".tar.gz", ".tar.xz", ".tar.bz2", ".tar.zst"];

    /// <summary>Parses a URL-style flake reference into its attributes.</summary>
    public static SortedDictionary<string, object> Parse(string text)
    {
        if (text.Contains('#')) throw new FlakeRefException($"unexpected fragment '{text[(text.IndexOf('#') + 1)..]}' in flake reference '{text}'");
        var q = text.IndexOf('?');
        var body = q < 0 ? text : text[..q];
        var query = ParseQuery(q < 0 ? "" : text[(q + 1)..]);
        var attrs = new SortedDictionary<string, object>(StringComparer.Ordinal);
        if (query.Remove("dir", out var dir) && dir.Length > 0) attrs["dir"] = dir;

        var colon = body.IndexOf(':');
        var slash = body.IndexOf('/');
        if (colon < 0 || (slash >= 0 && slash < colon))
        {
            if (body.StartsWith('/') || body.StartsWith('.') || body.StartsWith('~'))
                throw new FlakeRefException($"flake reference '{text}' is a local path, which is not supported here (write 'path:{body}')");
            ParseIndirect(text, body, query, attrs);
            return attrs;
        }
        var scheme = body[..colon];
        var rest = body[(colon + 1)..];
        switch (scheme)
        {
            case "flake": ParseIndirect(text, rest, query, attrs); break;
            case "github" or "gitlab" or "sourcehut": ParseGitArchive(text, scheme, rest, query, attrs); break;
            case "path": ParsePath(text, rest, query, attrs); break;
            case "git": ParseGit(text, "git:" + rest, query, attrs); break;
            default:
                if (scheme.StartsWith("git+", StringComparison.Ordinal)) ParseGit(text, scheme[4..] + ":" + rest, query, attrs);
                else if (scheme.StartsWith("tarball+", StringComparison.Ordinal)) ParseCurl(text, "tarball", scheme[8..] + ":" + rest, query, attrs);
                else if (scheme.StartsWith("file+", StringComparison.Ordinal)) ParseCurl(text, "file", scheme[5..] + ":" + rest, query, attrs);
                else if (scheme is "http" or "https")
                {
                    var type = Array.Exists(ArchiveSuffixes, s => rest.EndsWith(s, StringComparison.Ordinal)) ? "tarball" : "file";
                    ParseCurl(text, type, body, query, attrs);
                }
                else throw new FlakeRefException($"flake reference '{text}' has the unsupported scheme '{scheme}' (supported: flake, github, gitlab, sourcehut, path, git+…, tarball+…, file+…, http(s))");
                break;
        }
        return attrs;
    }

    /// <summary>Prints attributes as a flake reference URL (query parameters sorted by name).</summary>
    public static string Print(SortedDictionary<string, object> attrs)
    {
        attrs = new SortedDictionary<string, object>(attrs, StringComparer.Ordinal);
        var type = TakeString(attrs, "type") ?? throw new FlakeRefException("flake input attribute 'type' is missing");
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (TakeString(attrs, "dir") is { Length: > 0 } dir) query["dir"] = dir;
        string head;
        switch (type)
        {
            case "indirect":
            {
                var id = TakeString(attrs, "id") ?? throw Missing(type, "id");
                head = "flake:" + id + Suffix(TakeString(attrs, "ref")) + Suffix(TakeString(attrs, "rev"));
                break;
            }
            case "github" or "gitlab" or "sourcehut":
            {
                var owner = TakeString(attrs, "owner") ?? throw Missing(type, "owner");
                var repo = TakeString(attrs, "repo") ?? throw Missing(type, "repo");
                var gitRef = TakeString(attrs, "ref");
                var rev = TakeString(attrs, "rev");
                if (gitRef != null && rev != null) throw new FlakeRefException($"a {type} flake input cannot have both 'ref' and 'rev'");
                head = type + ":" + owner + "/" + repo + Suffix(gitRef) + Suffix(rev);
                MoveAll(attrs, query, type, "host", "narHash", "lastModified");
                break;
            }
            case "path":
                head = "path:" + (TakeString(attrs, "path") ?? throw Missing(type, "path"));
                MoveAll(attrs, query, type, "rev", "narHash", "revCount", "lastModified");
                break;
            case "git":
            {
                var url = TakeString(attrs, "url") ?? throw Missing(type, "url");
                head = SplitUrlQuery(url, query);
                if (!head.StartsWith("git:", StringComparison.Ordinal)) head = "git+" + head;
                MoveAll(attrs, query, type, "ref", "rev", "narHash", "revCount", "lastModified", "shallow", "submodules", "lfs", "allRefs", "exportIgnore", "verifyCommit", "keytype", "publicKey", "publicKeys");
                break;
            }
            case "tarball" or "file":
                head = type + "+" + SplitUrlQuery(TakeString(attrs, "url") ?? throw Missing(type, "url"), query);
                MoveAll(attrs, query, type, "narHash", "rev", "revCount", "lastModified");
                break;
            default:
                throw new FlakeRefException($"flake input type '{type}' is not supported by flakeRefToString");
        }
        foreach (var name in attrs.Keys) throw new FlakeRefException($"unsupported {type} flake input attribute '{name}'");
        if (query.Count == 0) return head;
        var sb = new StringBuilder(head).Append('?');
        var first = true;
        foreach (var (k, v) in query)
        {
            if (!first) sb.Append('&');
            first = false;
            sb.Append(PercentEncode(k)).Append('=').Append(PercentEncode(v));
        }
        return sb.ToString();
    }

    private static void ParseIndirect(string text, string path, Dictionary<string, string> query, SortedDictionary<string, object> attrs)
    {
        if (query.Count > 0) throw new FlakeRefException($"flake reference '{text}' is an indirect reference, which cannot have query parameters");
        var parts = path.Split('/');
        if (parts.Length > 3 || !IsFlakeId(parts[0])) throw new FlakeRefException($"'{text}' is not a valid flake reference");
        attrs["type"] = "indirect";
        attrs["id"] = parts[0];
        if (parts.Length == 2) attrs[IsRev(parts[1]) ? "rev" : "ref"] = CheckRef(text, parts[1]);
        if (parts.Length == 3)
        {
            if (IsRev(parts[1]) || !IsRev(parts[2])) throw new FlakeRefException($"in flake reference '{text}', expected a branch/tag name followed by a commit hash");
            attrs["ref"] = CheckRef(text, parts[1]);
            attrs["rev"] = parts[2];
        }
    }

    private static void ParseGitArchive(string text, string type, string path, Dictionary<string, string> query, SortedDictionary<string, object> attrs)
    {
        var parts = path.Split('/');
        if (path.StartsWith("//", StringComparison.Ordinal) || parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0)
            throw new FlakeRefException($"URL '{text}' is invalid: a {type} reference is '{type}:owner/repo[/ref-or-rev]'");
        attrs["type"] = type;
        attrs["owner"] = parts[0];
        attrs["repo"] = parts[1];
        string? rev = null, gitRef = null;
        if (parts.Length > 2)
        {
            var tail = string.Join('/', parts, 2, parts.Length - 2);
            if (IsRev(tail)) rev = tail; else gitRef = CheckRef(text, tail);
        }
        foreach (var (name, value) in query)
        {
            switch (name)
            {
                case "rev":
                    if (rev != null) throw new FlakeRefException($"URL '{text}' contains multiple commit hashes");
                    if (!IsRev(value)) throw new FlakeRefException($"in URL '{text}', '{value}' is not a commit hash");
                    rev = value;
                    break;
                case "ref":
                    if (gitRef != null) throw new FlakeRefException($"URL '{text}' contains multiple branch/tag names");
                    gitRef = CheckRef(text, value);
                    break;
                case "host" or "narHash": attrs[name] = value; break;
                default: throw new FlakeRefException($"URL '{text}' has unsupported parameter '{name}'");
            }
        }
        if (rev != null && gitRef != null) throw new FlakeRefException($"URL '{text}' contains both a commit hash and a branch/tag name");
        if (rev != null) attrs["rev"] = rev;
        if (gitRef != null) attrs["ref"] = gitRef;
    }

    private static void ParsePath(string text, string path, Dictionary<string, string> query, SortedDictionary<string, object> attrs)
    {
        attrs["type"] = "path";
        attrs["path"] = PercentDecode(path);
        foreach (var (name, value) in query)
        {
            if (name is "rev" or "narHash") attrs[name] = value;
            else if (name is "revCount" or "lastModified")
                attrs[name] = ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= long.MaxValue
                    ? (long)n
                    : throw new FlakeRefException($"path URL '{text}' has invalid parameter '{name}'");
            else throw new FlakeRefException($"path URL '{text}' has unsupported parameter '{name}'");
        }
    }

    private static void ParseGit(string text, string url, Dictionary<string, string> query, SortedDictionary<string, object> attrs)
    {
        attrs["type"] = "git";
        var kept = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in query)
        {
            switch (name)
            {
                case "rev":
                    if (!IsRev(value)) throw new FlakeRefException($"in URL '{text}', '{value}' is not a commit hash");
                    attrs[name] = value;
                    break;
                case "ref": attrs[name] = CheckRef(text, value); break;
                case "keytype" or "publicKey" or "publicKeys": attrs[name] = value; break;
                case "shallow" or "submodules" or "lfs" or "allRefs" or "exportIgnore" or "verifyCommit": attrs[name] = value == "1"; break;
                default: kept[name] = value; break;
            }
        }
        attrs["url"] = WithQuery(url, kept);
    }

    private static void ParseCurl(string text, string type, string url, Dictionary<string, string> query, SortedDictionary<string, object> attrs)
    {
        attrs["type"] = type;
        var kept = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in query)
        {
            if (name == "narHash") attrs[name] = value;
            else kept[name] = value;
        }
        if (!url.Contains("://", StringComparison.Ordinal)) throw new FlakeRefException($"'{text}' is not a valid URL");
        attrs["url"] = WithQuery(url, kept);
    }

    private static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (query.Length == 0) return result;
        foreach (var pair in query.Split('&'))
        {
            if (pair.Length == 0) continue;
            var eq = pair.IndexOf('=');
            // Like Nix, a parameter without '=' is ignored; a repeated one keeps its last value.
            if (eq < 0) continue;
            result[PercentDecode(pair[..eq])] = PercentDecode(pair[(eq + 1)..]);
        }
        return result;
    }

    private static string WithQuery(string url, SortedDictionary<string, string> query)
    {
        if (query.Count == 0) return url;
        var sb = new StringBuilder(url).Append('?');
        var first = true;
        foreach (var (k, v) in query)
        {
            if (!first) sb.Append('&');
            first = false;
            sb.Append(PercentEncode(k)).Append('=').Append(PercentEncode(v));
        }
        return sb.ToString();
    }

    private static string SplitUrlQuery(string url, SortedDictionary<string, string> query)
    {
        var q = url.IndexOf('?');
        if (q < 0) return url;
        foreach (var (k, v) in ParseQuery(url[(q + 1)..])) query[k] = v;
        return url[..q];
    }

    private static void MoveAll(SortedDictionary<string, object> attrs, SortedDictionary<string, string> query, string type, params string[] names)
    {
        foreach (var name in names)
        {
            if (!attrs.Remove(name, out var value)) continue;
            query[name] = value switch
            {
                string s => s,
                long n => n.ToString(CultureInfo.InvariantCulture),
                bool b => b ? "1" : "0",
                _ => throw new FlakeRefException($"{type} flake input attribute '{name}' has an unsupported type"),
            };
        }
    }

    private static string? TakeString(SortedDictionary<string, object> attrs, string name)
    {
        if (!attrs.Remove(name, out var value)) return null;
        return value as string ?? throw new FlakeRefException($"flake input attribute '{name}' must be a string");
    }

    private static FlakeRefException Missing(string type, string name) => new($"{type} flake input is missing the attribute '{name}'");

    private static string Suffix(string? part) => part is null ? "" : "/" + part;

    private static bool IsRev(string s)
    {
        if (s.Length != 40) return false;
        foreach (var c in s) if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c)) return false;
        return true;
    }

    private static bool IsFlakeId(string s)
    {
        if (s.Length == 0 || !char.IsAsciiLetter(s[0])) return false;
        foreach (var c in s) if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-') return false;
        return true;
    }

    /// <summary>Git's rules for branch/tag names that Nix enforces (no "..", no leading '-', …).</summary>
    private static string CheckRef(string text, string gitRef)
    {
        var bad = gitRef.Length == 0 || gitRef.StartsWith('-') || gitRef.StartsWith('/') || gitRef.EndsWith('/') || gitRef.EndsWith('.')
            || gitRef.EndsWith(".lock", StringComparison.Ordinal) || gitRef.Contains("..", StringComparison.Ordinal)
            || gitRef.Contains("@{", StringComparison.Ordinal) || gitRef.Contains("//", StringComparison.Ordinal);
        foreach (var c in gitRef) if (c <= ' ' || c == 0x7f || c is '~' or '^' or ':' or '?' or '*' or '[' or '\\') bad = true;
        if (bad) throw new FlakeRefException($"in flake reference '{text}', '{gitRef}' is not a valid branch/tag name");
        return gitRef;
    }

    private static string PercentDecode(string s)
    {
        if (!s.Contains('%')) return s;
        try { return Uri.UnescapeDataString(s); }
        catch (UriFormatException) { throw new FlakeRefException($"invalid URI parameter '{s}'"); }
    }

    /// <summary>Keeps letters, digits, "-._~" and ":@/?" (what Nix leaves unescaped in a query).</summary>
    private static string PercentEncode(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (b < 0x80 && (char.IsAsciiLetterOrDigit(c) || "-._~:@/?".Contains(c))) sb.Append(c);
            else sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
