using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix repl</c>: Interactive Nix read-eval-print loop.</summary>
internal static class ReplCommand
{
    public static Command Create() => NotImplementedCommand.Create("repl", "Interactive Nix read-eval-print loop");
}
