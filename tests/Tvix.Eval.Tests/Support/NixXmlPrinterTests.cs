using System.Text;
using Tvix.Eval.Support.Xml;
using Tvix.Testing;
using Xunit;

namespace Tvix.Eval.Tests.Support;

public sealed class NixXmlPrinterTests
{
    /// <summary>A tiny value model: string, long, double, bool, null, object[] (list), Attrs, Lambda.</summary>
    private sealed record Attrs(params (string Name, object? Value)[] Items)
    {
        /// <summary>Where each item (in <see cref="Items"/>' order) was defined, when known.</summary>
        public XmlPosition?[]? Positions { get; init; }
    }

    private sealed record Lambda(string? Arg, bool HasFormals, bool Ellipsis, params string[] Formals)
    {
        public XmlPosition? Position { get; init; }
    }

    private sealed record PathValue(string Path);

    private readonly struct Source : INixXmlSource<object?>
    {
        public XmlValueKind Classify(object? value) => value switch
        {
            null => XmlValueKind.Null,
            string => XmlValueKind.String,
            PathValue => XmlValueKind.Path,
            long => XmlValueKind.Integer,
            double => XmlValueKind.Float,
            bool => XmlValueKind.Boolean,
            object?[] => XmlValueKind.List,
            Attrs => XmlValueKind.Attrs,
            Lambda => XmlValueKind.Lambda,
            _ => XmlValueKind.PrimOp,
        };

        public ReadOnlyMemory<byte> GetString(object? value) => Encoding.UTF8.GetBytes(value is PathValue p ? p.Path : (string)value!);

        public long GetInteger(object? value) => (long)value!;

        public double GetFloat(object? value) => (double)value!;

        public bool GetBoolean(object? value) => (bool)value!;

        public int GetListCount(object? value) => ((object?[])value!).Length;

        public object? GetListItem(object? value, int index) => ((object?[])value!)[index];

        public int GetAttrCount(object? value) => ((Attrs)value!).Items.Length;

        public (ReadOnlyMemory<byte> Name, object? Value) GetAttr(object? value, int index)
        {
            var sorted = ((Attrs)value!).Items.OrderBy(i => i.Name, StringComparer.Ordinal).ToArray();
            return (Encoding.UTF8.GetBytes(sorted[index].Name), sorted[index].Value);
        }

        public bool TryGetAttr(object? value, ReadOnlySpan<byte> name, out object? result)
        {
            var n = Encoding.UTF8.GetString(name);
            foreach (var (k, v) in ((Attrs)value!).Items)
            {
                if (k == n) { result = v; return true; }
            }
            result = null;
            return false;
        }

        public XmlPosition? GetAttrPosition(object? value, int index)
        {
            var attrs = (Attrs)value!;
            var order = Enumerable.Range(0, attrs.Items.Length).OrderBy(i => attrs.Items[i].Name, StringComparer.Ordinal).ToArray();
            return attrs.Positions?[order[index]];
        }

        public XmlPosition? GetLambdaPosition(object? value) => ((Lambda)value!).Position;

        public XmlLambdaShape GetLambda(object? value)
        {
            var l = (Lambda)value!;
            return new XmlLambdaShape(l.Arg == null ? null : Encoding.UTF8.GetBytes(l.Arg), l.HasFormals, l.Ellipsis, l.Formals.Select(Encoding.UTF8.GetBytes).ToArray());
        }
    }

    private static string Print(object? value, bool location = false) =>
        Encoding.UTF8.GetString(NixXmlPrinter.Print<object?, Source>(value, default, location));

    [SharedFact]
    public void MatchesNixsXmlConformanceCase()
    {
        var value = new Attrs(
            ("x", 123L),
            ("y", 567.890),
            ("a", "foo"),
            ("b", "bar"),
            ("c", "foobar"),
            ("f", new Lambda(null, true, false, "z", "x", "y")),
            ("id", new Lambda("x", false, false)),
            ("at", new Lambda("args", true, false, "x", "y", "z")),
            ("ellipsis", new Lambda(null, true, true, "x", "y", "z")));
        var expected = File.ReadAllText(TestPaths.Shared("conformance", "cases", "nix", "lang", "eval-okay-xml.exp.xml"));
        Assert.Equal(expected, Print(value));
    }

    [Fact]
    public void ADocumentLargerThanTheWritersChunksComesOutWhole()
    {
        // Several MB across the writer's pooled chunks, with escapes split across their edges.
        var items = new object?[60_000];
        for (var i = 0; i < items.Length; i++) items[i] = i % 3 == 0 ? $"item {i} & <more> \"text\" to fill the chunks {new string('x', i % 97)}" : (long)i;
        var expected = new StringBuilder("<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <list>\n");
        foreach (var item in items)
        {
            if (item is string text)
                expected.Append("    <string value=\"").Append(text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;")).Append("\" />\n");
            else
                expected.Append("    <int value=\"").Append(item).Append("\" />\n");
        }
        expected.Append("  </list>\n</expr>\n");
        var xml = Print(items);
        Assert.True(xml.Length > 3_000_000);
        Assert.Equal(expected.ToString(), xml);
    }

