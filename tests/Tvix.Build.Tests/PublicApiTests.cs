using System.Reflection;
using Tvix.Testing;

namespace Tvix.Build.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesSnapshot() =>
        PublicApiSnapshot.Verify(Assembly.Load(new AssemblyName("Tvix.Build")), "src/Tvix.Build");
}
