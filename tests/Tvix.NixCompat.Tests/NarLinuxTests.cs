using System.IO.Pipes;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Win32.SafeHandles;
using Tvix.NixCompat.Nar;
using Tvix.NixCompat.Nar.Linux;

namespace Tvix.NixCompat.Tests;

/// <summary>A fact for the Linux raw-syscall NAR paths; skipped where they are not used.</summary>
internal sealed class LinuxFsFactAttribute : FactAttribute
{
    public LinuxFsFactAttribute()
    {
        if (!LinuxFs.IsSupported) Skip = "the raw Linux file system calls are not available here";
    }
}

/// <summary>
/// A fact that creates file names which are not valid UTF-8; skipped when the temporary
/// directory's file system refuses them (some enforce UTF-8 names).
/// </summary>
internal sealed class RawNamesFactAttribute : FactAttribute
{
    public RawNamesFactAttribute()
    {
        if (!LinuxFs.IsSupported) Skip = "the raw Linux file system calls are not available here";
        else if (!RawFs.AcceptsInvalidUtf8(Path.GetTempPath())) Skip = "the temporary directory's file system refuses names that are not UTF-8";
    }
}

/// <summary>Creates nodes with raw byte names, which .NET's file API cannot.</summary>
internal static unsafe class RawFs
{
    private static byte[] Terminated(ReadOnlySpan<byte> bytes)
    {
        var result = new byte[bytes.Length + 1];
        bytes.CopyTo(result);
        return result;
    }

