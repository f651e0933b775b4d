using Tvix.CAStore.Services;

namespace Tvix.Store.Services;

/// <summary>Which backends a store uses, by URL, and the logical store directory its paths live in.</summary>
public sealed class StoreOptions
{
    /// <summary>The blob store (see <see cref="CAStoreServiceFactory"/>); the local castore by default.</summary>
    public string BlobServiceUrl { get; set; } = CAStoreServiceFactory.DefaultUrl;

    /// <summary>The directory store (see <see cref="CAStoreServiceFactory"/>); the local castore by default.</summary>
    public string DirectoryServiceUrl { get; set; } = CAStoreServiceFactory.DefaultUrl;

    /// <summary>The path info store (see <see cref="StoreServiceFactory"/>); the local one by default.</summary>
    public string PathInfoServiceUrl { get; set; } = StoreServiceFactory.DefaultPathInfoUrl;

    /// <summary>The logical store directory store paths are printed and computed in, <c>/nix/store</c> by default.</summary>
    public string StoreDirectory { get; set; } = "/nix/store";
}
