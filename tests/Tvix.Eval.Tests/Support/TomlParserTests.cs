using Tvix.Eval.Support.Toml;
using Xunit;

namespace Tvix.Eval.Tests.Support;

public sealed class TomlParserTests
{
    private static TomlValue Value(string doc) => TomlParser.Parse("v = " + doc).Entries!["v"];

    [Theory]
    [InlineData("1979-05-27T07:32:00Z", "1979-05-27T07:32:00Z", "OffsetDateTime")]
    [InlineData("1979-05-27 07:32:00z", "1979-05-27T07:32:00Z", "OffsetDateTime")]
    [InlineData("1979-05-27T00:32:00.999999-07:00", "1979-05-27T00:32:00.999999-07:00", "OffsetDateTime")]
    [InlineData("1979-05-27T07:32:00+00:00", "1979-05-27T07:32:00Z", "OffsetDateTime")]
    [InlineData("1979-05-27 07:32:00.1Z", "1979-05-27T07:32:00.100Z", "OffsetDateTime")]
    [InlineData("1979-05-27t07:32:00.1234Z", "1979-05-27T07:32:00.123400Z", "OffsetDateTime")]
    [InlineData("1979-05-27 07:32:00.1234567Z", "1979-05-27T07:32:00.123456700Z", "OffsetDateTime")]
    [InlineData("1979-05-27t07:32:00.1234567891Z", "1979-05-27T07:32:00.123456789Z", "OffsetDateTime")]
    [InlineData("1979-05-27T07:32:00", "1979-05-27T07:32:00", "LocalDateTime")]
    [InlineData("1979-05-27 00:32:00.12345678", "1979-05-27T00:32:00.123456780", "LocalDateTime")]
    [InlineData("1979-05-27", "1979-05-27", "LocalDate")]
    [InlineData("07:32:00", "07:32:00", "LocalTime")]
    [InlineData("00:32:00.12", "00:32:00.120", "LocalTime")]
    [InlineData("00:32:00.0", "00:32:00", "LocalTime")]
    public void DateTimesPrintAsNixPrintsTimestamps(string toml, string nix, string kind)
    {
        var v = Value(toml);
        Assert.Equal(kind, v.Kind.ToString());
        Assert.Equal(nix, v.DateTimeValue.ToNixString());
    }

    [Theory]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("0x7FFF_FFFF_FFFF_FFFF", long.MaxValue)]
    [InlineData("0o755", 493L)]
    [InlineData("0b11010110", 214L)]
    [InlineData("+99", 99L)]
    [InlineData("1_2_3_4_5", 12345L)]
    public void Integers(string toml, long expected)
    {
        var v = Value(toml);
        Assert.Equal(TomlValueKind.Integer, v.Kind);
        Assert.Equal(expected, v.IntegerValue);
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775809")]
    [InlineData("0x8000000000000000")]
    public void IntegersOutsideInt64AreRejected(string toml)
    {
        var e = Assert.Throws<TomlException>(() => Value(toml));
        Assert.Contains("out of range", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, e.Line);
        Assert.Equal(5, e.Column);
    }

    [Theory]
    [InlineData("9_224_617.445_991_228_313", 9224617.445991228313)]
    [InlineData("-2E-2", -0.02)]
    [InlineData("5e+22", 5e22)]
    [InlineData("-inf", double.NegativeInfinity)]
    public void Floats(string toml, double expected)
    {
        var v = Value(toml);
        Assert.Equal(TomlValueKind.Float, v.Kind);
        Assert.Equal(expected, v.FloatValue);
    }

    [Fact]
    public void ErrorsNameLineAndColumn()
    {
        var e = Assert.Throws<TomlException>(() => TomlParser.Parse("a = 1\nb = \"x\ny = 2\n"));
        Assert.Equal(2, e.Line);
        Assert.Equal(5, e.Column);
        Assert.Equal("unterminated string (at line 2, column 5)", e.Message);
    }

    [Fact]
    public void TablesCannotBeDefinedTwice()
    {
        var e = Assert.Throws<TomlException>(() => TomlParser.Parse("[a]\nx = 1\n[a]\n"));
        Assert.Contains("already defined", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void InvalidUtf8IsRejected()
    {
        var e = Assert.Throws<TomlException>(() => TomlParser.Parse([(byte)'a', (byte)'=', (byte)'"', 0xFF, (byte)'"']));
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NulEscapeIsKept()
    {
        Assert.Equal("a\0b", Value("\"a\\u0000b\"").StringValue);
    }

    [Fact]
    public void ArraysOfTablesAndSubTables()
    {
        var doc = TomlParser.Parse("[[fruit]]\nname = \"apple\"\n[fruit.physical]\ncolor = \"red\"\n[[fruit.variety]]\nname = \"x\"\n[[fruit]]\nname = \"banana\"\n");
        var fruit = doc.Entries!["fruit"].Items!;
        Assert.Equal(2, fruit.Count);
        Assert.Equal("red", fruit[0].Entries!["physical"].Entries!["color"].StringValue);
        Assert.Single(fruit[0].Entries!["variety"].Items!);
        Assert.Equal("banana", fruit[1].Entries!["name"].StringValue);
    }
}