    [Fact]
    public void ListAndEmptySet()
    {
        Assert.Equal(
            "<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <list>\n    <string value=\"ab\" />\n    <int value=\"10\" />\n    <attrs>\n      <attr name=\"x\">\n        <string value=\"x\" />\n      </attr>\n      <attr name=\"y\">\n        <string value=\"x\" />\n      </attr>\n    </attrs>\n  </list>\n</expr>\n",
            Print(new object?[] { "ab", 10L, new Attrs(("x", "x"), ("y", "x")) }));
        Assert.Equal("<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <attrs>\n  </attrs>\n</expr>\n", Print(new Attrs()));
    }

    [Fact]
    public void IntegersAreWrittenInDecimalWhateverTheirSize()
    {
        // Integers are formatted straight into the document (no string per value).
        Assert.Equal(
            "<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <list>\n    <int value=\"0\" />\n    <int value=\"-5\" />\n" +
            "    <int value=\"-9223372036854775808\" />\n    <int value=\"9223372036854775807\" />\n  </list>\n</expr>\n",
            Print(new object?[] { 0L, -5L, long.MinValue, long.MaxValue }));
    }

    [Fact]
    public void ScalarsAndEscaping()
    {
        var xml = Print(new object?[] { null, true, false, 1e20, 0.1, -0.0, 1e-7, 100000.0, 1000000.0, new PathValue("/a&b"), "<\"a\" & 'b'>\n\t\r", "é" });
        Assert.Equal(
            "<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <list>\n    <null />\n    <bool value=\"true\" />\n    <bool value=\"false\" />\n" +
            "    <float value=\"1e+20\" />\n    <float value=\"0.1\" />\n    <float value=\"-0\" />\n    <float value=\"1e-07\" />\n    <float value=\"100000\" />\n    <float value=\"1e+06\" />\n" +
            "    <path value=\"/a&amp;b\" />\n    <string value=\"&lt;&quot;a&quot; &amp; 'b'&gt;&#xA;\t\r\" />\n    <string value=\"é\" />\n  </list>\n</expr>\n",
            xml);
    }

    [Fact]
    public void DerivationsArePrintedOnceThenRepeated()
    {
        var drv = new Attrs(("type", "derivation"), ("name", "x"), ("drvPath", "/nix/store/a-x.drv"), ("outPath", "/nix/store/b-x"));
        var noDrvPath = new Attrs(("type", "derivation"), ("outPath", "/nix/store/c"));
        Assert.Equal(
            "<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <list>\n" +
            "    <derivation drvPath=\"/nix/store/a-x.drv\" outPath=\"/nix/store/b-x\">\n" +
            "      <attr name=\"drvPath\">\n        <string value=\"/nix/store/a-x.drv\" />\n      </attr>\n" +
            "      <attr name=\"name\">\n        <string value=\"x\" />\n      </attr>\n" +
            "      <attr name=\"outPath\">\n        <string value=\"/nix/store/b-x\" />\n      </attr>\n" +
            "      <attr name=\"type\">\n        <string value=\"derivation\" />\n      </attr>\n" +
            "    </derivation>\n" +
            "    <derivation drvPath=\"/nix/store/a-x.drv\" outPath=\"/nix/store/b-x\">\n      <repeated />\n    </derivation>\n" +
            "    <derivation outPath=\"/nix/store/c\">\n      <repeated />\n    </derivation>\n" +
            "  </list>\n</expr>\n",
            Print(new object?[] { drv, drv, noDrvPath }));
    }

    [Fact]
    public void FunctionsWithNameAndEllipsisAndPrimops()
    {
        Assert.Equal(
            "<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <list>\n    <function>\n      <attrspat ellipsis=\"1\" name=\"a\">\n        <attr name=\"b\" />\n      </attrspat>\n    </function>\n    <unevaluated />\n  </list>\n</expr>\n",
            Print(new object?[] { new Lambda("a", true, true, "b"), new object() }));
    }

    [Fact]
    public void LocationsGoOnAttributesAndFunctionsWhenKnown()
    {
        // Shaped like `nix-instantiate --eval --xml` of `{ f = x: x; n = 1; }` in /t/a.nix; the
        // attribute without a known position gets none, toXML-style printing gets none at all.
        var value = new Attrs(("f", new Lambda("x", false, false) { Position = new XmlPosition("/t/a.nix"u8.ToArray(), 1, 7) }), ("n", 1L), ("m", 2L))
        {
            Positions = [new XmlPosition("/t/a.nix"u8.ToArray(), 1, 3), new XmlPosition("/t/a.nix"u8.ToArray(), 1, 13), null],
        };
        Assert.Equal(
            "<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <attrs>\n" +
            "    <attr column=\"3\" line=\"1\" name=\"f\" path=\"/t/a.nix\">\n" +
            "      <function column=\"7\" line=\"1\" path=\"/t/a.nix\">\n        <varpat name=\"x\" />\n      </function>\n" +
            "    </attr>\n" +
            "    <attr name=\"m\">\n      <int value=\"2\" />\n    </attr>\n" +
            "    <attr column=\"13\" line=\"1\" name=\"n\" path=\"/t/a.nix\">\n      <int value=\"1\" />\n    </attr>\n" +
            "  </attrs>\n</expr>\n",
            Print(value, location: true));
        Assert.DoesNotContain("line=", Print(value));
    }
}
