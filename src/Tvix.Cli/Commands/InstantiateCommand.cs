using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary>
/// <c>tvix instantiate</c>: evaluate derivations, write their <c>.drv</c> files into the store and
/// print their paths, like <c>nix-instantiate</c>. Options follow Nix's conventions, so the
/// command parses its own arguments (see <see cref="InstantiateRunner"/>).
/// </summary>
internal static class InstantiateCommand
{
    public static Command Create()
    {
        var command = new Command("instantiate", "Instantiate derivations and write .drv files, like nix-instantiate.\n" + InstantiateRunner.Usage)
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var rest = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore, Hidden = true };
        command.Arguments.Add(rest);
        command.SetAction(parse =>
        {
            // Keep the order the user wrote: re-read the raw tokens after "instantiate".
            var raw = new List<string>();
            foreach (var token in parse.Tokens) raw.Add(token.Value);
            var index = raw.IndexOf("instantiate");
            var args = index >= 0 ? raw.GetRange(index + 1, raw.Count - index - 1) : [.. parse.GetValue(rest) ?? []];
            return InstantiateRunner.Run(args, Console.Out, Console.Error);
        });
        return command;
    }
}
