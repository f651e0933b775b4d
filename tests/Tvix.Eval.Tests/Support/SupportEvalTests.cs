using Tvix.Eval.Tests.Runtime;
using Xunit;

namespace Tvix.Eval.Tests.Support;

/// <summary>The support builtins evaluated from Nix source.</summary>
public sealed class SupportEvalTests
{
    [Theory]
    [InlineData("builtins.match \"(.*)\\\\.nix\" \"foobar.nix\"", "[ \"foobar\" ]")]
    [InlineData("builtins.split \"(a)|b\" \"xaybz\"", "[ \"x\" [ \"a\" ] \"y\" [ null ] \"z\" ]")]
    [InlineData("map (builtins.match \"[[:digit:]]+\") [ \"12\" \"a1\" ]", "[ [ ] null ]")]
    [InlineData("builtins.splitVersion \"1.2.0_pre23\"", "[ \"1\" \"2\" \"0\" \"_pre\" \"23\" ]")]
    [InlineData("builtins.compareVersions \"2.3\" \"2.3pre\"", "1")]
    [InlineData("(builtins.parseDrvName \"hello-1.0.2\").version", "\"1.0.2\"")]
    [InlineData("builtins.hashString \"sha1\" \"abc\"", "\"a9993e364706816aba3e25717850c26c9cd0d89d\"")]
    [InlineData("builtins.convertHash { hash = \"sha1-qZk+NkcGgWq6PiVxeFDCbJzQ2J0=\"; toHashFormat = \"base16\"; }", "\"a9993e364706816aba3e25717850c26c9cd0d89d\"")]
    [InlineData("builtins.toJSON (builtins.fromJSON ''{\"b\": [1, 2.5, \"x\", null], \"a\": {}}'')", "\"{\\\"a\\\":{},\\\"b\\\":[1,2.5,\\\"x\\\",null]}\"")]
    [InlineData("builtins.toJSON { outPath = \"/nix/store/x\"; type = \"derivation\"; }", "\"\\\"/nix/store/x\\\"\"")]
    [InlineData("builtins.toJSON [ 0.1 1.0e20 100000.0 (1.0 / 3) ]", "\"[0.1,1e+20,100000.0,0.3333333333333333]\"")]
    [InlineData("builtins.fromTOML ''\n[a.b]\nc = 1\n[[d]]\ne = \"f\"\n''", "{ a = { b = { c = 1; }; }; d = [ { e = \"f\"; } ]; }")]
    [InlineData("let a = b * 2; b = 21; in builtins.toJSON [ a ((n: n * 2) 21) (builtins.toJSON a) ]", "\"[42,42,\\\"42\\\"]\"")]
    public void Evaluates(string code, string expected) => Assert.Equal(expected, EvalHelper.Nix(code));

    // toJSON writes the shortest exact form of a float, as current Nix does (2.12 on), whatever
    // the reported version; the form of Nix before 2.12 is an option.
    [Theory]
    [InlineData(false, "\"[0.1,1e+20,100000.0,0.3333333333333333,1.0]\"")]
    [InlineData(true, "\"[0.1,1e+20,100000,0.333333,1]\"")]
    public void ToJsonFloatsFollowTheOption(bool legacy, string expected) =>
        Assert.Equal(expected, EvalHelper.Nix("builtins.toJSON [ 0.1 1.0e20 100000.0 (1.0 / 3) 1.0 ]",
            new EvaluatorOptions { IO = new InMemoryEvalIO(), NixVersion = "2.8.0", LegacyJsonFloats = legacy }));

    [Theory]
    [InlineData("builtins.toJSON (builtins.throw \"a\")")]
    [InlineData("builtins.toJSON { a.b.c = builtins.throw \"deep\"; }")]
    [InlineData("builtins.toXML { x = 1; y = builtins.throw \"x\"; }")]
    [InlineData("builtins.fromJSON (builtins.throw \"a\")")]
    [InlineData("builtins.match (builtins.throw \"a\") \"b\"")]
    [InlineData("builtins.splitVersion (builtins.throw \"a\")")]
    [InlineData("builtins.fromTOML (builtins.throw \"a\")")]
    public void CatchableErrorsPropagate(string code) =>
        Assert.Equal("false", EvalHelper.Nix($"(builtins.tryEval ({code})).success"));

