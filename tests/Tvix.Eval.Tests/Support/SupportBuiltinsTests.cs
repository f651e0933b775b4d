using System.Text;
using Tvix.Eval.Builtins;
using Tvix.Eval.Runtime;
using Xunit;

namespace Tvix.Eval.Tests.Support;

/// <summary>The support builtins called through the registry of a real <see cref="EvalContext"/>.</summary>
public sealed class SupportBuiltinsTests
{
    private readonly StringWriter _log = new();
    private readonly EvalContext _cx;
    private readonly BuiltinRegistry _registry;

    public SupportBuiltinsTests()
    {
        var io = new InMemoryEvalIO().AddFile("/data/hello.txt", "hello\n");
        var options = new EvaluatorOptions { IO = io, Log = _log };
        _cx = new EvalContext(options);
        _registry = BuiltinCatalog.Create(options);
    }

    private Value Call(string name, params Value[] args)
    {
        Assert.True(_registry.TryGet(name, out var entry), $"builtins.{name} is not registered");
        Assert.Equal(args.Length, entry.Arity);
        return _cx.Force(entry.Implementation!(_cx, args));
    }

    private string Eval(string name, params Value[] args) => _cx.Print(Call(name, args), strict: true);

    private static Value S(string s) => Value.FromString(s);

    private static Value SWithContext(string s, string element) =>
        Value.FromString(new NixString(Encoding.UTF8.GetBytes(s), NixContext.Of(element)));

    private static Value L(params Value[] items) => Value.FromList(new NixList(items));

    private Value A(params (string Name, Value Value)[] attrs)
    {
        var b = _cx.CreateAttrsBuilder();
        foreach (var (n, v) in attrs) b.Add(n, v);
        return Value.FromAttrs(b.Build());
    }

    private static Value Fn(Func<Value, Value> body) =>
        Value.FromBuiltin(new Builtin("test", 1, (cx, a) => body(a[0])));

    [Fact]
    public void EveryPromisedBuiltinIsRegistered()
    {
        foreach (var name in new[] { "match", "split", "splitVersion", "compareVersions", "parseDrvName", "hashString", "hashFile", "convertHash", "toJSON", "fromJSON", "toXML", "fromTOML" })
        {
            Assert.True(_registry.Contains(name), name);
        }
    }

    [Fact]
    public void MatchAndSplit()
    {
        Assert.Equal("[ \"/path/to/\" \"/path/to\" \"foobar\" \"nix\" ]", Eval("match", S("((.*)/)?([^/]*)\\.(nix|cc)"), S("/path/to/foobar.nix")));
        Assert.Equal("null", Eval("match", S("fo+"), S("f")));
        Assert.Equal("[ \"\" [ \"a\" null ] \"b\" [ null \"c\" ] \"\" ]", Eval("split", S("(a)|(c)"), S("abc")));
        var e = Assert.Throws<NixEvalException>(() => Call("split", S("f(o*o"), S("1foo2")));
        Assert.Equal("invalid regular expression 'f(o*o'", e.Message);
        e = Assert.Throws<NixEvalException>(() => Call("match", Value.FromInt(1), A()));
        Assert.Equal("expected a string but found an integer: 1", e.Message);
        Assert.Contains(e.Trace, f => f.Message == "while evaluating the first argument passed to builtins.match");
    }

    [Fact]
    public void MatchResultsDropTheSubjectsContext()
    {
        var r = Call("match", S("(.*)"), SWithContext("/nix/store/abc-x", "/nix/store/abc-x"));
        Assert.False(_cx.Force(r.AsList[0]).AsString.HasContext);
    }

    [Fact]
    public void SplitWithoutAMatchReturnsTheSubjectWithItsContext()
    {
        var r = Call("split", S("q"), SWithContext("/nix/store/abc-y", "/nix/store/abc-y"));
        Assert.Equal(1, r.AsList.Count);
        Assert.True(_cx.Force(r.AsList[0]).AsString.HasContext);
        r = Call("split", S("y"), SWithContext("/nix/store/abc-y", "/nix/store/abc-y"));
        Assert.False(_cx.Force(r.AsList[0]).AsString.HasContext);
    }

