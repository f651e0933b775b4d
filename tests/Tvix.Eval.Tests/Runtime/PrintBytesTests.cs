using Xunit;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// Printing writes Nix strings byte for byte (found by the differential tester: half of a
/// UTF-8 character printed as U+FFFD), and <c>toString</c> of floats without digits follows C's
/// <c>%f</c>. Expected bytes checked with C++ Nix 2.8.
/// </summary>
public sealed class PrintBytesTests
{
    private static byte[] PrintUtf8(string code)
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString(code, "/base");
        Assert.True(result.Success, result.Error?.Message);
        return evaluator.Run(cx => cx.PrintUtf8(result.Value, strict: true));
    }

    [Theory]
    [InlineData("builtins.substring 0 1 \"é\"", new byte[] { (byte)'"', 0xC3, (byte)'"' })]
    [InlineData("builtins.substring 2 1000 \"日本語\"", new byte[] { (byte)'"', 0xA5, 0xE6, 0x9C, 0xAC, 0xE8, 0xAA, 0x9E, (byte)'"' })]
    [InlineData("{ ${builtins.substring 0 1 \"é\"} = 1; }", new byte[] { (byte)'{', (byte)' ', (byte)'"', 0xC3, (byte)'"', (byte)' ', (byte)'=', (byte)' ', (byte)'1', (byte)';', (byte)' ', (byte)'}' })]
    public void InvalidUtf8IsPrintedAsItsBytes(string code, byte[] expected) => Assert.Equal(expected, PrintUtf8(code));

    [Fact]
    public void ValidTextPrintsTheSameAsText() =>
        Assert.Equal("[ \"héllo ☃\" 1 ]"u8.ToArray(), PrintUtf8("[ \"héllo ☃\" 1 ]"));

    [Theory]
    [InlineData("toString (1.0e308 * 10.0)", "\"inf\"")]
    [InlineData("toString (-(1.0e308 * 10.0))", "\"-inf\"")]
    [InlineData("toString (1.0e308 * 10.0 - 1.0e308 * 10.0)", "\"-nan\"")]
    [InlineData("toString 1.5", "\"1.500000\"")]
    [InlineData("[ (1.0e308 * 10.0) (-(1.0e308 * 10.0)) ]", "[ inf -inf ]")]
    public void FloatsWithoutDigits(string code, string expected) => Assert.Equal(expected, Nix(code));
}
