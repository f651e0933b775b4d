using Xunit;

namespace Tvix.Eval.Tests.IO;

/// <summary>
/// <see cref="FileSystemEvalIO.ReadFile"/> reads a regular file into an array of exactly its
/// size, whatever the size; directories and missing files fail with Nix's messages.
/// </summary>
public sealed class FileReadTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tvix-file-read-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2059)]
    [InlineData(4096)]
    [InlineData(70000)]
    public void ReadsTheWholeFile(int size)
    {
        var path = Path.Combine(_dir, $"f{size}");
        var bytes = Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray();
        File.WriteAllBytes(path, bytes);
        Assert.Equal(bytes, new FileSystemEvalIO().ReadFile(path));
    }

    [Fact]
    public void ReadsFilesWhoseSizeIsNotKnownInAdvance()
    {
        if (!OperatingSystem.IsLinux()) return;
        var status = System.Text.Encoding.UTF8.GetString(new FileSystemEvalIO().ReadFile("/proc/self/status"));
        Assert.Contains("Pid:", status);
    }

    [Fact]
    public void ADirectoryIsNotReadAsAFile()
    {
        var e = Assert.Throws<NixEvalException>(() => new FileSystemEvalIO().ReadFile(_dir));
        Assert.Equal($"reading file '{_dir}': Is a directory", e.Message);
    }

    [Fact]
    public void TheTypeOfAMissingPathIsAnError()
    {
        var path = Path.Combine(_dir, "missing");
        var e = Assert.Throws<NixEvalException>(() => new FileSystemEvalIO().ReadFileType(path));
        Assert.Equal($"path '{path}' does not exist", e.Message);
        e = Assert.Throws<NixEvalException>(() => new InMemoryEvalIO().ReadFileType("/missing"));
        Assert.Equal("path '/missing' does not exist", e.Message);
    }

    [Fact]
    public void AMissingFileIsReported()
    {
        var path = Path.Combine(_dir, "missing");
        var e = Assert.Throws<NixEvalException>(() => new FileSystemEvalIO().ReadFile(path));
        Assert.Equal($"opening file '{path}': No such file or directory", e.Message);
    }
}
