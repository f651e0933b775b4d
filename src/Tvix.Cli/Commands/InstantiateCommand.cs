using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix instantiate</c>: Instantiate derivations and write .drv files, like nix-instantiate.</summary>
internal static class InstantiateCommand
{
    public static Command Create() => NotImplementedCommand.Create("instantiate", "Instantiate derivations and write .drv files, like nix-instantiate");
}
