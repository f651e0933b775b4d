using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;
using Tvix.NixCompat.Nar;

namespace Tvix.NixCompat.Tests;

/// <summary>
/// <see cref="NarWriter"/> over a <see cref="FileStream"/> on Linux writes to the descriptor and
/// kernel-copies contents given as file streams: the bytes must be those of the stream path.
/// </summary>
public sealed class NarWriterDescriptorTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("tvix-nar-fd-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private readonly byte[] _large = Random(300 * 1024 + 3, 1);
    private readonly byte[] _small = Random(1000, 2);

    private static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A file holding <paramref name="header"/> then <paramref name="contents"/>, open and positioned after the header.</summary>
    private FileStream Contents(byte[] contents, int header = 0)
    {
        var path = Path.Join(_temp, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, [.. new byte[header], .. contents]);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        stream.Position = header;
        return stream;
    }

    /// <summary>A tree of a large file, a small one, one from memory and a symlink, with contents from <paramref name="open"/>.</summary>
    private async Task WriteTreeAsync(NarWriter writer, Func<byte[], int, Stream> open)
    {
        await writer.BeginDirectoryAsync(default);
        await writer.BeginEntryAsync("a-large"u8.ToArray(), default);
        await using (var large = open(_large, 17)) await writer.RegularFileAsync(true, _large.Length, large, -1, default);
        await writer.EndEntryAsync(default);
        await writer.BeginEntryAsync("b-small"u8.ToArray(), default);
        await using (var small = open(_small, 0)) await writer.RegularFileAsync(false, _small.Length, small, -1, default);
        await writer.EndEntryAsync(default);
        await writer.BeginEntryAsync("c-memory"u8.ToArray(), default);
        await using (var memory = new MemoryStream(_small)) await writer.RegularFileAsync(false, _small.Length, memory, -1, default);
        await writer.EndEntryAsync(default);
        await writer.BeginEntryAsync("d-empty"u8.ToArray(), default);
        await using (var empty = open([], 0)) await writer.RegularFileAsync(false, 0, empty, -1, default);
        await writer.EndEntryAsync(default);
        await writer.BeginEntryAsync("e-link"u8.ToArray(), default);
        await writer.SymlinkAsync("a-large"u8.ToArray(), default);
        await writer.EndEntryAsync(default);
        await writer.EndDirectoryAsync(default);
        await writer.CompleteAsync();
    }

    private async Task<byte[]> ExpectedAsync()
    {
        var output = new MemoryStream();
        await using (var writer = new NarWriter(output))
            await WriteTreeAsync(writer, (bytes, _) => new MemoryStream(bytes));
        return output.ToArray();
    }

    [LinuxFsFact]
    public async Task AFileOutputGetsTheSameBytesAfterWhatWasThereAndItsPositionMoves()
    {
        var expected = await ExpectedAsync();
        var path = Path.Join(_temp, "out.nar");
        await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 4096))
        {
            output.Write("prefix"u8);
            await using (var writer = new NarWriter(output))
                await WriteTreeAsync(writer, Contents);
            Assert.Equal(6 + expected.Length, output.Position);
            output.Write("suffix"u8);
        }
        byte[] whole = [.. "prefix"u8, .. expected, .. "suffix"u8];
        Assert.Equal(whole, await File.ReadAllBytesAsync(path));
    }

    /// <summary>Opens a file holding <paramref name="contents"/> as a bare handle.</summary>
    private SafeFileHandle Handle(byte[] contents)
    {
        var path = Path.Join(_temp, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, contents);
        return File.OpenHandle(path);
    }

    private async Task WriteHandlesAsync(NarWriter writer)
    {
        await writer.BeginDirectoryAsync(default);
        await writer.BeginEntryAsync("a-large"u8.ToArray(), default);
        using (var large = Handle(_large)) await writer.RegularFileAsync(true, _large.Length, large);
        await writer.EndEntryAsync(default);
        await writer.BeginEntryAsync("b-small"u8.ToArray(), default);
        using (var small = Handle(_small)) await writer.RegularFileAsync(false, _small.Length, small);
        await writer.EndEntryAsync(default);
        await writer.BeginEntryAsync("c-memory"u8.ToArray(), default);
        await using (var memory = new MemoryStream(_small)) await writer.RegularFileAsync(false, _small.Length, memory, -1, default);
        await writer.EndEntryAsync(default);
        await writer.BeginEntryAsync("d-empty"u8.ToArray(), default);
        using (var empty = Handle([])) await writer.RegularFileAsync(false, 0, empty);
        await writer.EndEntryAsync(default);
        await writer.BeginEntryAsync("e-link"u8.ToArray(), default);
        await writer.SymlinkAsync("a-large"u8.ToArray(), default);
        await writer.EndEntryAsync(default);
        await writer.EndDirectoryAsync(default);
        await writer.CompleteAsync();
    }

    [Fact]
    public async Task FileHandlesGiveTheSameBytesIntoAStream()
    {
        var output = new MemoryStream();
        await using (var writer = new NarWriter(output))
            await WriteHandlesAsync(writer);
        Assert.Equal(await ExpectedAsync(), output.ToArray());
    }

    [LinuxFsFact]
    public async Task FileHandlesGiveTheSameBytesIntoAFile()
    {
        var path = Path.Join(_temp, "out.nar");
        await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        await using (var writer = new NarWriter(output))
            await WriteHandlesAsync(writer);
        Assert.Equal(await ExpectedAsync(), await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task AFileHandleShorterThanAnnouncedIsAnError()
    {
        await using var writer = new NarWriter(new MemoryStream());
        using var contents = Handle(_small);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.RegularFileAsync(false, _small.Length + 1, contents));
    }

    [LinuxFsFact]
    public async Task FileContentsAreReadFromTheirPositionAndLeftAtTheEnd()
    {
        var path = Path.Join(_temp, "out.nar");
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        await using var writer = new NarWriter(output);
        await using var contents = Contents(_large, header: 100);
        await writer.RegularFileAsync(false, _large.Length, contents, -1, default);
        await writer.CompleteAsync();
        Assert.Equal(100 + _large.Length, contents.Position);
    }

    [LinuxFsFact]
    public async Task APipeOutputGetsTheSameBytes()
    {
        var expected = await ExpectedAsync();
        using var server = new AnonymousPipeServerStream(PipeDirection.In);
        var received = new MemoryStream();
        var reading = server.CopyToAsync(received);
        await using (var output = new FileStream(new SafeFileHandle(server.ClientSafePipeHandle.DangerousGetHandle(), ownsHandle: false), FileAccess.Write, 0))
        await using (var writer = new NarWriter(output))
            await Task.Run(() => WriteTreeAsync(writer, Contents));
        server.DisposeLocalCopyOfClientHandle();
        await reading;
        Assert.Equal(expected, received.ToArray());
    }

    [LinuxFsFact]
    public async Task ContentsShorterThanAnnouncedAreAnError()
    {
        var path = Path.Join(_temp, "out.nar");
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        await using var writer = new NarWriter(output);
        await using var contents = Contents(_large);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.RegularFileAsync(false, _large.Length + 10, contents, -1, default));
    }
}
