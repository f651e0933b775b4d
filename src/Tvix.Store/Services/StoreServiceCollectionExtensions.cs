using Microsoft.Extensions.Logging;
using Tvix.CAStore.Services;
using Tvix.NixCompat;
using Tvix.Store;
using Tvix.Store.Services;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the store services in a DI container.</summary>
public static class StoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the castore services (as <c>AddTvixCAStore</c> does, from the same options),
    /// <see cref="IPathInfoService"/>, the <see cref="StoreDirectory"/> and <see cref="TvixStore"/>,
    /// all singletons built from <see cref="StoreOptions"/> (the local store unless configured).
    /// </summary>
    /// <exception cref="ArgumentException">A URL or the store directory is malformed; the message names the accepted forms.</exception>
    public static IServiceCollection AddTvixStore(this IServiceCollection services, Action<StoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new StoreOptions();
        configure?.Invoke(options);
        StoreServiceFactory.Validate(options.PathInfoServiceUrl);
        var storeDirectory = new StoreDirectory(options.StoreDirectory);
        services.AddTvixCAStore(o =>
        {
            o.BlobServiceUrl = options.BlobServiceUrl;
            o.DirectoryServiceUrl = options.DirectoryServiceUrl;
        });
        services.AddSingleton(options);
        services.AddSingleton(storeDirectory);
        services.AddSingleton<IPathInfoService>(static sp => StoreServiceFactory.CreatePathInfoService(
            sp.GetRequiredService<StoreOptions>().PathInfoServiceUrl,
            sp.GetRequiredService<IBlobService>(),
            sp.GetRequiredService<IDirectoryService>(),
            sp.GetService<ILoggerFactory>()));
        services.AddSingleton(static sp => new TvixStore(
            sp.GetRequiredService<IBlobService>(),
            sp.GetRequiredService<IDirectoryService>(),
            sp.GetRequiredService<IPathInfoService>(),
            sp.GetRequiredService<StoreDirectory>(),
            sp.GetService<ILogger<TvixStore>>()));
        return services;
    }
}
