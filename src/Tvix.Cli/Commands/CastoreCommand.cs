using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix castore</c>: Work with the content-addressed store.</summary>
internal static class CastoreCommand
{
    public static Command Create()
    {
        var command = new Command("castore", "Work with the content-addressed store");
        command.Subcommands.Add(NotImplementedCommand.Create("import", "Import a filesystem tree and print its root node"));
        command.Subcommands.Add(NotImplementedCommand.Create("export", "Materialise a node into a directory"));
        command.Subcommands.Add(NotImplementedCommand.Create("cat", "Write a blob to stdout"));
        command.Subcommands.Add(NotImplementedCommand.Create("ls", "List a directory node"));
        return command;
    }
}