    [Fact]
    public void Versions()
    {
        Assert.Equal("[ \"2\" \"3\" \"16\" ]", Eval("splitVersion", S("2.3.16")));
        Assert.Equal("-1", Eval("compareVersions", S("2.3pre1"), S("2.3")));
        Assert.Equal("{ name = \"rip-grep\"; version = \"1.2\"; }", Eval("parseDrvName", S("rip-grep-1.2")));
        var e = Assert.Throws<NixEvalException>(() => Call("parseDrvName", A(("outPath", S("lol")))));
        Assert.StartsWith("expected a string but found a set", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hashes()
    {
        Assert.Equal("\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"", Eval("hashString", S("sha256"), S("")));
        Assert.Equal("\"b1946ac92492d2347c6235b4d2611184\"", Eval("hashFile", S("md5"), Value.FromPath("/data/hello.txt")));
        var e = Assert.Throws<NixEvalException>(() => Call("hashString", S("foo"), S("content")));
        Assert.Equal("unknown hash algorithm 'foo', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'", e.Message);
        Assert.Equal("\"sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"", Eval("convertHash", A(
            ("hash", S("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")), ("hashAlgo", S("sha256")), ("toHashFormat", S("sri")))));
        Assert.Equal("\"0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73\"", Eval("convertHash", A(
            ("hash", S("sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")), ("toHashFormat", S("base32")))));
        Assert.Contains("warning: \"base32\" is a deprecated alias for hash format \"nix32\".", _log.ToString(), StringComparison.Ordinal);
        e = Assert.Throws<NixEvalException>(() => Call("convertHash", A(("toHashFormat", S("sri")))));
        Assert.Equal("attribute 'hash' missing", e.Message);
    }

    [Fact]
    public void ToJsonFollowsNix()
    {
        var k = A(("__toString", Fn(self => _cx.Force(self).AsAttrs.TryGetValue("a", out var a) ? a : Value.Null)), ("a", S("foo")));
        var v = A(("a", Value.FromInt(123)), ("b", Value.FromInt(-456)), ("d", S("foo\n\"bar\"")), ("e", Value.True), ("g", L(Value.FromInt(1), Value.Null)),
            ("h", L(S("a"), L(S("b"), A(("foo\nbar", A()))))), ("j", Value.FromFloat(1.44)), ("k", k), ("o", A(("outPath", A(("x", Value.FromFloat(1e20)))))));
        Assert.Equal("\"{\\\"a\\\":123,\\\"b\\\":-456,\\\"d\\\":\\\"foo\\\\n\\\\\\\"bar\\\\\\\"\\\",\\\"e\\\":true,\\\"g\\\":[1,null],\\\"h\\\":[\\\"a\\\",[\\\"b\\\",{\\\"foo\\\\nbar\\\":{}}]],\\\"j\\\":1.44,\\\"k\\\":\\\"foo\\\",\\\"o\\\":{\\\"x\\\":1e+20}}\"",
            Eval("toJSON", v));
    }

    [Fact]
    public void ToJsonKeepsContextAndReportsErrors()
    {
        var r = Call("toJSON", L(SWithContext("/nix/store/abc-x", "/nix/store/abc-x")));
        Assert.Equal(["/nix/store/abc-x"], r.AsString.Context!.Elements);
        var e = Assert.Throws<NixEvalException>(() => Call("toJSON", A(("__toString", Fn(_ => Value.FromInt(42))))));
        Assert.Equal("`__toString` should return a string, but got an integer: 42", e.Message);
        e = Assert.Throws<NixEvalException>(() => Call("toJSON", Value.FromString(new NixString([(byte)'a', 0xFF]))));
        Assert.Equal("JSON serialization error: [json.exception.type_error.316] invalid UTF-8 byte at index 1: 0xFF", e.Message);
        e = Assert.Throws<NixEvalException>(() => Call("toJSON", L(Fn(x => x))));
        Assert.Equal("cannot convert a built-in function to JSON", e.Message);
    }

    [Fact]
    public void FromJson()
    {
        Assert.Equal("{ a = [ 1 2.5 null true ]; b = \"é\"; }", Eval("fromJSON", S("{\"b\": \"\\u00e9\", \"a\": [1, 2.5, null, true]}")));
        Assert.Equal("{ a = 2; }", Eval("fromJSON", S("{\"a\": 1, \"a\": 2}")));
        var e = Assert.Throws<NixEvalException>(() => Call("fromJSON", S("\"a\\u0000b\"")));
        Assert.Equal("input string 'a\u2400b' cannot be represented as Nix string because it contains null bytes", e.Message);
    }

    [Fact]
    public void ToXml()
    {
        Assert.Equal("\"<?xml version='1.0' encoding='utf-8'?>\\n<expr>\\n  <attrs>\\n    <attr name=\\\"a\\\">\\n      <string value=\\\"s\\\" />\\n    </attr>\\n  </attrs>\\n</expr>\\n\"",
            Eval("toXML", A(("a", S("s")))));
        var r = Call("toXML", L(SWithContext("/nix/store/abc-x", "/nix/store/abc-x")));
        Assert.True(r.AsString.HasContext);
    }

    [Fact]
    public void FromToml()
    {
        Assert.Equal("{ a = { b = [ 1 2.5 \"x\" true ]; }; }", Eval("fromTOML", S("[a]\nb = [1, 2.5, 'x', true]\n")));
        var e = Assert.Throws<NixEvalException>(() => Call("fromTOML", S("d = 1979-05-27")));
        Assert.Equal("while parsing TOML: Dates and times are not supported", e.Message);
        e = Assert.Throws<NixEvalException>(() => Call("fromTOML", S("attr = 9223372036854775808")));
        Assert.StartsWith("while parsing TOML: integer '9223372036854775808' is out of range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromTomlTimestampsWithTheFeature()
    {
        var options = new EvaluatorOptions();
        options.Builtins.Add(r => SupportTomlBuiltins.Register(r, parseTimestamps: true));
        var registry = BuiltinCatalog.Create(options);
        var cx = new EvalContext(options);
        Assert.True(registry.TryGet("fromTOML", out var entry));
        var v = entry.Implementation!(cx, [S("d = 1979-05-27 07:32:00.1Z")]);
        Assert.Equal("{ d = { _type = \"timestamp\"; value = \"1979-05-27T07:32:00.100Z\"; }; }", cx.Print(v, strict: true));
    }
}
