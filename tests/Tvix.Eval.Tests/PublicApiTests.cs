using System.Reflection;
using Tvix.Testing;

namespace Tvix.Eval.Tests;

public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesSnapshot() =>
        PublicApiSnapshot.Verify(Assembly.Load(new AssemblyName("Tvix.Eval")), "src/Tvix.Eval");
}
