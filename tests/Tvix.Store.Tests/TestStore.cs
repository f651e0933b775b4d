using Tvix.CAStore.Services;
using Tvix.CAStore.Services.Memory;
using Tvix.Store.Services;

namespace Tvix.Store.Tests;

/// <summary>In-memory stores and scratch folders for tests.</summary>
internal static class TestStore
{
    public static TvixStore CreateMemory()
    {
        var blobs = new MemoryBlobService();
        var directories = new MemoryDirectoryService();
        return new TvixStore(blobs, directories, new MemoryPathInfoService(blobs, directories));
    }

    public static TvixStore Create(IBlobService blobs, IDirectoryService directories) =>
        new(blobs, directories, new MemoryPathInfoService(blobs, directories));

    public static async Task<int> CountPathInfosAsync(TvixStore store)
    {
        var count = 0;
        await foreach (var _ in store.PathInfos.ListAsync()) count++;
        return count;
    }
}

/// <summary>A temporary folder removed when disposed.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tvix-store-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            MakeWritable(Path);
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void MakeWritable(string path)
    {
        foreach (var dir in Directory.EnumerateDirectories(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
