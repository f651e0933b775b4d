using Tvix.Cli.Commands;
using Tvix.Eval;

namespace Tvix.Cli.Tests;

/// <summary>
/// <c>--json-floats current|legacy</c> chooses how <c>builtins.toJSON</c> writes floats: as current
/// Nix does (the default) or as Nix before 2.12 did, whose form decides Nix 2.8's <c>.drv</c> path
/// of anything holding such JSON (NixOS's <c>options.json</c>).
/// </summary>
public sealed class JsonFloatsOptionTests
{
    private static string ToJson(params string[] argv)
    {
        var (args, error) = EvalArguments.Parse(argv);
        Assert.Null(error);
        var options = new EvaluatorOptions { IO = new InMemoryEvalIO() };
        args!.ApplyTo(options, TextWriter.Null);
        var evaluator = new Evaluator(options);
        var result = evaluator.EvaluateString("builtins.toJSON [ 1.0 0.1 (1.0 / 3) 100000.0 ]", "/");
        Assert.True(result.Success, result.Error?.Message);
        return evaluator.Run(cx => cx.ForceString(result.Value).ToString());
    }

    [Fact]
    public void CurrentNixsFormIsTheDefault()
    {
        Assert.Equal("[1.0,0.1,0.3333333333333333,100000.0]", ToJson());
        Assert.Equal("[1.0,0.1,0.3333333333333333,100000.0]", ToJson("--json-floats", "current"));
    }

    [Fact]
    public void LegacyGivesNix28sForm() =>
        Assert.Equal("[1,0.1,0.333333,100000]", ToJson("--json-floats", "legacy"));

    [Theory]
    [InlineData(new[] { "--json-floats", "old" }, "--json-floats takes 'current' or 'legacy', not 'old'")]
    [InlineData(new[] { "--json-floats" }, "flag '--json-floats' requires an argument")]
    public void AnythingElseIsAnError(string[] argv, string message)
    {
        var (args, error) = EvalArguments.Parse(argv);
        Assert.Null(args);
        Assert.Equal(message, error);
    }
}
