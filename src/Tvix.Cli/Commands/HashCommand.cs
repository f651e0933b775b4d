using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix hash</c>: Compute and convert Nix hashes.</summary>
internal static class HashCommand
{
    public static Command Create()
    {
        var command = new Command("hash", "Compute and convert Nix hashes");
        command.Subcommands.Add(NotImplementedCommand.Create("path", "Hash the NAR serialisation of a path, like nix hash path"));
        command.Subcommands.Add(NotImplementedCommand.Create("file", "Hash a file's contents, like nix hash file"));
        command.Subcommands.Add(NotImplementedCommand.Create("convert", "Convert a hash between encodings"));
        return command;
    }
}
