using System.Diagnostics;
using Tvix.CAStore;
using Tvix.CAStore.Hashing;
using Tvix.CAStore.Services.FileSystem;
using Tvix.Store.Nar;
using Tvix.Store.Services;

namespace Tvix.Cli.Tests;

/// <summary>
/// kill -9 during a large import or add must leave the store valid: every object stored under its
/// final name holds exactly the content its name promises, every path info names a complete tree
/// whose NAR hash is the one it records, and the next run completes with the same result as a run
/// into a fresh store.
/// </summary>
public sealed class CrashSafetyTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("tvix-crash-");

    public void Dispose()
    {
        foreach (var f in _work.EnumerateFiles("*", SearchOption.AllDirectories)) f.Attributes = FileAttributes.Normal;
        _work.Delete(recursive: true);
    }

    [Theory]
    [InlineData(150)]
    [InlineData(600)]
    [InlineData(1500)]
    public void KilledCastoreImportLeavesAValidStoreAndResumes(int killAfterMs)
    {
        var tree = Path.Combine(_work.FullName, "tree");
        MakeTree(tree, directories: 30, filesPerDirectory: 12, maxFileSize: 256 * 1024);
        var store = Path.Combine(_work.FullName, "store");

        using (var victim = StartTvix("castore", "import", "--store", "file://" + store, tree))
        {
            Thread.Sleep(killAfterMs);
            if (!victim.HasExited) victim.Kill(entireProcessTree: true);
            victim.WaitForExit();
        }

        var (blobs, directories) = VerifyStore(store);
        // Whatever was interrupted, nothing under a final name may be wrong (counts are for the message).
        Assert.True(blobs >= 0 && directories >= 0);

        var resumed = RunTvix("castore", "import", "--store", "file://" + store, tree);
        var fresh = RunTvix("castore", "import", "--store", "file://" + Path.Combine(_work.FullName, "fresh"), tree);
        Assert.Equal(fresh, resumed);
        Assert.StartsWith("dir:b3:", resumed);
        VerifyStore(store);
    }

    // An add of this tree takes about half a second here (a third of that is start-up), so these
    // moments fall into start-up, the walk with blobs being published, and the end (directories,
    // then the path info); on a slower machine they move earlier, which is as valid.
    [Theory]
    [InlineData(150)]
    [InlineData(250)]
    [InlineData(400)]
    [InlineData(600)]
    public async Task KilledStoreAddLeavesNoPathInfoNamingMissingOrWrongContent(int killAfterMs)
    {
        var tree = Path.Combine(_work.FullName, "tree");
        MakeTree(tree, directories: 50, filesPerDirectory: 14, maxFileSize: 256 * 1024);
        for (var i = 0; i < 4; i++) // some files over the in-memory limit, which stream through a blob writer
        {
            var big = new byte[3 * 1024 * 1024 + i];
            new Random(i).NextBytes(big);
            File.WriteAllBytes(Path.Combine(tree, $"d{i:D3}", $"big{i}"), big);
        }
        var expected = RunTvix("store", "add", "--store", "file://" + Path.Combine(_work.FullName, "fresh"), tree);
        var store = Path.Combine(_work.FullName, "store");

        bool interrupted;
        using (var victim = StartTvix("store", "add", "--store", "file://" + store, tree))
        {
            await Task.Delay(killAfterMs);
            interrupted = !victim.HasExited;
            if (interrupted) victim.Kill(entireProcessTree: true);
            victim.WaitForExit();
        }

        // path-info either knows the path (and then all of it is there) or says it is not valid.
        var (code, stdout, stderr) = Tvix("store", "path-info", "--store", "file://" + store, expected);
        Assert.True(code == 0 ? stdout.Trim() == expected : stderr.Contains("is not valid", StringComparison.Ordinal),
            $"path-info after a kill at {killAfterMs} ms (interrupted: {interrupted}): exit {code}, {stdout}{stderr}");
        VerifyStore(Path.Combine(store, "castore"));
        var verified = await VerifyPathInfosAsync(store);
        Assert.Equal(code == 0 ? 1 : 0, verified);

        Assert.Equal(expected, RunTvix("store", "add", "--store", "file://" + store, tree));
        Assert.Equal(expected, RunTvix("store", "path-info", "--store", "file://" + store, expected));
        Assert.Equal(1, await VerifyPathInfosAsync(store));
        VerifyStore(Path.Combine(store, "castore"));
    }

    /// <summary>
    /// The full re-verify: every path info in the store names a tree whose directories and blobs are
    /// all present and whose NAR (rendered from them) has the size and SHA-256 the path info records.
    /// </summary>
    private static async Task<int> VerifyPathInfosAsync(string store)
    {
        var castore = Path.Combine(store, "castore");
        var blobs = new FileBlobService(castore);
        var directories = new FileDirectoryService(castore);
        var pathInfos = new FilePathInfoService(Path.Combine(store, "pathinfo"), blobs, directories);
        var renderer = new NarRenderer(blobs, directories);
        var count = 0;
        await foreach (var info in pathInfos.ListAsync())
        {
            var rendered = await renderer.WriteNarAsync(info.Node, Stream.Null);
            Assert.True(info.Nar.Equals(rendered), $"{info.StorePath.BaseName} records {info.Nar} but its content renders as {rendered}");
            count++;
        }
        return count;
    }

    /// <summary>Checks every blob and directory object in a file store against its name.</summary>
    private static (int Blobs, int Directories) VerifyStore(string store)
    {
        var blobs = 0;
        var blobDir = Path.Combine(store, "blobs");
        if (Directory.Exists(blobDir))
        {
            foreach (var file in Directory.EnumerateFiles(blobDir, "*", SearchOption.AllDirectories))
            {
                var hex = Convert.ToHexStringLower(Blake3.Hash(File.ReadAllBytes(file)));
                Assert.True(hex == Path.GetFileName(file), $"blob {file} does not hold the content its name promises");
                blobs++;
            }
        }
        var directories = 0;
        var dirDir = Path.Combine(store, "directories");
        if (Directory.Exists(dirDir))
        {
            foreach (var file in Directory.EnumerateFiles(dirDir, "*", SearchOption.AllDirectories))
            {
                var directory = CADirectory.Decode(File.ReadAllBytes(file));
                Assert.True(directory.Digest.ToHex() == Path.GetFileName(file), $"directory {file} does not match its name");
                directories++;
            }
        }
        return (blobs, directories);
    }

    private static void MakeTree(string root, int directories, int filesPerDirectory, int maxFileSize)
    {
        var random = new Random(1234);
        for (var d = 0; d < directories; d++)
        {
            var dir = Path.Combine(root, $"d{d:D3}", "sub");
            Directory.CreateDirectory(dir);
            for (var f = 0; f < filesPerDirectory; f++)
            {
                var bytes = new byte[random.Next(0, maxFileSize)];
                random.NextBytes(bytes);
                File.WriteAllBytes(Path.Combine(dir, $"f{f:D3}.bin"), bytes);
            }
            File.CreateSymbolicLink(Path.Combine(root, $"d{d:D3}", "link"), "sub/f000.bin");
        }
    }

    private static string RunTvix(params string[] args)
    {
        var (code, stdout, stderr) = Tvix(args);
        Assert.True(code == 0, $"tvix {string.Join(' ', args)} failed ({code}): {stderr}");
        return stdout.Trim();
    }

    private static (int ExitCode, string Stdout, string Stderr) Tvix(params string[] args)
    {
        using var p = StartTvix(args);
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }

    private static Process StartTvix(params string[] args)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tvix.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        return Process.Start(start)!;
    }

    private static string DotnetHost()
    {
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        var self = Environment.ProcessPath;
        return self != null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
