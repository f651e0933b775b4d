using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary>
/// A subcommand that is planned but not written yet: it accepts any arguments and fails with a
/// clear message and exit code 2, never a stack trace.
/// </summary>
internal static class NotImplementedCommand
{
    /// <summary>Exit code of a subcommand that is not implemented yet.</summary>
    public const int ExitCode = 2;

    public static Command Create(string name, string description)
    {
        var command = new Command(name, description + " (not implemented yet)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var rest = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore, Hidden = true };
        command.Arguments.Add(rest);
        command.SetAction(parse =>
        {
            var full = parse.CommandResult.Command.Name;
            for (var p = parse.CommandResult.Parent; p is System.CommandLine.Parsing.CommandResult c && c.Command is not RootCommand; p = c.Parent)
                full = c.Command.Name + " " + full;
            Console.Error.WriteLine($"error: 'tvix {full}' is not implemented yet");
            return ExitCode;
        });
        return command;
    }
}
