using Tvix.CAStore.Import;
using Tvix.CAStore.Services;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the castore services in a DI container.</summary>
public static class CAStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IBlobService"/> and <see cref="IDirectoryService"/> as singletons built
    /// from the URLs in <see cref="CAStoreOptions"/> (the local store unless configured), and
    /// <see cref="FileSystemImporter"/> and <see cref="FileSystemExporter"/> over them.
    /// </summary>
    /// <exception cref="ArgumentException">A URL is malformed; the message names the accepted forms.</exception>
    public static IServiceCollection AddTvixCAStore(this IServiceCollection services, Action<CAStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new CAStoreOptions();
        configure?.Invoke(options);
        CAStoreServiceFactory.Validate(options.BlobServiceUrl);
        CAStoreServiceFactory.Validate(options.DirectoryServiceUrl);
        services.AddSingleton(options);
        services.AddSingleton<IBlobService>(static sp => CAStoreServiceFactory.CreateBlobService(sp.GetRequiredService<CAStoreOptions>().BlobServiceUrl));
        services.AddSingleton<IDirectoryService>(static sp => CAStoreServiceFactory.CreateDirectoryService(sp.GetRequiredService<CAStoreOptions>().DirectoryServiceUrl));
        services.AddTransient(static sp => new FileSystemImporter(sp.GetRequiredService<IBlobService>(), sp.GetRequiredService<IDirectoryService>()));
        services.AddTransient(static sp => new FileSystemExporter(sp.GetRequiredService<IBlobService>(), sp.GetRequiredService<IDirectoryService>()));
        return services;
    }
}
