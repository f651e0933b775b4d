using FsCheck;
using FsCheck.Fluent;
using Tvix.Eval.Support;
using Xunit;

namespace Tvix.Eval.Tests.Support;

public sealed class IntSpansTests
{
    [Fact]
    public void ContainsAgreesWithTheFrameworksContains() =>
        Prop.ForAll(Gen.Choose(-5, 5).ArrayOf().ToArbitrary(), Gen.Choose(-6, 6).ToArbitrary(),
            (values, value) => IntSpans.Contains(values, value) == values.AsSpan().Contains(value))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    [Fact]
    public void EmptySpanContainsNothing() => Assert.False(IntSpans.Contains([], 0));
}
