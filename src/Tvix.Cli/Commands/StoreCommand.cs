using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix store</c>: Work with the Nix store.</summary>
internal static class StoreCommand
{
    public static Command Create()
    {
        var command = new Command("store", "Work with the Nix store");
        command.Subcommands.Add(NotImplementedCommand.Create("add", "Add paths to the store, like nix-store --add"));
        command.Subcommands.Add(NotImplementedCommand.Create("dump", "Write a store path's NAR to stdout"));
        command.Subcommands.Add(NotImplementedCommand.Create("import-nar", "Import a NAR from stdin as a store path"));
        command.Subcommands.Add(NotImplementedCommand.Create("path-info", "Show a store path's metadata"));
        command.Subcommands.Add(NotImplementedCommand.Create("ls", "List a store path"));
        command.Subcommands.Add(NotImplementedCommand.Create("cat", "Write a file in a store path to stdout"));
        command.Subcommands.Add(NotImplementedCommand.Create("export", "Copy a store path to a directory"));
        return command;
    }
}
