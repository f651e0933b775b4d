using Tvix.Eval;
using Tvix.Glue.Builtins;

namespace Tvix.Glue.Tests;

/// <summary>One or more checks per store builtin, with values computed by C++ Nix 2.8.</summary>
public sealed class StoreBuiltinTests
{
    private static string Eval(string code) => new GlueTestHost().EvalStrict(code);

    [Fact]
    public void PlaceholderIsNixBase32OfTheOutputName() =>
        Assert.Equal("\"/1rz4g4znpzjwh1xymhjpm42vipw92pr73vdgl6xs1hycac8kf2n9\"", Eval("builtins.placeholder \"out\""));

    [Fact]
    public void PlaceholderRejectsContext() =>
        Assert.Throws<NixEvalException>(() => Eval("builtins.placeholder (builtins.toFile \"a\" \"b\")"));

    [Fact]
    public void ToFileGivesTheTextPathWithItselfAsContext()
    {
        Assert.Equal("\"/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo\"", Eval("builtins.toFile \"foo\" \"bar\""));
        Assert.Equal("{ \"/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo\" = { path = true; }; }",
            Eval("builtins.getContext (builtins.toFile \"foo\" \"bar\")"));
    }

    [Fact]
    public void ToFileRecordsReferencesAndCanBeReadBack()
    {
        var host = new GlueTestHost();
        Assert.Equal("\"/nix/store/i7liwr52956m86kxp7dgbcwsk56r27v6-foo\"", host.EvalStrict("builtins.toFile \"foo\" \"bar${builtins.toFile \"foo\" \"bar\"}\""));
        var path = host.State.StoreDirectory.ParsePath("/nix/store/i7liwr52956m86kxp7dgbcwsk56r27v6-foo");
        Assert.Single(host.Store.References(path));
        Assert.Equal("\"bar\"", host.EvalStrict("builtins.readFile (builtins.toFile \"foo\" \"bar\")"));
    }

    [Fact]
    public void ToFileRefusesDerivationOutputs()
    {
        var e = Assert.Throws<NixEvalException>(() => Eval(
            "builtins.toFile \"bad\" \"${derivation { name = \"a\"; builder = \"/bin/sh\"; system = \"x86_64-linux\"; }}\""));
        Assert.Contains("in 'toFile': the file named 'bad' must not contain a reference to a derivation but contains (!out!/nix/store/7g5giqf764p3y3zv7a8rqsy9sqqq5kw4-a.drv)", e.Message);
    }

    [Fact]
    public void DerivationResultCarriesNixContexts()
    {
        const string drv = "(derivation { name = \"a\"; builder = \"/bin/sh\"; system = \"x86_64-linux\"; outputs = [ \"out\" \"dev\" ]; })";
        Assert.Equal("{ \"/nix/store/wnvld3im7bgzcx9iplxdvvmk9nwx98bq-a.drv\" = { allOutputs = true; }; }", Eval($"builtins.getContext {drv}.drvPath"));
        Assert.Equal("{ \"/nix/store/wnvld3im7bgzcx9iplxdvvmk9nwx98bq-a.drv\" = { outputs = [ \"dev\" ]; }; }", Eval($"builtins.getContext {drv}.dev.outPath"));
        Assert.Equal("\"/nix/store/0pymnpkxynhvm2q42p711hj7rpj8k1aw-a-dev\"", Eval($"{drv}.dev.outPath"));
    }

    [Fact]
    public void PathInterpolationCopiesIntoTheStoreOnce()
    {
        var dir = Directory.CreateTempSubdirectory("tvix-glue-");
        File.WriteAllText(Path.Combine(dir.FullName, "hello.txt"), "hello\n");
        var host = new GlueTestHost();
        // nix-instantiate --eval -E '"${./hello.txt}"' on a file holding "hello\n".
        var printed = host.EvalStrict("\"${./hello.txt}\"", dir.FullName);
        Assert.Matches("^\"/nix/store/[0-9a-z]{32}-hello.txt\"$", printed);
        Assert.Equal(printed, host.EvalStrict("\"${./hello.txt}\"", dir.FullName));
        Assert.Equal("true", host.EvalStrict("builtins.hasContext \"${./hello.txt}\"", dir.FullName));
        Assert.Equal("\"hello.txt\"", host.EvalStrict("builtins.substring 33 100 (baseNameOf \"${./hello.txt}\")", dir.FullName));
    }

    [Fact]
    public void CopyingAMissingPathSaysItDoesNotExist()
    {
        // Current Nix's message (conformance: eval-fail-nonexist-path).
        var dir = Directory.CreateTempSubdirectory("tvix-glue-");
        var missing = Path.Combine(dir.FullName, "fnord");
        var e = Assert.Throws<NixEvalException>(() => new GlueTestHost().EvalStrict("\"${./fnord}/xyzzy\"", dir.FullName));
        Assert.Contains($"path '{missing}' does not exist", e.Message);
        e = Assert.Throws<NixEvalException>(() => new GlueTestHost().EvalStrict("builtins.path { path = ./fnord; }", dir.FullName));
        Assert.Contains($"path '{missing}' does not exist", e.Message);
    }

