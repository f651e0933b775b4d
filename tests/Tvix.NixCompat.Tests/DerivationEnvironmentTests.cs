using Tvix.NixCompat.Derivations;

namespace Tvix.NixCompat.Tests;

public sealed class DerivationEnvironmentTests
{
    [Fact]
    public void KeepsVariablesInByteOrderWhateverTheInsertionOrder()
    {
        var random = new Random(3);
        var environment = new DerivationEnvironment();
        var reference = new SortedDictionary<ByteString, ByteString>();
        for (var i = 0; i < 500; i++)
        {
            var key = new ByteString([(byte)random.Next(256), (byte)random.Next(4)]);
            var value = ByteString.FromUtf8(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            switch (random.Next(4))
            {
                case 0:
                    Assert.Equal(reference.TryAdd(key, value), environment.TryAdd(key, value));
                    break;
                case 1:
                    Assert.Equal(reference.Remove(key), environment.Remove(key));
                    break;
                default:
                    reference[key] = value;
                    environment[key] = value;
                    break;
            }
            Assert.Equal(reference.Count, environment.Count);
        }
        Assert.Equal(reference.ToList(), environment.ToList());
        foreach (var (key, value) in reference)
        {
            Assert.True(environment.ContainsKey(key));
            Assert.True(environment.TryGetValue(key, out var found));
            Assert.Equal(value, found);
            Assert.Equal(value, environment[key]);
        }
        var missing = ByteString.FromUtf8("not there");
        Assert.False(environment.TryGetValue(missing, out _));
        Assert.Throws<KeyNotFoundException>(() => environment[missing]);
    }
}
