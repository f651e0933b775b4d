using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix derivation</c>: Work with derivations (.drv files).</summary>
internal static class DerivationCommand
{
    public static Command Create()
    {
        var command = new Command("derivation", "Work with derivations (.drv files)");
        command.Subcommands.Add(NotImplementedCommand.Create("show", "Show a derivation as JSON, like nix derivation show"));
        return command;
    }
}