    [Fact]
    public void BuiltinsPathChecksSha256AndRejectsUnknownArguments()
    {
        var dir = Directory.CreateTempSubdirectory("tvix-glue-");
        File.WriteAllText(Path.Combine(dir.FullName, "f"), "x");
        var e = Assert.Throws<NixEvalException>(() => new GlueTestHost().EvalStrict(
            "builtins.path { path = ./f; sha256 = \"sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"; }", dir.FullName));
        Assert.Contains("store path mismatch in (possibly filtered) path added from", e.Message);
        var unknown = Assert.Throws<NixEvalException>(() => new GlueTestHost().EvalStrict("builtins.path { path = ./f; foo = 1; }", dir.FullName));
        Assert.Contains("unsupported argument 'foo' to 'addPath'", unknown.Message);
    }

    [Fact]
    public void FilterSourceCallsTheFilterWithPathAndType()
    {
        var dir = Directory.CreateTempSubdirectory("tvix-glue-");
        Directory.CreateDirectory(Path.Combine(dir.FullName, "src", "sub"));
        File.WriteAllText(Path.Combine(dir.FullName, "src", "a"), "a");
        File.WriteAllText(Path.Combine(dir.FullName, "src", "sub", "b"), "b");
        var host = new GlueTestHost();
        var all = host.EvalStrict("builtins.filterSource (p: t: true) ./src", dir.FullName);
        var onlyFiles = host.EvalStrict("builtins.filterSource (p: t: t != \"directory\") ./src", dir.FullName);
        var sameAsAll = host.EvalStrict("\"${./src}\"", dir.FullName);
        Assert.Equal(all, sameAsAll);
        Assert.NotEqual(all, onlyFiles);
    }

    [Fact]
    public void StorePathNeedsAValidStorePath()
    {
        Assert.Contains("is not in the Nix store", Assert.Throws<NixEvalException>(() => Eval("builtins.storePath /etc/passwd")).Message);
        Assert.Contains("is not valid", Assert.Throws<NixEvalException>(() => Eval("builtins.storePath /nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-bar")).Message);
        Assert.Equal("\"/nix/store/vxjiwkjkn7x4079qvh1jkl5pn05j2aw0-foo\"",
            Eval("builtins.storePath (builtins.unsafeDiscardStringContext (builtins.toFile \"foo\" \"bar\"))"));
    }

    [Fact]
    public void FetchersComputeFixedOutputPathsWithoutNetwork()
    {
        Assert.Equal("\"/nix/store/06qi00hylriyfm0nl827crgjvbax84mz-notmuch-extract-patch\"", Eval(
            "builtins.fetchurl { url = \"https://test.example/owo\"; name = \"notmuch-extract-patch\"; sha256 = \"sha256-Xa1Jbl2Eq5+L0ww+Ph1osA3Z/Dxe/RkN1/dITQCdXFk=\"; }"));
        Assert.Equal("\"/nix/store/md9dsn2zwa6aj7zzalvjwwwx82whcyva-some-name\"", Eval(
            "builtins.fetchTarball { name = \"some-name\"; url = \"https://test.example/owo\"; sha256 = \"sha256-tRHbnoNI8SIM5O5xuxOmtSLnswEByzmnQcGGyNRjxsE=\"; }"));
        Assert.Contains("no network", Assert.Throws<NixEvalException>(() => Eval("builtins.fetchurl \"https://example.org/x\"")).Message);
        Assert.Contains("no network", Assert.Throws<NixEvalException>(() => Eval("builtins.fetchGit \"https://example.org/x\"")).Message);
        Assert.Contains("unsupported argument 'hash' to 'fetchTarball'",
            Assert.Throws<NixEvalException>(() => Eval("builtins.fetchTarball { url = \"x\"; hash = \"\"; }")).Message);
    }

    [Fact]
    public void ConcatStringsSepUnitesContexts() =>
        Assert.Equal("2", Eval(
            "builtins.length (builtins.attrNames (builtins.getContext (builtins.concatStringsSep \" \" [ (builtins.toFile \"a\" \"1\") (builtins.toFile \"b\" \"2\") (builtins.toFile \"a\" \"1\") ])))"));

    [Theory]
    [InlineData(0.1, "0.1")]
    [InlineData(2.5, "2.5")]
    [InlineData(3.141592653589793, "3.14159")]
    [InlineData(1e20, "1e+20")]
    [InlineData(123456789.123, "1.23457e+08")]
    [InlineData(1e-7, "1e-07")]
    [InlineData(100000.0, "100000")]
    [InlineData(1000000.0, "1e+06")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(0.0, "0")]
    [InlineData(-2.25, "-2.25")]
    public void StructuredAttrsFloatsPrintLikeCxxStreams(double value, string expected) => Assert.Equal(expected, CFloat.ToG6(value));

    [Theory]
    [InlineData(1.5, "1.500000")]
    [InlineData(1e-7, "0.000000")]
    [InlineData(1e20, "100000000000000000000.000000")]
    [InlineData(123456789.123, "123456789.123000")]
    [InlineData(-2.25, "-2.250000")]
    public void EnvironmentFloatsPrintLikeStdToString(double value, string expected) => Assert.Equal(expected, CFloat.ToStdString(value));
}
