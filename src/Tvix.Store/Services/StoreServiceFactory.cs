using Microsoft.Extensions.Logging;
using Tvix.CAStore.Services;

namespace Tvix.Store.Services;

/// <summary>
/// Creates path info services from URLs, with or without dependency injection:
/// <list type="bullet">
/// <item><c>memory://</c> — a new, empty service in this process;</item>
/// <item><c>file:///absolute/path</c> — one file per store path under that folder, created on first write.</item>
/// </list>
/// </summary>
public static class StoreServiceFactory
{
    private const string Expected = "expected memory:// or file:///absolute/path";

    /// <summary>
    /// The local path info folder, next to the local castore: <c>$XDG_DATA_HOME/tvix/pathinfo</c>
    /// (<c>~/.local/share/tvix/pathinfo</c> when XDG_DATA_HOME is unset).
    /// </summary>
    public static string DefaultPathInfoPath =>
        Path.Combine(Path.GetDirectoryName(CAStoreServiceFactory.DefaultLocalStorePath)!, "pathinfo");

    /// <summary>The URL of the local path info store: <c>file://</c> and <see cref="DefaultPathInfoPath"/>.</summary>
    public static string DefaultPathInfoUrl => "file://" + DefaultPathInfoPath;

    /// <summary>A path info service for <paramref name="url"/> over the given castore services.</summary>
    /// <exception cref="ArgumentException">The URL is malformed or its scheme unknown; the message lists the accepted forms.</exception>
    public static IPathInfoService CreatePathInfoService(string url, IBlobService blobs, IDirectoryService directories, ILoggerFactory? loggerFactory = null) =>
        NewPathInfoService(url, blobs, directories, loggerFactory?.CreateLogger<FilePathInfoService>());

    private static IPathInfoService NewPathInfoService(string url, IBlobService blobs, IDirectoryService directories, ILogger<FilePathInfoService>? logger)
    {
        var path = Parse(url);
        return path is null
            ? new MemoryPathInfoService(blobs, directories)
            : new FilePathInfoService(path, blobs, directories, logger);
    }

    /// <summary>
    /// A whole store without DI and without logging: castore services and path info service from
    /// the URLs in <paramref name="options"/>, and the store directory. Unlike the overload with a
    /// logger factory, a call to this one does not load Microsoft.Extensions.Logging.Abstractions.
    /// </summary>
    /// <exception cref="ArgumentException">A URL or the store directory is malformed.</exception>
    public static TvixStore CreateStore(StoreOptions options) => NewStore(options, null, null);

    /// <summary>
    /// A whole store without DI: castore services and path info service from the URLs in
    /// <paramref name="options"/>, and the store directory; the services log through
    /// <paramref name="loggerFactory"/> (nowhere when null).
    /// </summary>
    /// <exception cref="ArgumentException">A URL or the store directory is malformed.</exception>
    public static TvixStore CreateStore(StoreOptions options, ILoggerFactory? loggerFactory) =>
        NewStore(options, loggerFactory?.CreateLogger<FilePathInfoService>(), loggerFactory?.CreateLogger<TvixStore>());

    // The loggers are made by the caller: code that calls CreateLogger, even when it does not run,
    // loads the logging assembly before it starts (its generic instantiations are bound eagerly).
    private static TvixStore NewStore(StoreOptions options, ILogger<FilePathInfoService>? pathInfoLogger, ILogger<TvixStore>? storeLogger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var blobs = CAStoreServiceFactory.CreateBlobService(options.BlobServiceUrl);
        var directories = CAStoreServiceFactory.CreateDirectoryService(options.DirectoryServiceUrl);
        var pathInfos = NewPathInfoService(options.PathInfoServiceUrl, blobs, directories, pathInfoLogger);
        return new TvixStore(blobs, directories, pathInfos, new NixCompat.StoreDirectory(options.StoreDirectory), storeLogger);
    }

    /// <summary>Throws the same <see cref="ArgumentException"/> <see cref="CreatePathInfoService"/> would for a bad URL.</summary>
    internal static void Validate(string url) => Parse(url);

    // null = memory, otherwise the folder of a file:// store.
    private static string? Parse(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var sep = url.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) throw Bad(url, "not a URL");
        var rest = url[(sep + 3)..];
        switch (url[..sep])
        {
            case "memory":
                if (rest.Length > 0 && rest != "/") throw Bad(url, "memory:// takes no host, path or options");
                return null;
            case "file":
                if (!rest.StartsWith('/')) throw Bad(url, "file:// needs an absolute path, as in file:///var/lib/tvix/pathinfo");
                if (rest.IndexOfAny(['?', '#']) >= 0) throw Bad(url, "file:// takes no options");
                // Unescaped only when there is an escape (the same string otherwise): the call loads
                // System.Private.Uri, a fraction of a millisecond of every store command's start.
                var path = rest.Contains('%') ? Uri.UnescapeDataString(rest) : rest;
                return path.Length > 1 ? path.TrimEnd('/') : path;
            default:
                throw Bad(url, $"unknown scheme '{url[..sep]}'");
        }
    }

    private static ArgumentException Bad(string url, string why) => new($"invalid path info service URL '{url}': {why}; {Expected}");
}
