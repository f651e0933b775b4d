using System.Reflection;
using Tvix.Testing;

namespace Tvix.CAStore.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesSnapshot() =>
        PublicApiSnapshot.Verify(Assembly.Load(new AssemblyName("Tvix.CAStore")), "src/Tvix.CAStore");
}
