using System.CommandLine;
using Microsoft.Win32.SafeHandles;
using System.Text;
using Tvix.NixCompat;
using Tvix.NixCompat.Nar;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix nar</c>: Read and write NAR archives.</summary>
internal static class NarCommand
{
    public static Command Create()
    {
        var command = new Command("nar", "Read and write NAR archives");
        command.Subcommands.Add(Dump());
        command.Subcommands.Add(Restore());
        command.Subcommands.Add(NarLsCommand.Create());
        return command;
    }

    private static Command Dump()
    {
        var path = new Argument<string>("path") { Description = "The file, directory or symlink to serialise" };
        var command = new Command("dump", "Write the NAR of a path to stdout, like nix-store --dump") { path };
        command.SetAction(parse => RunDump(parse.GetValue(path)!));
        return command;
    }

    /// <summary>
    /// <c>tvix nar dump PATH</c>. On Linux standard output is handed to the dumper as a
    /// <see cref="FileStream"/>, which lets it write to the descriptor directly and have the
    /// kernel copy large files into the pipe or file (see <see cref="NarDumper.DumpToStreamAsync"/>).
    /// </summary>
    public static int RunDump(string path) => FormatCommandGuard.Run(() =>
    {
        using var stdout = OperatingSystem.IsLinux()
            ? new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0)
            : Console.OpenStandardOutput();
        NarDumper.DumpToStreamAsync(path, stdout).GetAwaiter().GetResult();
        return 0;
    });

    private static Command Restore()
    {
        var dest = new Argument<string>("dest") { Description = "The path to create (must not exist)" };
        var command = new Command("restore", "Restore a NAR from stdin into a directory, like nix-store --restore") { dest };
        command.SetAction(parse => FormatCommandGuard.Run(() =>
        {
            using var stdin = Console.OpenStandardInput();
            NarReader.ReadAsync(stdin, new NarRestorer(parse.GetValue(dest)!), allowTrailingData: true).GetAwaiter().GetResult();
            return 0;
        }));
        return command;
    }
}
