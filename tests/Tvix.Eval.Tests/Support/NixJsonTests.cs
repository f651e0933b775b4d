using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Tvix.Eval.Support.Json;
using Xunit;

namespace Tvix.Eval.Tests.Support;

public sealed class NixJsonTests
{
    /// <summary>Builds a printable tree: Nix-like text is easy to assert on.</summary>
    private readonly struct TextFactory : INixJsonFactory<string, string>
    {
        public string Null() => "null";

        public string Boolean(bool value) => value ? "true" : "false";

        public string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

        public string Float(double value) => "f" + value.ToString("R", CultureInfo.InvariantCulture);

        public string String(ReadOnlySpan<byte> utf8) => "\"" + Encoding.UTF8.GetString(utf8) + "\"";

        public string Key(ReadOnlySpan<byte> utf8) => Encoding.UTF8.GetString(utf8);

        public string Array(ReadOnlySpan<string> items) => "[ " + string.Concat(items.ToArray().Select(i => i + " ")) + "]";

        public string Object(ReadOnlySpan<string> keys, ReadOnlySpan<string> values)
        {
            // Last duplicate wins; Nix sorts names.
            var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < keys.Length; i++) map[keys[i]] = values[i];
            return "{ " + string.Concat(map.Select(kv => kv.Key + " = " + kv.Value + "; ")) + "}";
        }
    }

    private static string Read(string json) => NixJsonReader<string, string, TextFactory>.Parse(Encoding.UTF8.GetBytes(json), default);

    [Theory]
    [InlineData("42", "42")]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "f-0")]
    [InlineData("1e3", "f1000")]
    [InlineData("1.0", "f1")]
    [InlineData("3.14159", "f3.14159")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    [InlineData("-9223372036854775808", "-9223372036854775808")]
    [InlineData("-9223372036854775809", "f-9.223372036854776E+18")]
    [InlineData("18446744073709551616", "f1.8446744073709552E+19")]
    [InlineData(" [1, 2 ,3]\n", "[ 1 2 3 ]")]
    [InlineData("{\"a\": 1, \"a\": 2}", "{ a = 2; }")]
    [InlineData("{}", "{ }")]
    [InlineData("\"\\\"\\\\\\/\\t\\n\\r\\b\\f\"", "\"\"\\/\t\n\r\b\f\"")]
    [InlineData("\"\\u00e9\\ud83d\\ude00\"", "\"é😀\"")]
    [InlineData("\"é\"", "\"é\"")]
    [InlineData("null", "null")]
    [InlineData("[true,false]", "[ true false ]")]
    public void Reads(string json, string expected) => Assert.Equal(expected, Read(json));

    [Theory]
    [InlineData("", "unexpected end")]
    [InlineData("[1,]", "expected a value")]
    [InlineData("{\"a\":1,}", "expected a string as object key")]
    [InlineData("01", "expected the end")]
    [InlineData("1.", "decimal point")]
    [InlineData("tru", "invalid literal")]
    [InlineData("[1] x", "expected the end")]
    [InlineData("\"a\nb\"", "control character")]
    [InlineData("\"\\x\"", "invalid escape")]
    [InlineData("\"\\ud800\"", "surrogate")]
    [InlineData("\"\\udc00\"", "surrogate")]
    [InlineData("// c\n1", "expected a value")]
    [InlineData("1e400", "number overflow")]
    [InlineData("{\"a\" 1}", "':'")]
    public void RejectsInvalidDocuments(string json, string messagePart)
    {
        var e = Assert.Throws<NixJsonException>(() => Read(json));
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
        Assert.Contains("line", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LargeUnsignedIntegersAreAnError()
    {
        var e = Assert.Throws<NixJsonException>(() => Read("9223372036854775808"));
        Assert.Equal("unsigned json number 9223372036854775808 outside of Nix integer range", e.Message);
    }

    [Theory]
    [InlineData("{\"a\\u0000b\": 1}")]
    [InlineData("\"a\\u0000b\"")]
    public void NulBytesAreAnError(string json)
    {
        var e = Assert.Throws<NixJsonException>(() => Read(json));
        Assert.Equal("input string 'a\u2400b' cannot be represented as Nix string because it contains null bytes", e.Message);
    }

    [Fact]
    public void InvalidUtf8InTheDocumentIsRejected()
    {
        var e = Assert.Throws<NixJsonException>(() => NixJsonReader<string, string, TextFactory>.Parse([(byte)'"', 0xFF, (byte)'"'], default));
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeepNestingFailsCleanly()
    {
        var json = new string('[', 1_000_000) + new string(']', 1_000_000);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var e = Assert.Throws<NixJsonException>(() => Read(json));
                Assert.Contains("nested too deeply", e.Message, StringComparison.Ordinal);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }, 1024 * 1024);
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }

    private static string WriteString(byte[] s)
    {
        var w = new NixJsonWriter();
        w.WriteString(s);
        return Encoding.UTF8.GetString(w.ToArray());
    }

    [Fact]
    public void StringsAreEscapedAsNlohmannDoes()
    {
        Assert.Equal("\"a\\\"b\\\\c\\b\\f\\n\\r\\t\\u0001\\u001f\u007f é\"", WriteString(Encoding.UTF8.GetBytes("a\"b\\c\b\f\n\r\t\u0001\u001f\u007f é")));
        Assert.Equal("\"foo\\n\\\"bar\\\"\"", WriteString(Encoding.UTF8.GetBytes("foo\n\"bar\"")));
        Assert.Equal("\"/\"", WriteString("/"u8.ToArray()));
    }

    /// <summary>The escaping rules one byte at a time (ASCII input), to check the vectorised search against.</summary>
    private static string ReferenceEscape(byte[] s)
    {
        var sb = new StringBuilder("\"");
        foreach (var b in s)
        {
            sb.Append(b switch
            {
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                (byte)'\b' => "\\b",
                (byte)'\f' => "\\f",
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                < 0x20 => $"\\u{b:x4}",
                _ => ((char)b).ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    [Fact]
    public void LongStringsAreEscapedWhereverTheSpecialBytesAre()
    {
        // Each special byte at every position of strings around the 16-byte blocks the search reads.
        foreach (var special in new byte[] { 0, 9, 10, 31, (byte)'"', (byte)'\\' })
        {
            for (var length = 1; length <= 50; length++)
            {
                for (var at = 0; at < length; at++)
                {
                    var s = Enumerable.Repeat((byte)'x', length).ToArray();
                    s[at] = special;
                    Assert.Equal(ReferenceEscape(s), WriteString(s));
                }
            }
        }
    }

    [Fact]
    public void BytesAboveAsciiAreNotEscapedInLongStrings()
    {
        // The search compares bytes as unsigned: UTF-8 continuation bytes are not control bytes.
        var text = string.Concat(Enumerable.Repeat("naïve é ", 8)) + "\n";
        Assert.Equal("\"" + text[..^1] + "\\n\"", WriteString(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void AsciiStringsAreEscapedAsByteByByte() =>
        Prop.ForAll(
            Gen.ArrayOf(Gen.Elements<byte>(0, 1, 9, 10, 13, 31, 32, 34, 47, 92, 97, 126, 127)).ToArbitrary(),
            s => WriteString(s) == ReferenceEscape(s)).QuickCheckThrowOnFailure();

    [Fact]
    public void InvalidUtf8IsReportedWithNlohmannsMessage()
    {
        var bytes = Encoding.UTF8.GetBytes("_invalid UTF-8: ").Concat(new byte[] { 0xFF, (byte)'_' }).ToArray();
        var e = Assert.Throws<NixJsonException>(() => WriteString(bytes));
        Assert.Equal("[json.exception.type_error.316] invalid UTF-8 byte at index 16: 0xFF", e.Message);
        e = Assert.Throws<NixJsonException>(() => WriteString([(byte)'a', 0xC3]));
        Assert.Equal("[json.exception.type_error.316] incomplete UTF-8 string; last byte: 0xC3", e.Message);
        Assert.Throws<NixJsonException>(() => WriteString([0xED, 0xA0, 0x80])); // a UTF-16 surrogate
        Assert.Throws<NixJsonException>(() => WriteString([0xC0, 0x80])); // overlong
    }

    [Theory]
    [InlineData(1.44, "1.44")]
    [InlineData(13.37, "13.37")]
    [InlineData(0.1, "0.1")]
    [InlineData(100000.0, "100000.0")]
    [InlineData(1.0, "1.0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1e20, "1e+20")]
    [InlineData(1e15, "1e+15")]
    [InlineData(1e14, "100000000000000.0")]
    [InlineData(123456789012345.6, "123456789012345.6")]
    [InlineData(1e-7, "1e-07")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(1e300, "1e+300")]
    [InlineData(1.5e-300, "1.5e-300")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(double.PositiveInfinity, "null")]
    [InlineData(double.NaN, "null")]
    public void FloatsUseNlohmannsShortestForm(double value, string expected) =>
        Assert.Equal(expected, NixJsonWriter.FormatFloat(value));

    // What nix-instantiate 2.8 prints for builtins.toJSON of each value.
    [Theory]
    [InlineData(1.44, "1.44")]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0, "1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(100000.0, "100000")]
    [InlineData(1000000.0, "1e+06")]
    [InlineData(123456789.0, "1.23457e+08")]
    [InlineData(9.9999995, "10")]
    [InlineData(1.0 / 3, "0.333333")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(1e20, "1e+20")]
    [InlineData(0.0, "0")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void FloatsBeforeNix212HaveSixSignificantDigits(double value, string expected) =>
        Assert.Equal(expected, NixJsonWriter.FormatFloatSixDigits(value));

    [Fact]
    public void FloatTextReadsBackExactly()
    {
        Prop.ForAll<double>(d =>
        {
            if (!double.IsFinite(d)) return true;
            var text = NixJsonWriter.FormatFloat(d);
            return double.Parse(text, CultureInfo.InvariantCulture).Equals(d);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void WrittenStringsReadBack()
    {
        Prop.ForAll<string>(s =>
        {
            s ??= "";
            if (s.Contains('\0') || !IsWellFormed(s)) return true;
            var bytes = Encoding.UTF8.GetBytes(s);
            var w = new NixJsonWriter();
            w.WriteString(bytes);
            return Read(Encoding.UTF8.GetString(w.ToArray())) == "\"" + s + "\"";
        }).QuickCheckThrowOnFailure();
    }

    private static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }
}
