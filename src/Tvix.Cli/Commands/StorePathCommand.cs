using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix store-path</c>: Compute store paths.</summary>
internal static class StorePathCommand
{
    public static Command Create()
    {
        var command = new Command("store-path", "Compute store paths");
        command.Subcommands.Add(StorePathFromDrvCommand.Create());
        return command;
    }
}
