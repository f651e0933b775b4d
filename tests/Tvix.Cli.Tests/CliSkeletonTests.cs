using Tvix.Cli;

namespace Tvix.Cli.Tests;

public sealed class CliSkeletonTests
{
    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var oldOut = Console.Out;
        var oldErr = Console.Error;
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            var exit = Program.BuildRoot().Parse(args).Invoke(new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr });
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public void HelpListsEverySubcommand()
    {
        var (exit, output, _) = Run("--help");
        Assert.Equal(0, exit);
        foreach (var sub in new[] { "eval", "parse", "instantiate", "repl", "nar", "hash", "derivation", "castore", "store", "build" })
            Assert.Contains(sub, output);
    }

    [Fact]
    public void UnknownCommandFailsWithAMessage()
    {
        var (exit, _, err) = Run("frobnicate");
        Assert.NotEqual(0, exit);
        Assert.Contains("frobnicate", err);
    }

    [Fact]
    public void ParseReportsWarningsAndSucceeds()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("tvix-cli-").FullName, "cursed.nix");
        File.WriteAllText(file, "let or = 1; in [ (x: x) or ]");
        var (exit, _, err) = Run("parse", "--quiet", file);
        Assert.Equal(0, exit);
        Assert.Contains($"warning: at {file}:1:18: This expression uses `or` as an identifier", err);
        File.WriteAllText(file, "[ (x: x) or ]");
        var (failed, _, errors) = Run("parse", "--quiet", file);
        Assert.Equal(1, failed);
        Assert.Contains("undefined variable 'or'", errors);
    }

    private static (int Exit, string Out) Eval(params string[] args)
    {
        var stdout = new StringWriter();
        var exit = Tvix.Cli.Commands.EvalRunner.Run(args, stdout, new StringWriter());
        return (exit, stdout.ToString());
    }

    [Fact]
    public void EvalXmlPrintsLocationsUnlessAskedNotTo()
    {
        var (exit, output) = Eval("--xml", "--strict", "-E", "{ a = x: x; }");
        Assert.Equal(0, exit);
        // As current Nix: code that is not a file has positions without a path.
        Assert.Contains("<attr column=\"3\" line=\"1\" name=\"a\">", output);
        Assert.Contains("<function column=\"7\" line=\"1\">", output);
        var (exit2, plain) = Eval("--xml", "--no-location", "--strict", "-E", "{ a = x: x; }");
        Assert.Equal(0, exit2);
        Assert.Contains("<attr name=\"a\">\n      <function>", plain);
    }
}
