using Tvix.CAStore.Import;
using Tvix.CAStore.Tests.Services;

namespace Tvix.CAStore.Tests.Import;

/// <summary>
/// A listed file's size and reads at offsets on its bare handle: the tree adder and the importer
/// trust the size the listing saw (no <c>fstat</c> per file) and read with <c>pread</c> (no <c>lseek</c>).
/// </summary>
public sealed class LocalFileEntryTests
{
    // Empty, one byte, around a page and around the 1 MiB NAR chunk the adder reads into.
    public static TheoryData<int> Sizes => [0, 1, 4095, 4096, 1_048_575, 1_048_576, 1_048_577];

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ListedAndInspectedEntriesCarryTheFilesSize(int size)
    {
        using var temp = new TempDir();
        var path = Path.Combine(temp.Path, "f");
        File.WriteAllBytes(path, new byte[size]);

        Assert.Equal(size, LocalFileEntry.Get(path).Length);
        var child = Assert.Single(LocalFileEntry.Get(temp.Path).GetChildren());
        Assert.Equal(FileKind.Regular, child.Kind);
        Assert.Equal(size, child.Length);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void ReadAtReturnsTheBytesAtAnyOffsetAndZeroAtTheEnd(int size)
    {
        using var temp = new TempDir();
        var path = Path.Combine(temp.Path, "f");
        var bytes = new byte[size];
        new Random(size).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        var entry = LocalFileEntry.Get(path);

        using var handle = entry.OpenHandle();
        // Read in pieces that do not divide the size, from the start to past the end.
        var read = new byte[size + 10];
        long done = 0;
        while (true)
        {
            var n = entry.ReadAt(handle, read.AsSpan((int)done, Math.Min(65_537, read.Length - (int)done)), done);
            if (n == 0) break;
            done += n;
        }
        Assert.Equal(size, done);
        Assert.Equal(bytes, read.AsSpan(0, size).ToArray());
        Assert.Equal(0, entry.ReadAt(handle, new byte[8], size));
        Assert.Equal(0, entry.ReadAt(handle, new byte[8], size + 1_000L));
        if (size > 1)
        {
            var tail = new byte[size];
            Assert.Equal(size - 1, entry.ReadAt(handle, tail, 1));
            Assert.Equal(bytes.AsSpan(1).ToArray(), tail.AsSpan(0, size - 1).ToArray());
        }
    }

    [Fact]
    public void DirectoriesAndSymlinksHaveNoLength()
    {
        using var temp = new TempDir();
        Directory.CreateDirectory(Path.Combine(temp.Path, "d"));
        File.WriteAllBytes(Path.Combine(temp.Path, "d", "f"), new byte[100]);
        File.CreateSymbolicLink(Path.Combine(temp.Path, "link-with-a-long-target"), "d/f");

        var children = LocalFileEntry.Get(temp.Path).GetChildren().ToDictionary(c => c.Kind);
        Assert.Equal(0, children[FileKind.Directory].Length);
        Assert.Equal(0, children[FileKind.Symlink].Length);
        Assert.Equal(0, LocalFileEntry.Get(temp.Path).Length);
    }

    [Fact]
    public void ReadingAClosedHandleFails()
    {
        using var temp = new TempDir();
        var path = Path.Combine(temp.Path, "f");
        File.WriteAllBytes(path, [1, 2, 3]);
        var entry = LocalFileEntry.Get(path);
        var handle = entry.OpenHandle();
        handle.Dispose();

        Assert.ThrowsAny<Exception>(() => entry.ReadAt(handle, new byte[3], 0));
    }
}
