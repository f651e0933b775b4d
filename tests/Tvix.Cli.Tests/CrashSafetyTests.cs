using System.Diagnostics;
using Tvix.CAStore;
using Tvix.CAStore.Hashing;

namespace Tvix.Cli.Tests;

/// <summary>
/// kill -9 during a large import must leave the store valid: every object stored under its
/// final name holds exactly the content its name promises, and the next import completes with
/// the same root as an import into a fresh store.
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
        using var p = StartTvix(args);
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"tvix {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}");
        return stdout.Trim();
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
