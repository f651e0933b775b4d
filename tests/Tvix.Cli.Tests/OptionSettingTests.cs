using Tvix.Cli.Commands;
using Tvix.Eval;

namespace Tvix.Cli.Tests;

/// <summary>
/// <c>--option NAME VALUE</c> of <c>tvix eval</c> and <c>tvix instantiate</c>: the Nix settings that
/// change evaluation take effect, a bad value is an error naming the setting, and any other
/// setting is reported as ignored rather than dropped in silence.
/// </summary>
public sealed class OptionSettingTests
{
    private static (EvalArguments Args, EvaluatorOptions Options, string Log) Apply(params string[] argv)
    {
        var (args, error) = EvalArguments.Parse(argv);
        Assert.Null(error);
        var options = new EvaluatorOptions { IO = new InMemoryEvalIO() };
        var log = new StringWriter();
        args!.ApplyTo(options, log);
        return (args, options, log.ToString());
    }

    [Fact]
    public void SystemSetsCurrentSystem()
    {
        var (_, options, log) = Apply("--option", "system", "aarch64-linux");
        var evaluator = new Evaluator(options);
        var result = evaluator.EvaluateString("builtins.currentSystem", "/");
        Assert.True(result.Success, result.Error?.Message);
        Assert.Equal("aarch64-linux", evaluator.Run(cx => cx.ForceString(result.Value).ToString()));
        Assert.Equal("", log);
    }

    [Fact]
    public void ShowTraceAndMaxCallDepthAreApplied()
    {
        var (args, options, _) = Apply("--option", "show-trace", "true", "--option", "max-call-depth", "50");
        Assert.True(args.ShowTrace);
        Assert.Equal(50, options.MaxCallDepth);
        Assert.False(Apply("--show-trace", "--option", "show-trace", "false").Args.ShowTrace);
    }

    [Fact]
    public void ExperimentalFeaturesReplaceAndExtraAdds()
    {
        var (_, options, _) = Apply("--extra-experimental-features", "a b", "--option", "experimental-features", "c", "--option", "extra-experimental-features", "d");
        Assert.Equal(["c", "d"], options.ExperimentalFeatures.Order().ToArray());
    }

    [Fact]
    public void OtherSettingsAreIgnoredWithAWarning()
    {
        var (_, _, log) = Apply("--option", "sandbox", "false");
        Assert.Equal("warning: ignoring the setting 'sandbox': tvix does not implement it\n", log.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(new[] { "--option", "show-trace", "yes" }, "setting 'show-trace' expects true or false, not 'yes'")]
    [InlineData(new[] { "--option", "max-call-depth", "0" }, "setting 'max-call-depth' expects a positive integer, not '0'")]
    [InlineData(new[] { "--option", "system" }, "flag '--option' requires an argument")]
    public void BadValuesAreErrors(string[] argv, string message)
    {
        var (args, error) = EvalArguments.Parse(argv);
        Assert.Null(args);
        Assert.Equal(message, error);
    }
}
