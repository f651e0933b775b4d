using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix parse</c>: Parse a Nix file and report syntax errors.</summary>
internal static class ParseCommand
{
    public static Command Create() => NotImplementedCommand.Create("parse", "Parse a Nix file and report syntax errors");
}