    private static SafeFileHandle OpenDirectory(string directory)
    {
        var path = Terminated(System.Text.Encoding.UTF8.GetBytes(directory));
        int fd;
        fixed (byte* p = path) fd = LinuxFs.OpenAt(LinuxFs.AtFdCwd, p, LinuxFs.ORdOnly | LinuxFs.ODirectory | LinuxFs.OCloExec, 0);
        if (fd < 0) throw new IOException($"cannot open '{directory}': errno {LinuxFs.LastError}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Creates <paramref name="name"/> in <paramref name="directory"/> with <paramref name="contents"/>; false when refused.</summary>
    public static bool TryCreateFile(string directory, ReadOnlySpan<byte> name, ReadOnlySpan<byte> contents, bool executable = false)
    {
        using var dir = OpenDirectory(directory);
        var terminated = Terminated(name);
        int fd;
        fixed (byte* p = terminated)
            fd = LinuxFs.OpenAt((int)dir.DangerousGetHandle(), p, LinuxFs.OWrOnly | LinuxFs.OCreat | LinuxFs.OExcl | LinuxFs.OCloExec, executable ? 0x1EDu : 0x1A4u);
        if (fd < 0) return false;
        using var file = new SafeFileHandle(fd, ownsHandle: true);
        RandomAccess.Write(file, contents, 0);
        return true;
    }

    public static void CreateDirectory(string directory, ReadOnlySpan<byte> name)
    {
        using var dir = OpenDirectory(directory);
        var terminated = Terminated(name);
        fixed (byte* p = terminated)
            if (LinuxFs.MkdirAt((int)dir.DangerousGetHandle(), p, 0x1FF) != 0) throw new IOException($"mkdirat failed: errno {LinuxFs.LastError}");
    }

    public static void CreateSymlink(string directory, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target)
    {
        using var dir = OpenDirectory(directory);
        var terminatedName = Terminated(name);
        var terminatedTarget = Terminated(target);
        fixed (byte* n = terminatedName)
        fixed (byte* t = terminatedTarget)
            if (LinuxFs.SymlinkAt(t, (int)dir.DangerousGetHandle(), n) != 0) throw new IOException($"symlinkat failed: errno {LinuxFs.LastError}");
    }

    public static bool AcceptsInvalidUtf8(string directory)
    {
        var probe = Directory.CreateTempSubdirectory("tvix-raw-probe-");
        try
        {
            return TryCreateFile(probe.FullName, [0xFF, 0xFE], []);
        }
        finally
        {
            DeleteTree(probe.FullName);
        }
    }

    /// <summary>Deletes a tree whose names .NET may not be able to address (it mangles invalid UTF-8).</summary>
    public static void DeleteTree(string path)
    {
        using var rm = System.Diagnostics.Process.Start("rm", ["-rf", "--", path]);
        rm.WaitForExit();
        if (rm.ExitCode != 0) throw new IOException($"rm -rf {path} failed");
    }

    /// <summary>The raw names in <paramref name="directory"/>, sorted.</summary>
    public static List<byte[]> List(string directory)
    {
        var path = Terminated(System.Text.Encoding.UTF8.GetBytes(directory));
        int fd;
        fixed (byte* p = path) fd = LinuxFs.OpenAt(LinuxFs.AtFdCwd, p, LinuxFs.ORdOnly | LinuxFs.ODirectory | LinuxFs.OCloExec, 0);
        var dir = LinuxFs.FdOpenDir(fd);
        var entries = new DirectoryEntries();
        try
        {
            Assert.Equal(0, entries.Load(dir));
        }
        finally
        {
            LinuxFs.CloseDir(dir);
        }
        var names = new List<byte[]>();
        for (var i = 0; i < entries.Count; i++) names.Add(entries.Name(i).ToArray());
        return names;
    }
}

/// <summary>
/// The Linux paths of the dumper and restorer: raw byte names, the direct file-descriptor writer
/// (kernel copies into files and pipes), and trees deeper than the kept directory descriptors.
/// </summary>
public sealed class NarLinuxTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("tvix-nar-linux-").FullName;

    public void Dispose() => RawFs.DeleteTree(_temp);

    private static async Task<byte[]> DumpToMemoryAsync(string path)
    {
        var output = new MemoryStream();
        await NarDumper.DumpToStreamAsync(path, output);
        return output.ToArray();
    }

    private async Task<byte[]> DumpToFileAsync(string path)
    {
        var file = Path.Join(_temp, "out-" + Guid.NewGuid().ToString("N") + ".nar");
        await using (var output = new FileStream(file, FileMode.CreateNew, FileAccess.Write))
            await NarDumper.DumpToStreamAsync(path, output);
        var bytes = await File.ReadAllBytesAsync(file);
        File.Delete(file);
        return bytes;
    }

    private static async Task<byte[]> DumpManagedAsync(string path)
    {
        var output = new MemoryStream();
        await using (var writer = new NarWriter(output))
        {
            await ManagedNarDumper.DumpAsync(path, writer, default);
            await writer.CompleteAsync();
        }
        return output.ToArray();
    }

    private static async Task<byte[]> NarOfAsync(Func<NarWriter, Task> write)
    {
        var output = new MemoryStream();
        await using (var writer = new NarWriter(output))
        {
            await write(writer);
            await writer.CompleteAsync();
        }
        return output.ToArray();
    }

    private static async Task FileAsync(NarWriter writer, byte[] name, string contents, bool executable = false)
    {
        await writer.BeginEntryAsync(name, default);
        await writer.RegularFileAsync(executable, System.Text.Encoding.UTF8.GetBytes(contents));
        await writer.EndEntryAsync(default);
    }

    [RawNamesFact]
    public async Task NamesThatAreNotUtf8DumpAndRestoreAsBytes()
    {
        // The names of a tree Nix would dump byte for byte: invalid UTF-8, and bytes that
        // decode to characters sorting differently from their bytes.
        var root = Path.Join(_temp, "raw");
        Directory.CreateDirectory(root);
        Assert.True(RawFs.TryCreateFile(root, [0xFF, 0xFE], "x"u8));
        RawFs.CreateDirectory(root, [(byte)'d', 0xC3]);
        Assert.True(RawFs.TryCreateFile(root, [(byte)'d', 0xC3, (byte)'/', 0x80, (byte)'z'], "y"u8, executable: true));
        RawFs.CreateSymlink(root, [(byte)'l', 0xFE], [0xFF, (byte)'t']);
        Assert.True(RawFs.TryCreateFile(root, "ok"u8, "q"u8));
        var expected = await NarOfAsync(async writer =>
        {
            await writer.BeginDirectoryAsync(default);
            await writer.BeginEntryAsync(new byte[] { (byte)'d', 0xC3 }, default);
            await writer.BeginDirectoryAsync(default);
            await FileAsync(writer, [0x80, (byte)'z'], "y", executable: true);
            await writer.EndDirectoryAsync(default);
            await writer.EndEntryAsync(default);
            await writer.BeginEntryAsync(new byte[] { (byte)'l', 0xFE }, default);
            await writer.SymlinkAsync(new byte[] { 0xFF, (byte)'t' }, default);
            await writer.EndEntryAsync(default);
            await FileAsync(writer, "ok"u8.ToArray(), "q");
            await FileAsync(writer, [0xFF, 0xFE], "x");
            await writer.EndDirectoryAsync(default);
        });
        Assert.Equal(expected, await DumpToMemoryAsync(root));
        Assert.Equal(expected, await DumpToFileAsync(root));

        var restored = Path.Join(_temp, "restored");
        await NarReader.ReadAsync(new MemoryStream(expected), new NarRestorer(restored));
        Assert.Equal(new[] { new byte[] { (byte)'d', 0xC3 }, [(byte)'l', 0xFE], "ok"u8.ToArray(), [0xFF, 0xFE] }, RawFs.List(restored));
        Assert.Equal(expected, await DumpToFileAsync(restored));
    }

    [LinuxFsFact]
    public void DumpingIntoAFileStreamWritesAtItsPositionAndMovesIt() =>
        Prop.ForAll<int>(seed =>
        {
            // Random trees have files up to 200 KB, above the size copied in the kernel.
            var tree = TestTree.Random(new Random(seed), 0);
            var nar = tree.ToNarAsync().GetAwaiter().GetResult();
            var path = Path.Join(_temp, "t" + Guid.NewGuid().ToString("N"));
            tree.Materialize(path);
            var file = path + ".nar";
            using (var output = new FileStream(file, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 4096))
            {
                output.Write("prefix"u8);
                NarDumper.DumpToStreamAsync(path, output).GetAwaiter().GetResult();
                Assert.Equal(6 + nar.Length, output.Position);
                output.Write("suffix"u8);
            }
            var written = File.ReadAllBytes(file);
            return written.AsSpan().SequenceEqual([.. "prefix"u8, .. nar, .. "suffix"u8])
                   && DumpManagedAsync(path).GetAwaiter().GetResult().AsSpan().SequenceEqual(nar);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(25));

    [LinuxFsFact]
    public async Task DumpingIntoAPipeSplicesLargeFiles()
    {
        var root = Path.Join(_temp, "big");
        Directory.CreateDirectory(root);
        var large = new byte[3 * 1024 * 1024 + 5];
        new Random(3).NextBytes(large);
        await File.WriteAllBytesAsync(Path.Join(root, "large"), large);
        await File.WriteAllTextAsync(Path.Join(root, "small"), "small");
        var expected = await DumpToMemoryAsync(root);

        using var server = new AnonymousPipeServerStream(PipeDirection.In);
        var received = new MemoryStream();
        var reading = server.CopyToAsync(received);
        await using (var output = new FileStream(new SafeFileHandle(server.ClientSafePipeHandle.DangerousGetHandle(), ownsHandle: false), FileAccess.Write, 0))
            await Task.Run(() => NarDumper.DumpToStreamAsync(root, output));
        server.DisposeLocalCopyOfClientHandle();
        await reading;
        Assert.Equal(expected, received.ToArray());
    }

    [LinuxFsFact]
    public async Task TreesDeeperThanTheKeptDescriptorsDumpAndRestore()
    {
        var depth = FdPath.MaxOpenDirectories + 6;
        var root = Path.Join(_temp, "deep");
        var dir = root;
        Directory.CreateDirectory(dir);
        for (var i = 0; i < depth; i++)
        {
            File.WriteAllText(Path.Join(dir, "a"), i.ToString());
            File.CreateSymbolicLink(Path.Join(dir, "z"), "a");
            dir = Path.Join(dir, "d");
            Directory.CreateDirectory(dir);
        }
        File.WriteAllText(Path.Join(dir, "bottom"), "end");
        var expected = await NarOfAsync(async writer => await WriteLevelAsync(writer, 0));
        Assert.Equal(expected, await DumpToMemoryAsync(root));
        Assert.Equal(expected, await DumpToFileAsync(root));

        var restored = Path.Join(_temp, "deep-restored");
        await NarReader.ReadAsync(new MemoryStream(expected), new NarRestorer(restored));
        Assert.Equal(expected, await DumpToFileAsync(restored));

        async Task WriteLevelAsync(NarWriter writer, int level)
        {
            await writer.BeginDirectoryAsync(default);
            if (level == depth)
            {
                await FileAsync(writer, "bottom"u8.ToArray(), "end");
            }
            else
            {
                await FileAsync(writer, "a"u8.ToArray(), level.ToString());
                await writer.BeginEntryAsync("d"u8.ToArray(), default);
                await WriteLevelAsync(writer, level + 1);
                await writer.EndEntryAsync(default);
                await writer.BeginEntryAsync("z"u8.ToArray(), default);
                await writer.SymlinkAsync("a"u8.ToArray(), default);
                await writer.EndEntryAsync(default);
            }
            await writer.EndDirectoryAsync(default);
        }
    }

    [LinuxFsFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task ExecutableBitFollowsTheOwnerExecutePermission()
    {
        var root = Path.Join(_temp, "modes");
        Directory.CreateDirectory(root);
        foreach (var (name, mode) in new[] { ("group-only", 0b100_101_101), ("owner", 0b111_000_000), ("plain", 0b110_100_100) })
        {
            var path = Path.Join(root, name);
            File.WriteAllText(path, name);
            File.SetUnixFileMode(path, (UnixFileMode)mode);
        }
        var expected = await NarOfAsync(async writer =>
        {
            await writer.BeginDirectoryAsync(default);
            await FileAsync(writer, "group-only"u8.ToArray(), "group-only");
            await FileAsync(writer, "owner"u8.ToArray(), "owner", executable: true);
            await FileAsync(writer, "plain"u8.ToArray(), "plain");
            await writer.EndDirectoryAsync(default);
        });
        Assert.Equal(expected, await DumpToFileAsync(root));
        Assert.Equal(expected, await DumpToMemoryAsync(root));
    }

    [LinuxFsFact]
    public async Task MissingPathsAndSpecialFilesAreErrors()
    {
        var missing = Path.Join(_temp, "missing");
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => DumpToFileAsync(missing));
        Assert.Equal($"path '{missing}' does not exist", e.Message);
        var fifoDir = Path.Join(_temp, "fifo");
        Directory.CreateDirectory(fifoDir);
        var mkfifo = System.Diagnostics.Process.Start("mkfifo", Path.Join(fifoDir, "pipe"));
        await mkfifo.WaitForExitAsync();
        Assert.Equal(0, mkfifo.ExitCode);
        var special = await Assert.ThrowsAsync<IOException>(() => DumpToFileAsync(fifoDir));
        Assert.Equal($"file '{fifoDir}/pipe' has an unsupported type (not a regular file, directory or symlink)", special.Message);
        await Assert.ThrowsAsync<IOException>(() => DumpToFileAsync(Path.Join(fifoDir, "pipe")));
    }

    [Fact]
    public void DirectoryEntriesSortBytewise() =>
        Prop.ForAll<byte[][]>(names =>
        {
            // Names as readdir would give them: distinct, non-empty, no '/' or NUL.
            var distinct = names.Select(n => n.Where(b => b is not (0 or (byte)'/')).Take(255).ToArray())
                .Where(n => n.Length > 0 && !n.AsSpan().SequenceEqual("."u8) && !n.AsSpan().SequenceEqual(".."u8))
                .DistinctBy(Convert.ToHexString).ToList();
            var sorted = distinct.OrderBy(n => n, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();
            var entries = DirectoryEntriesFrom(distinct);
            return Enumerable.Range(0, entries.Count).All(i => entries.Name(i).SequenceEqual(sorted[i])) && entries.Count == sorted.Count;
        }).QuickCheckThrowOnFailure();

    private static DirectoryEntries DirectoryEntriesFrom(List<byte[]> names)
    {
        var entries = new DirectoryEntries();
        entries.Clear();
        foreach (var name in names) entries.Add(name, LinuxFs.DtRegular);
        entries.Sort();
        return entries;
    }
}
