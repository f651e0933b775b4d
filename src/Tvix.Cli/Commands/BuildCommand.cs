using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix build</c>: Build derivations.</summary>
internal static class BuildCommand
{
    public static Command Create() => NotImplementedCommand.Create("build", "Build derivations");
}
