using System.CommandLine;

namespace Tvix.Cli.Commands;

/// <summary>
/// <c>tvix eval</c>: evaluate a Nix expression like <c>nix-instantiate --eval</c>. Its options
/// follow Nix's conventions (<c>--arg NAME EXPR</c> takes two words), so it parses its own
/// arguments (see <see cref="EvalArguments"/>).
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval", "Evaluate a Nix expression, like nix-instantiate --eval.\n" + EvalArguments.Usage)
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        var rest = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore, Hidden = true };
        command.Arguments.Add(rest);
        command.SetAction(parse =>
        {
            var tokens = new List<string>(parse.GetValue(rest) ?? []);
            tokens.AddRange(parse.UnmatchedTokens);
            // Keep the order the user wrote: re-read the raw tokens after "eval".
            var raw = parse.Tokens.Select(t => t.Value).ToList();
            var idx = raw.IndexOf("eval");
            var args = idx >= 0 ? raw.Skip(idx + 1).ToList() : tokens;
            return EvalRunner.Run(args, Console.Out, Console.Error);
        });
        return command;
    }
}
