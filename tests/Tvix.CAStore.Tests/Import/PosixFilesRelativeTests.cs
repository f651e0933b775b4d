using System.Text;
using Tvix.CAStore.Import;
using Tvix.CAStore.Tests.Services;

namespace Tvix.CAStore.Tests.Import;

/// <summary>The folder-relative calls the file store makes per object (Linux only; elsewhere the store goes by path).</summary>
public sealed class PosixFilesRelativeTests : IDisposable
{
    private const int EExist = 17, ENoent = 2;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Name(string name) => Encoding.UTF8.GetBytes(name + "\0");

    private Microsoft.Win32.SafeHandles.SafeFileHandle OpenRoot() => PosixFiles.TryOpenDirectory(PosixFiles.Encode(_dir.Path))!;

    [Fact]
    public void OpeningAMissingFolderGivesNullAndAFileIsRefused()
    {
        if (!PosixFiles.IsAvailable) return;
        Assert.Null(PosixFiles.TryOpenDirectory(PosixFiles.Encode(Path.Combine(_dir.Path, "missing"))));
        var file = Path.Combine(_dir.Path, "file");
        File.WriteAllText(file, "x");
        Assert.ThrowsAny<IOException>(() => PosixFiles.TryOpenDirectory(PosixFiles.Encode(file)));
    }

    [Fact]
    public void CreatingIsExclusiveAndReadOnlyModeIsKept()
    {
        if (!PosixFiles.IsAvailable) return;
        using var root = OpenRoot();
        using (var created = PosixFiles.TryCreateNewAt(root, Name("a.tmp"), 0x124, out var errno))
        {
            Assert.NotNull(created);
            Assert.Equal(0, errno);
            PosixFiles.WriteAt(created!, "hello"u8, 0);
        }
        Assert.Equal("hello", File.ReadAllText(Path.Combine(_dir.Path, "a.tmp")));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(_dir.Path, "a.tmp")));
        Assert.Null(PosixFiles.TryCreateNewAt(root, Name("a.tmp"), 0x124, out var again));
        Assert.Equal(EExist, again);
        Assert.Null(PosixFiles.TryCreateNewAt(root, Name("no/such/b.tmp"), 0x124, out var missing));
        Assert.True(PosixFiles.IsMissing(missing));
    }

    [Fact]
    public void ExistenceAndOpeningLookBelowTheFolderOnly()
    {
        if (!PosixFiles.IsAvailable) return;
        Directory.CreateDirectory(Path.Combine(_dir.Path, "ab"));
        File.WriteAllText(Path.Combine(_dir.Path, "ab", "cd"), "contents");
        using var root = OpenRoot();
        Assert.True(PosixFiles.ExistsAt(root, Name("ab/cd"), out var errno));
        Assert.Equal(0, errno);
        Assert.False(PosixFiles.ExistsAt(root, Name("ab/ce"), out errno));
        Assert.Equal(0, errno);
        Assert.False(PosixFiles.ExistsAt(root, Name("ab/cd/below-a-file"), out errno)); // ENOTDIR counts as missing
        Assert.Equal(0, errno);
        using (var read = PosixFiles.TryOpenReadAt(root, Name("ab/cd"), out errno))
        {
            Assert.NotNull(read);
            var buffer = new byte[16];
            Assert.Equal(8, PosixFiles.TryReadAt(read!, buffer, 0, out _));
        }
        Assert.Null(PosixFiles.TryOpenReadAt(root, Name("xy/cd"), out errno));
        Assert.Equal(0, errno);
    }

    [Fact]
    public void RenamingNeverReplacesAndReportsWhy()
    {
        if (!PosixFiles.IsAvailable) return;
        Directory.CreateDirectory(Path.Combine(_dir.Path, "tmp"));
        Directory.CreateDirectory(Path.Combine(_dir.Path, "objects"));
        File.WriteAllText(Path.Combine(_dir.Path, "tmp", "one"), "new");
        File.WriteAllText(Path.Combine(_dir.Path, "objects", "taken"), "old");
        using var tmp = PosixFiles.TryOpenDirectory(PosixFiles.Encode(Path.Combine(_dir.Path, "tmp")))!;
        using var objects = PosixFiles.TryOpenDirectory(PosixFiles.Encode(Path.Combine(_dir.Path, "objects")))!;

        Assert.Equal(EExist, PosixFiles.RenameNoReplaceAt(tmp, Name("one"), objects, Name("taken")));
        Assert.Equal("old", File.ReadAllText(Path.Combine(_dir.Path, "objects", "taken")));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "tmp", "one")));

        Assert.Equal(ENoent, PosixFiles.RenameNoReplaceAt(tmp, Name("one"), objects, Name("no-shard/x")));
        Assert.Equal(0, PosixFiles.TryCreateDirectoryAt(objects, Name("shard")));
        Assert.Equal(EExist, PosixFiles.TryCreateDirectoryAt(objects, Name("shard")));
        Assert.Equal(0, PosixFiles.RenameNoReplaceAt(tmp, Name("one"), objects, Name("shard/x")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(_dir.Path, "objects", "shard", "x")));
        Assert.Equal(ENoent, PosixFiles.RenameNoReplaceAt(tmp, Name("one"), objects, Name("shard/y")));
    }

    [Fact]
    public void RemovingReportsAMissingFile()
    {
        if (!PosixFiles.IsAvailable) return;
        File.WriteAllText(Path.Combine(_dir.Path, "gone"), "x");
        using var root = OpenRoot();
        Assert.Equal(0, PosixFiles.TryUnlinkAt(root, Name("gone")));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "gone")));
        Assert.Equal(ENoent, PosixFiles.TryUnlinkAt(root, Name("gone")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-terminator")]
    [InlineData("inner\0nul\0")]
    public void NamesMustEndWithTheirOnlyNul(string name)
    {
        if (!PosixFiles.IsAvailable) return;
        using var root = OpenRoot();
        var bytes = Encoding.UTF8.GetBytes(name);
        Assert.Throws<ArgumentException>(() => PosixFiles.ExistsAt(root, bytes, out _));
        Assert.Throws<ArgumentException>(() => PosixFiles.TryCreateNewAt(root, bytes, 0x124, out _));
        Assert.Throws<ArgumentException>(() => PosixFiles.TryUnlinkAt(root, bytes));
        Assert.Throws<ArgumentException>(() => PosixFiles.RenameNoReplaceAt(root, bytes, root, Name("x")));
    }
}
