using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix nar</c>: Read and write NAR archives.</summary>
internal static class NarCommand
{
    public static Command Create()
    {
        var command = new Command("nar", "Read and write NAR archives");
        command.Subcommands.Add(NotImplementedCommand.Create("dump", "Write the NAR of a path to stdout, like nix-store --dump"));
        command.Subcommands.Add(NotImplementedCommand.Create("restore", "Restore a NAR from stdin into a directory, like nix-store --restore"));
        command.Subcommands.Add(NotImplementedCommand.Create("ls", "List the contents of a NAR file"));
        return command;
    }
}
