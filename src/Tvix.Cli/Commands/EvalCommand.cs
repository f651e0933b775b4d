using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix eval</c>: Evaluate a Nix expression, like nix-instantiate --eval.</summary>
internal static class EvalCommand
{
    public static Command Create() => NotImplementedCommand.Create("eval", "Evaluate a Nix expression, like nix-instantiate --eval");
}
