using Tvix.Eval.Compiler;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Compiler;

/// <summary>The compiler's record of <c>let</c> slots that hold a known builtin (NixCompiler.BuiltinConstant).</summary>
public sealed class ScopeTests
{
    [Fact]
    public void ConstantsAreFoundBySlotAndALaterRecordWins()
    {
        var scope = new Scope(null);
        Assert.False(scope.TryGetConstant(0, out _));
        // More than the first arrays hold, so that they grow.
        for (var slot = 0; slot < 10; slot++) scope.SetConstant(slot, Value.FromInt(slot * 10));
        scope.SetConstant(3, Value.FromInt(333));
        for (var slot = 0; slot < 10; slot++)
        {
            Assert.True(scope.TryGetConstant(slot, out var value));
            Assert.Equal(slot == 3 ? 333 : slot * 10, value.AsInt);
        }
        Assert.False(scope.TryGetConstant(10, out _));
    }

    [Fact]
    public void AFrozenCopyKeepsTheConstantsOfItsTime()
    {
        var scope = new Scope(null);
        scope.SetConstant(1, Value.FromInt(1));
        var frozen = scope.Freeze();
        scope.SetConstant(2, Value.FromInt(2));
        scope.SetConstant(1, Value.FromInt(11));
        Assert.True(frozen.TryGetConstant(1, out var one));
        Assert.Equal(1, one.AsInt);
        Assert.False(frozen.TryGetConstant(2, out _));
    }

    [Theory]
    [InlineData("let inherit (builtins) length head; in length [ 1 2 3 ] + head [ 4 ]", "7")]
    [InlineData("let inherit (builtins) length; length2 = length; in length2 [ 1 ]", "1")]
    [InlineData("let inherit (builtins) length; in let length = x: 5; in length [ ]", "5")]
    public void InheritedBuiltinsAreCalledAsBefore(string source, string expected) =>
        Assert.Equal(expected, Nix(source));
}
