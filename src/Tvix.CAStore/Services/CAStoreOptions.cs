namespace Tvix.CAStore.Services;

/// <summary>Which backends the castore services use, by URL (see <see cref="CAStoreServiceFactory"/>).</summary>
public sealed class CAStoreOptions
{
    /// <summary>The blob store; by default the local store (<see cref="CAStoreServiceFactory.DefaultUrl"/>).</summary>
    public string BlobServiceUrl { get; set; } = CAStoreServiceFactory.DefaultUrl;

    /// <summary>The directory store; by default the local store (<see cref="CAStoreServiceFactory.DefaultUrl"/>).</summary>
    public string DirectoryServiceUrl { get; set; } = CAStoreServiceFactory.DefaultUrl;
}
