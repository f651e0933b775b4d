using System.Reflection;
using Tvix.Testing;

namespace Tvix.Store.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesSnapshot() =>
        PublicApiSnapshot.Verify(Assembly.Load(new AssemblyName("Tvix.Store")), "src/Tvix.Store");
}
