using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Tvix.Testing;

namespace Tvix.NixCompat.Tests;

/// <summary>A fact that runs the built <c>tvix</c> binary; skipped when it (or ../shared) is absent.</summary>
internal sealed class CliFactAttribute : FactAttribute
{
    public CliFactAttribute()
    {
        if (TestPaths.SharedDir == null) Skip = "../shared (test vectors) is absent";
        else if (!File.Exists(CliProcessTests.Binary)) Skip = "the tvix CLI is not built (dotnet build Tvix.sln -c Release)";
    }
}

/// <summary>The nar, hash, derivation and store-path commands, run as a process against the vectors.</summary>
public sealed class CliProcessTests : IDisposable
{
    internal static string Binary => Path.Combine(TestPaths.RepoRoot, "artifacts", "bin", "Tvix.Cli", "release", "tvix");

    private readonly string _temp = Directory.CreateTempSubdirectory("tvix-cli-test-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static (int Exit, byte[] Stdout, string Stderr) Run(byte[]? stdin, params string[] args)
    {
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin != null) process.StandardInput.BaseStream.Write(stdin);
        process.StandardInput.Close();
        process.WaitForExit();
        copy.Wait();
        return (process.ExitCode, stdout.ToArray(), stderr.Result);
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    [CliFact]
    public void HashFileAndPathPrintLikeNix()
    {
        var file = Path.Join(_temp, "hello");
        File.WriteAllText(file, "hello\n");
        Assert.Equal("sha256-WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=\n", Text(Run(null, "hash", "file", file).Stdout));
        Assert.Equal("4425hx5d1mc9y39llj4k4nm55i\n", Text(Run(null, "hash", "file", "--type", "md5", "--base32", file).Stdout));
        // nix hash path of a file is the hash of its NAR (regular-hello case).
        var c = VectorFiles.Json("nar", "cases", "regular-hello.json");
        Assert.Equal(c.GetProperty("narHashNix").GetString() + "\n", Text(Run(null, "hash", "path", file).Stdout));
        Assert.Equal(c.GetProperty("narHash").GetProperty("sha1").GetProperty("base16").GetString() + "\n",
            Text(Run(null, "hash", "path", "--type", "sha1", "--base16", file).Stdout));
    }

    [CliFact]
    public void HashConvertReencodes()
    {
        var (exit, stdout, _) = Run(null, "hash", "convert", "--to", "nix32", "sha256-WJG1tSLV3whtD/CxEPvZ0hu0/HFjrzTQgoai6Eb2vgM=",
            "md5:b1946ac92492d2347c6235b4d2611184");
        Assert.Equal(0, exit);
        Assert.Equal("00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq\n4425hx5d1mc9y39llj4k4nm55i\n", Text(stdout));
        var bad = Run(null, "hash", "convert", "b1946ac92492d2347c6235b4d2611184");
        Assert.Equal(1, bad.Exit);
        Assert.StartsWith("error: hash 'b1946ac92492d2347c6235b4d2611184' does not include a type", bad.Stderr);
    }

    [CliFact]
    public void NarDumpRestoreAndListMatchTheVectors()
    {
        var c = VectorFiles.Json("nar", "cases", "directory-mixed.json");
        var nar = File.ReadAllBytes(VectorFiles.Path("nar", "cases", "directory-mixed.nar"));
        var tree = Path.Join(_temp, "tree");
        TestTree.FromJson(c.GetProperty("tree")).Materialize(tree);
        Assert.Equal(nar, Run(null, "nar", "dump", tree).Stdout);

        var restored = Path.Join(_temp, "restored");
        Assert.Equal(0, Run(nar, "nar", "restore", restored).Exit);
        Assert.Equal(nar, Run(null, "nar", "dump", restored).Stdout);

        var narFile = VectorFiles.Path("nar", "cases", "directory-mixed.nar");
        using var ours = JsonDocument.Parse(Run(null, "nar", "ls", "--json", "-R", narFile).Stdout);
        DerivationTests.AssertJsonEqual(c.GetProperty("nixNarLs"), ours.RootElement);
        Assert.Contains("./bin/tool-link\n", Text(Run(null, "nar", "ls", "-R", narFile).Stdout));

        var invalid = Run(null, "nar", "ls", VectorFiles.Path("nar", "invalid", "entry-dotdot.nar"));
        Assert.Equal(1, invalid.Exit);
        Assert.Equal("error: NAR contains invalid file name '..'\n", invalid.Stderr);
    }

    [CliFact]
    public void DerivationShowAndStorePathFromDrvMatchNix()
    {
        var caseDir = VectorFiles.Path("derivations", "nix28", "039-fod-modulo-pair");
        var expected = VectorFiles.Json("derivations", "nix28", "039-fod-modulo-pair", "expected.json").GetProperty("derivations");
        foreach (var drvFile in Directory.GetFiles(Path.Combine(caseDir, "drvs")))
        {
            var drvPath = "/nix/store/" + Path.GetFileName(drvFile);
            Assert.Equal(drvPath + "\n", Text(Run(null, "store-path", "from-drv", drvFile).Stdout));
            using var json = JsonDocument.Parse(Run(null, "derivation", "show", drvFile).Stdout);
            DerivationTests.AssertJsonEqual(expected.GetProperty(drvPath).GetProperty("show-derivation"), json.RootElement.GetProperty(drvPath));
        }
        var duplicate = Run(null, "derivation", "show", VectorFiles.Path("derivations", "tvix", "duplicate.drv"));
        Assert.Equal(1, duplicate.Exit);
        Assert.Contains("duplicate environment variable 'name'", duplicate.Stderr);
    }
}
