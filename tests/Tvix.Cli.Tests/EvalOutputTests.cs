using System.Diagnostics;

namespace Tvix.Cli.Tests;

/// <summary>
/// <c>tvix eval</c> and <c>tvix instantiate</c> write their results and errors straight to file descriptors 1 and 2: output
/// redirected to a file must be appended where the file is, not written at offset 0, and output
/// and errors sent to one file must not overwrite each other.
/// </summary>
public sealed class EvalOutputTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("tvix-eval-out-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void OutputAndErrorsShareOneFile()
    {
        var file = Path.Combine(_work.FullName, "out.txt");
        File.WriteAllText(file, "first\n");
        Shell($"{Tvix} eval -E '\"a\" + \"é\"' >> {file} 2>&1; {Tvix} eval --strict -E '{{ x = builtins.trace \"t\" 1; }}' >> {file} 2>&1; {Tvix} eval -E 'throw \"boom\"' >> {file} 2>&1; true");
        var text = File.ReadAllText(file);
        Assert.StartsWith("first\n\"aé\"\n", text);
        Assert.Contains("trace: t\n{ x = 1; }\n", text);
        Assert.Contains("error: boom\n", text);
    }

    [Fact]
    public void InstantiateOutputAndErrorsShareOneFile()
    {
        var file = Path.Combine(_work.FullName, "out.txt");
        File.WriteAllText(file, "first\n");
        const string drv = "builtins.trace \"t\" (derivation { name = \"x\"; builder = \"/bin/sh\"; system = \"x86_64-linux\"; })";
        Shell($"{Tvix} instantiate --readonly-mode -E '{drv}' >> {file} 2>&1; {Tvix} instantiate --readonly-mode -E 'throw \"boom\"' >> {file} 2>&1; true");
        var text = File.ReadAllText(file);
        Assert.StartsWith("first\ntrace: t\n/nix/store/97qlv6h78lxlm9zc8849ahsbcklhsi2y-x.drv\nerror: boom\n", text);
    }

    [Fact]
    public void AClosedPipeIsNotAnError()
    {
        var exit = Shell($"{Tvix} eval --strict -E 'builtins.genList (x: x) 200000' | head -c 10 > /dev/null; exit ${{PIPESTATUS[0]}}", bash: true);
        Assert.Equal(0, exit);
    }

    private static string Tvix => $"'{DotnetHost()}' '{Path.Combine(AppContext.BaseDirectory, "tvix.dll")}'";

    private static int Shell(string script, bool bash = false)
    {
        var start = new ProcessStartInfo(bash ? "bash" : "sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var p = Process.Start(start)!;
        p.WaitForExit();
        return p.ExitCode;
    }

    private static string DotnetHost()
    {
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        var self = Environment.ProcessPath;
        return self != null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
