using Tvix.NixCompat;
using Tvix.NixCompat.Nar;
using Tvix.Store.Nar;

namespace Tvix.Store.Tests;

/// <summary><see cref="SingleFileNar"/> gives what the NAR writer's output hashes to.</summary>
public sealed class SingleFileNarTests
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(7, false)]
    [InlineData(8, false)]
    [InlineData(9, false)]
    [InlineData(4099, false)]
    [InlineData(5, true)]
    public async Task MatchesTheNarWriter(int length, bool executable)
    {
        var contents = Enumerable.Range(0, length).Select(i => (byte)(i * 7 + 3)).ToArray();
        using var nar = new MemoryStream();
        var writer = new NarWriter(nar);
        await using (writer)
        {
            await writer.RegularFileAsync(executable, contents);
            await writer.CompleteAsync();
        }
        var summary = SingleFileNar.Summarize(contents, executable);
        Assert.Equal((ulong)nar.Length, summary.Size);
        Assert.Equal(NixHash.Compute(NixHashAlgorithm.Sha256, nar.ToArray()), summary.Sha256);
    }
}