    [Fact]
    public void ToXmlShowsFunctionPatterns()
    {
        var xml = EvalHelper.Nix("builtins.toXML { at = args@{ x, y ? 1, ... }: x; after = { b, a }@self: a; id = x: x; p = builtins.add; }");
        Assert.Equal(
            "\"<?xml version='1.0' encoding='utf-8'?>\\n<expr>\\n  <attrs>\\n" +
            "    <attr name=\\\"after\\\">\\n      <function>\\n        <attrspat name=\\\"self\\\">\\n          <attr name=\\\"a\\\" />\\n          <attr name=\\\"b\\\" />\\n        </attrspat>\\n      </function>\\n    </attr>\\n" +
            "    <attr name=\\\"at\\\">\\n      <function>\\n        <attrspat ellipsis=\\\"1\\\" name=\\\"args\\\">\\n          <attr name=\\\"x\\\" />\\n          <attr name=\\\"y\\\" />\\n        </attrspat>\\n      </function>\\n    </attr>\\n" +
            "    <attr name=\\\"id\\\">\\n      <function>\\n        <varpat name=\\\"x\\\" />\\n      </function>\\n    </attr>\\n" +
            "    <attr name=\\\"p\\\">\\n      <unevaluated />\\n    </attr>\\n" +
            "  </attrs>\\n</expr>\\n\"",
            xml);
    }

    [Theory]
    [InlineData("builtins.split \"f(o*o\" \"1foo2\"", "invalid regular expression 'f(o*o'")]
    [InlineData("builtins.hashString \"foo\" \"content\"", "unknown hash algorithm 'foo', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'")]
    [InlineData("builtins.toJSON { __toString = self: 42; }", "`__toString` should return a string, but got an integer: 42")]
    [InlineData("builtins.toJSON { __toString = 42; }", "attempt to call something which is not a function but an integer: 42")]
    [InlineData("builtins.fromJSON ''{\"a\\u0000b\": 1}''", "input string 'a\u2400b' cannot be represented as Nix string because it contains null bytes")]
    [InlineData("builtins.fromTOML ''attr = 9223372036854775808''", "while parsing TOML: integer '9223372036854775808' is out of range (a 64-bit signed integer must be < 2^63 and >= -2^63) (at line 1, column 8)")]
    [InlineData("builtins.toJSON (x: x)", "cannot convert a function to JSON")]
    [InlineData("builtins.fromTOML ''k = \"a\\u0000b\"''", "while parsing TOML: error: input string 'a\u2400b' cannot be represented as Nix string because it contains null bytes")]
    public void Errors(string code, string message)
    {
        var (actual, _, _, catchable) = EvalHelper.EvalError(code);
        Assert.Equal(message, actual);
        Assert.False(catchable);
    }

    [Fact]
    public void XmlWithLocationsMatchesNixInstantiate()
    {
        // Expected: `nix-instantiate --eval --xml --strict` (C++ Nix 2.8) of this file, with its path.
        var dir = Directory.CreateTempSubdirectory("tvix-xml-");
        try
        {
            var file = Path.Combine(dir.FullName, "x.nix");
            File.WriteAllText(file, "{ f = x: x; g = { a, b ? 1, ... }@args: a; n = [ 1 (y: y) ];\n  p = builtins.map; }\n");
            var evaluator = new Evaluator();
            var result = evaluator.EvaluateFile(file);
            Assert.True(result.Success);
            var at = $"path=\"{file}\"";
            Assert.Equal(
                "<?xml version='1.0' encoding='utf-8'?>\n<expr>\n  <attrs>\n" +
                $"    <attr column=\"3\" line=\"1\" name=\"f\" {at}>\n      <function column=\"7\" line=\"1\" {at}>\n        <varpat name=\"x\" />\n      </function>\n    </attr>\n" +
                $"    <attr column=\"13\" line=\"1\" name=\"g\" {at}>\n      <function column=\"17\" line=\"1\" {at}>\n" +
                "        <attrspat ellipsis=\"1\" name=\"args\">\n          <attr name=\"a\" />\n          <attr name=\"b\" />\n        </attrspat>\n      </function>\n    </attr>\n" +
                $"    <attr column=\"44\" line=\"1\" name=\"n\" {at}>\n      <list>\n        <int value=\"1\" />\n" +
                $"        <function column=\"53\" line=\"1\" {at}>\n          <varpat name=\"y\" />\n        </function>\n      </list>\n    </attr>\n" +
                $"    <attr column=\"3\" line=\"2\" name=\"p\" {at}>\n      <unevaluated />\n    </attr>\n" +
                "  </attrs>\n</expr>\n",
                evaluator.Run(cx => cx.PrintXml(result.Value, strict: true)));
            // Lazily (in a fresh evaluation), what is not evaluated yet stays so; --no-location leaves positions out.
            var lazy = new Evaluator();
            var fresh = lazy.EvaluateFile(file);
            Assert.Contains("<attr name=\"n\">\n      <unevaluated />", lazy.Run(cx => cx.PrintXml(fresh.Value, strict: false, location: false)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
