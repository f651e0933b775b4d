using System.Reflection;
using Tvix.Testing;

namespace Tvix.Glue.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesSnapshot() =>
        PublicApiSnapshot.Verify(Assembly.Load(new AssemblyName("Tvix.Glue")), "src/Tvix.Glue");
}
