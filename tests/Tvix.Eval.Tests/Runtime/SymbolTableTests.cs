using System.Text;
using Tvix.Eval.Runtime;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>The symbol table keeps its names in pages of 1,024: ids, lookups and names must hold across pages and index growth.</summary>
public sealed class SymbolTableTests
{
    [Fact]
    public void NamesKeepTheirIdsAcrossPagesAndGrowth()
    {
        var symbols = new SymbolTable(capacity: 4);
        var names = Enumerable.Range(0, 5000).Select(i => $"name{i * 7919 % 5000}-{i}").ToArray();
        var ids = new int[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            if (i == 2500) symbols.Reserve(20_000);
            // Alternate the two ways in: bytes and .NET strings.
            ids[i] = i % 2 == 0 ? symbols.Intern(Encoding.UTF8.GetBytes(names[i]).AsSpan()) : symbols.Intern(names[i]);
            Assert.Equal(i, ids[i]);
        }
        Assert.Equal(names.Length, symbols.Count);
        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal(ids[i], symbols.Intern(names[i]));
            Assert.Equal(ids[i], symbols.Find(Encoding.UTF8.GetBytes(names[i])));
            Assert.Equal(names[i], symbols.Text(ids[i]));
            Assert.Equal(names[i], Encoding.UTF8.GetString(symbols.Bytes(ids[i])));
            Assert.Equal(names[i], symbols.String(ids[i]).ToString());
            Assert.Same(symbols.String(ids[i]), symbols.String(ids[i]));
        }
        Assert.Equal(-1, symbols.Find("absent"));
    }

    [Fact]
    public void ComparisonOrdersByBytesAcrossPages()
    {
        var symbols = new SymbolTable();
        var names = Enumerable.Range(0, 3000).Select(i => i % 3 == 0 ? $"sharedprefix{i}" : $"n{3000 - i}é").ToArray();
        foreach (var n in names) symbols.Intern(n);
        var rng = new Random(7);
        for (var k = 0; k < 5000; k++)
        {
            int a = rng.Next(names.Length), b = rng.Next(names.Length);
            var expected = Math.Sign(Encoding.UTF8.GetBytes(names[a]).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(names[b])));
            Assert.Equal(expected, Math.Sign(symbols.CompareBytes(a, b)));
            if (symbols.SortKey(a) != symbols.SortKey(b)) Assert.Equal(expected, symbols.SortKey(a) < symbols.SortKey(b) ? -1 : 1);
        }
    }
}
