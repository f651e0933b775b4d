using System.Reflection;
using Tvix.Testing;

namespace Tvix.NixCompat.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesSnapshot() =>
        PublicApiSnapshot.Verify(Assembly.Load(new AssemblyName("Tvix.NixCompat")), "src/Tvix.NixCompat");
}
