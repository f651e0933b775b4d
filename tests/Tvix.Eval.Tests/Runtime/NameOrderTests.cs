using FsCheck;
using FsCheck.Fluent;
using Tvix.Eval.Runtime;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// Attribute names are ordered by their bytes (attrNames, printing, toJSON). The fast path sorts
/// integer keys made of a name's first 8 bytes and compares whole names only on ties; these
/// properties check it against a plain ordinal byte sort.
/// </summary>
public sealed class NameOrderTests
{
    private static readonly byte[] Alphabet = [0, 1, (byte)'a', (byte)'b', (byte)'z', 0x7f, 0x80, 0xff];

    // Names from a small alphabet and a shared prefix, so that equal 8-byte prefixes, names that
    // are prefixes of others, NUL bytes and bytes above 0x7f all occur often.
    private static byte[] MakeName(int[] digits, int sharedPrefix)
    {
        var name = new byte[sharedPrefix + digits.Length];
        for (var i = 0; i < sharedPrefix; i++) name[i] = (byte)'p';
        for (var i = 0; i < digits.Length; i++) name[sharedPrefix + i] = Alphabet[Math.Abs(digits[i] % Alphabet.Length)];
        return name;
    }

    private static int CompareOrdinal(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    [Fact]
    public void SortByBytesAgreesWithOrdinalOrder() =>
        Prop.ForAll<int[][], byte>((rawNames, prefix) =>
        {
            var symbols = new SymbolTable();
            var shared = prefix % 12;
            var keys = rawNames.Where(r => r is not null).Select(r => symbols.Intern(MakeName(r, shared))).Distinct().Order().ToArray();
            var order = NixAttrs.SortByBytes(symbols, keys);
            var got = order.Select(i => symbols.Bytes(keys[i])).ToArray();
            var expected = keys.Select(symbols.Bytes).ToArray();
            Array.Sort(expected, CompareOrdinal);
            return got.Length == expected.Length && got.Zip(expected).All(p => p.First.AsSpan().SequenceEqual(p.Second));
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void CompareBytesAgreesWithOrdinalComparison() =>
        Prop.ForAll<int[], int[], byte>((a, b, prefix) =>
        {
            var symbols = new SymbolTable();
            var na = MakeName(a ?? [], prefix % 12);
            var nb = MakeName(b ?? [], prefix % 12);
            var x = symbols.Intern(na);
            var y = symbols.Intern(nb);
            return Math.Sign(symbols.CompareBytes(x, y)) == Math.Sign(CompareOrdinal(na, nb));
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void AttrNamesOfALargeSetAreSortedByBytes()
    {
        var names = Enumerable.Range(0, 3000).Select(i => $"package{i % 7}-{i * 7919 % 3001}").Distinct().ToList();
        var entries = string.Join(" ", names.Select(n => $"{{ name = \"{n}\"; value = 1; }}"));
        var got = EvalHelper.Nix($"builtins.attrNames (builtins.listToAttrs [ {entries} ])");
        var expected = "[ " + string.Concat(names.Order(StringComparer.Ordinal).Select(n => $"\"{n}\" ")) + "]";
        Assert.Equal(expected, got);
    }
}
