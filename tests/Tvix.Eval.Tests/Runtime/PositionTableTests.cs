using FsCheck;
using FsCheck.Fluent;
using Tvix.Eval.Runtime;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>Attribute positions are stored as numbers; each must turn back into its source and offset.</summary>
public sealed class PositionTableTests
{
    [Fact]
    public void PositionsResolveToTheirSourceAndOffset() =>
        Prop.ForAll<int[], int[]>((sizes, picks) =>
        {
            var table = new PositionTable();
            var sources = (sizes ?? []).Take(20).Select((n, i) => SourceText.From(new string('x', Math.Abs(n % 500)), $"s{i}")).ToArray();
            if (sources.Length == 0) return !table.Resolve(default).HasValue;
            // Record positions in an interleaved order, then resolve them all.
            var recorded = new List<(SourceText Source, int Offset, AttrPos Position)>();
            foreach (var p in picks ?? [])
            {
                var source = sources[Math.Abs(p % sources.Length)];
                var offset = Math.Abs(p / 7 % (source.Bytes.Length + 1));
                recorded.Add((source, offset, table.Get(source, offset)));
            }
            return recorded.All(r => table.Resolve(r.Position) is { } at && ReferenceEquals(at.Source, r.Source) && at.Offset == r.Offset)
                && !table.Resolve(default).HasValue;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void AnOffsetOutsideTheSourceHasNoPosition()
    {
        var table = new PositionTable();
        var source = SourceText.From("abc");
        Assert.False(table.Get(source, 4).IsKnown);
        Assert.False(table.Get(source, -1).IsKnown);
        Assert.Equal((source, 3), table.Resolve(table.Get(source, 3))!.Value);
    }
}
