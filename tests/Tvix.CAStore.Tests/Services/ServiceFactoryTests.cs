using Microsoft.Extensions.DependencyInjection;
using Tvix.CAStore.Services;
using Tvix.CAStore.Services.Combined;
using Tvix.CAStore.Services.FileSystem;
using Tvix.CAStore.Services.Memory;

namespace Tvix.CAStore.Tests.Services;

public sealed class ServiceFactoryTests
{
    [Fact]
    public void UrlsPickBackends()
    {
        Assert.IsType<MemoryBlobService>(CAStoreServiceFactory.CreateBlobService("memory://"));
        Assert.IsType<MemoryDirectoryService>(CAStoreServiceFactory.CreateDirectoryService("memory://"));
        var file = Assert.IsType<FileBlobService>(CAStoreServiceFactory.CreateBlobService("file:///var/tmp/some%20store/"));
        Assert.Equal("/var/tmp/some store", file.Root);
        Assert.IsType<FileDirectoryService>(CAStoreServiceFactory.CreateDirectoryService("file:///var/tmp/x"));
        Assert.IsType<CombinedBlobService>(CAStoreServiceFactory.CreateBlobService("combined://?near=memory://&far=file:///var/tmp/x"));
        Assert.IsType<CachingDirectoryService>(CAStoreServiceFactory.CreateDirectoryService(
            "combined://?near=memory://&far=" + Uri.EscapeDataString("combined://?near=memory://&far=memory://")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("memory")]
    [InlineData("memory://host")]
    [InlineData("s3://bucket")]
    [InlineData("file://relative/path")]
    [InlineData("file:///x?opt=1")]
    [InlineData("combined://")]
    [InlineData("combined://?near=memory://")]
    [InlineData("combined://?near=memory://&far=nope://")]
    [InlineData("combined://?near=memory://&far=memory://&extra=1")]
    public void BadUrlsGiveAClearError(string url)
    {
        var e = Assert.Throws<ArgumentException>(() => CAStoreServiceFactory.CreateBlobService(url));
        Assert.Contains("memory://, file:///", e.Message);
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddTvixCAStore(o => o.DirectoryServiceUrl = url));
    }

    [Fact]
    public void DefaultIsTheLocalStoreUnderXdgDataHome()
    {
        Assert.StartsWith("file:///", CAStoreServiceFactory.DefaultUrl);
        Assert.EndsWith(Path.Combine("tvix", "castore"), CAStoreServiceFactory.DefaultLocalStorePath);
    }

    [Fact]
    public async Task DependencyInjectionResolvesConfiguredServices()
    {
        using var provider = new ServiceCollection()
            .AddTvixCAStore(o =>
            {
                o.BlobServiceUrl = "memory://";
                o.DirectoryServiceUrl = "memory://";
            })
            .BuildServiceProvider();
        var blobs = provider.GetRequiredService<IBlobService>();
        Assert.Same(blobs, provider.GetRequiredService<IBlobService>());
        var digest = await blobs.PutAsync("di"u8.ToArray());
        Assert.True(await provider.GetRequiredService<IBlobService>().HasAsync(digest));
        Assert.IsType<MemoryDirectoryService>(provider.GetRequiredService<IDirectoryService>());

        using var tmp = new TempDir();
        await File.WriteAllTextAsync(Path.Combine(tmp.Path, "f"), "via DI");
        var node = await provider.GetRequiredService<Tvix.CAStore.Import.FileSystemImporter>().ImportAsync(tmp.Path);
        await provider.GetRequiredService<Tvix.CAStore.Import.FileSystemExporter>().ExportAsync(node, Path.Combine(tmp.Path, "out"));
        Assert.Equal("via DI", await File.ReadAllTextAsync(Path.Combine(tmp.Path, "out", "f")));
    }
}
