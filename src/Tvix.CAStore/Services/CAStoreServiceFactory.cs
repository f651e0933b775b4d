using Tvix.CAStore.Services.Combined;
using Tvix.CAStore.Services.FileSystem;
using Tvix.CAStore.Services.Memory;

namespace Tvix.CAStore.Services;

/// <summary>
/// Creates castore services from URLs, with or without dependency injection:
/// <list type="bullet">
/// <item><c>memory://</c> — a new, empty store in this process;</item>
/// <item><c>file:///absolute/path</c> — files under that folder (blobs/ and directories/), created on first write;</item>
/// <item><c>combined://?near=&lt;url&gt;&amp;far=&lt;url&gt;</c> — near as a cache in front of far (percent-encode
/// a nested URL that itself contains <c>&amp;</c>).</item>
/// </list>
/// </summary>
public static class CAStoreServiceFactory
{
    private const string Expected = "expected memory://, file:///absolute/path or combined://?near=<url>&far=<url>";

    /// <summary>
    /// The local store's folder: <c>$XDG_DATA_HOME/tvix/castore</c>, or <c>~/.local/share/tvix/castore</c>
    /// when XDG_DATA_HOME is unset.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither XDG_DATA_HOME nor a home folder is known.</exception>
    public static string DefaultLocalStorePath
    {
        get
        {
            var dataHome = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            if (string.IsNullOrEmpty(dataHome) || !Path.IsPathRooted(dataHome))
            {
                // DoNotVerify: a home folder that does not exist yet is still where the store goes
                // (the store is created on first use); the default option would return "".
                var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
                if (string.IsNullOrEmpty(home))
                    throw new InvalidOperationException("cannot locate the local store: neither XDG_DATA_HOME nor HOME is set; pass a store URL");
                dataHome = Path.Combine(home, ".local", "share");
            }
            return Path.Combine(dataHome, "tvix", "castore");
        }
    }

    /// <summary>The URL of the local store: <c>file://</c> and <see cref="DefaultLocalStorePath"/>.</summary>
    public static string DefaultUrl => "file://" + DefaultLocalStorePath;

    /// <summary>A blob service for <paramref name="url"/>.</summary>
    /// <exception cref="ArgumentException">The URL is malformed or its scheme unknown; the message lists the accepted forms.</exception>
    public static IBlobService CreateBlobService(string url) => Parse(url) switch
    {
        (Scheme.Memory, _, _) => new MemoryBlobService(),
        (Scheme.File, var path, _) => new FileBlobService(path!),
        (Scheme.Combined, var near, var far) => new CombinedBlobService(CreateBlobService(near!), CreateBlobService(far!)),
        _ => throw new InvalidOperationException(),
    };

    /// <summary>A directory service for <paramref name="url"/>.</summary>
    /// <exception cref="ArgumentException">The URL is malformed or its scheme unknown; the message lists the accepted forms.</exception>
    public static IDirectoryService CreateDirectoryService(string url) => Parse(url) switch
    {
        (Scheme.Memory, _, _) => new MemoryDirectoryService(),
        (Scheme.File, var path, _) => new FileDirectoryService(path!),
        (Scheme.Combined, var near, var far) => new CachingDirectoryService(CreateDirectoryService(near!), CreateDirectoryService(far!)),
        _ => throw new InvalidOperationException(),
    };

    private enum Scheme { Memory, File, Combined }

    /// <summary>Throws the same <see cref="ArgumentException"/> the factory methods would if <paramref name="url"/> is not usable.</summary>
    internal static void Validate(string url)
    {
        var (scheme, near, far) = Parse(url);
        if (scheme != Scheme.Combined) return;
        Validate(near!);
        Validate(far!);
    }

    private static (Scheme Scheme, string? A, string? B) Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var sep = url.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) throw Bad(url, "not a URL");
        var scheme = url[..sep];
        var rest = url[(sep + 3)..];
        switch (scheme)
        {
            case "memory":
                if (rest.Length > 0 && rest != "/") throw Bad(url, "memory:// takes no host, path or options");
                return (Scheme.Memory, null, null);
            case "file":
                if (!rest.StartsWith('/')) throw Bad(url, "file:// needs an absolute path, as in file:///var/lib/castore");
                if (rest.IndexOfAny(['?', '#']) >= 0) throw Bad(url, "file:// takes no options");
                // Unescaped only when there is an escape (the same string otherwise): the call loads
                // System.Private.Uri, a fraction of a millisecond of every store command's start.
                var path = rest.Contains('%') ? Uri.UnescapeDataString(rest) : rest;
                if (path.Length > 1) path = path.TrimEnd('/');
                return (Scheme.File, path, null);
            case "combined":
                if (!rest.StartsWith('?') && !rest.StartsWith("/?", StringComparison.Ordinal))
                    throw Bad(url, "combined:// needs ?near=<url>&far=<url>");
                string? near = null, far = null;
                foreach (var pair in rest[(rest.IndexOf('?') + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
                {
                    var eq = pair.IndexOf('=');
                    var key = eq < 0 ? pair : pair[..eq];
                    var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
                    if (key == "near" && near is null) near = value;
                    else if (key == "far" && far is null) far = value;
                    else throw Bad(url, $"unknown or repeated option '{key}' (combined:// takes near and far)");
                }
                if (string.IsNullOrEmpty(near) || string.IsNullOrEmpty(far)) throw Bad(url, "combined:// needs both near=<url> and far=<url>");
                return (Scheme.Combined, near, far);
            default:
                throw Bad(url, $"unknown scheme '{scheme}'");
        }
    }

    private static ArgumentException Bad(string url, string why) =>
        new($"invalid castore URL '{url}': {why}; {Expected}");
}
