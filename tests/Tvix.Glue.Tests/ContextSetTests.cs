using Tvix.Glue.Builtins;

namespace Tvix.Glue.Tests;

/// <summary>The context set: first-added order, duplicates dropped, below and past the size where it starts hashing.</summary>
public sealed class ContextSetTests
{
    [Theory]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(60)]
    public void KeepsEachElementOnceInFirstAddedOrder(int distinct)
    {
        var set = new ContextSet();
        var expected = new List<string>();
        for (var i = 0; i < distinct; i++)
        {
            var element = "=/nix/store/" + i;
            set.Add(element);
            expected.Add(element);
            // Equal strings that are other instances, and earlier elements again.
            set.Add(new string(element.AsSpan()));
            set.Add(expected[i / 2]);
        }
        Assert.Equal(distinct, set.Count);
        for (var i = 0; i < distinct; i++) Assert.Equal(expected[i], set[i]);
    }
}
