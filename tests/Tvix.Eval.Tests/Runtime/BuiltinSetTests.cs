using Xunit;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// The audit of the builtins against current C++ Nix: every name its <c>builtins</c> set has by
/// default (no experimental features, no native code), the global names it binds, and what the
/// evaluator does for the builtins that need a store.
/// </summary>
public sealed class BuiltinSetTests
{
    // `builtins.attrNames builtins` of Nix 2.8 (nix-instantiate), plus what current Nix added
    // (addDrvOutputDependencies, break, convertHash, fetchClosure, flakeRefToString,
    // parseFlakeRef, readFileType, traceVerbose, warn).
    private static readonly string[] CurrentNixBuiltins =
    [
        "abort", "add", "addDrvOutputDependencies", "addErrorContext", "all", "any", "appendContext", "attrNames",
        "attrValues", "baseNameOf", "bitAnd", "bitOr", "bitXor", "break", "builtins", "catAttrs", "ceil",
        "compareVersions", "concatLists", "concatMap", "concatStringsSep", "convertHash", "currentSystem",
        "currentTime", "deepSeq", "derivation", "derivationStrict", "dirOf", "div", "elem", "elemAt", "false",
        "fetchClosure", "fetchGit", "fetchMercurial", "fetchTarball", "fetchTree", "fetchurl", "filter",
        "filterSource", "findFile", "flakeRefToString", "floor", "foldl'", "fromJSON", "fromTOML", "functionArgs",
        "genList", "genericClosure", "getAttr", "getContext", "getEnv", "groupBy", "hasAttr", "hasContext",
        "hashFile", "hashString", "head", "import", "intersectAttrs", "isAttrs", "isBool", "isFloat",
        "isFunction", "isInt", "isList", "isNull", "isPath", "isString", "langVersion", "length", "lessThan",
        "listToAttrs", "map", "mapAttrs", "match", "mul", "nixPath", "nixVersion", "null", "parseDrvName",
        "parseFlakeRef", "partition", "path", "pathExists", "placeholder", "readDir", "readFile", "readFileType",
        "removeAttrs", "replaceStrings", "scopedImport", "seq", "sort", "split", "splitVersion", "storeDir",
        "storePath", "stringLength", "sub", "substring", "tail", "throw", "toFile", "toJSON", "toPath",
        "toString", "toXML", "trace", "traceVerbose", "true", "tryEval", "typeOf", "unsafeDiscardOutputDependency",
        "unsafeDiscardStringContext", "unsafeGetAttrPos", "warn", "zipAttrsWith",
    ];

    // The builtins Nix binds globally under their own name (and so not as __NAME).
    private static readonly string[] GlobalNames =
    [
        "abort", "baseNameOf", "break", "builtins", "derivation", "derivationStrict", "dirOf", "false", "fetchGit",
        "fetchMercurial", "fetchTarball", "fetchTree", "fromTOML", "import", "isNull", "map", "null", "placeholder",
        "removeAttrs", "scopedImport", "throw", "toString", "true",
    ];

    [Fact]
    public void EveryBuiltinOfCurrentNixIsThere()
    {
        var names = Nix("builtins.attrNames builtins").Trim('[', ']', ' ').Split(' ').Select(n => n.Trim('"')).ToHashSet();
        Assert.Equal([], CurrentNixBuiltins.Except(names).ToArray());
        Assert.Equal([], names.Except(CurrentNixBuiltins).ToArray());
    }

    /// <summary>Whether <paramref name="name"/> is bound at the top level (an unbound name is a compile error).</summary>
    private static bool IsBound(string name)
    {
        var result = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() }).EvaluateString($"builtins.typeOf {name}", "/base");
        if (result.Success) return true;
        Assert.Contains(result.Diagnostics, d => d.Message == $"undefined variable '{name}'");
        return false;
    }

    [Fact]
    public void GlobalNamesAreNixsAndOnlyTheOthersHaveTheUnderscoreAlias()
    {
        foreach (var name in CurrentNixBuiltins)
        {
            var global = GlobalNames.Contains(name);
            Assert.True(global == IsBound(name), $"{name} should {(global ? "" : "not ")}be global");
            if (name != "builtins") Assert.True(global != IsBound("__" + name), $"__{name} should {(global ? "not " : "")}be bound");
        }
    }

    [Theory]
    [InlineData("derivationStrict { }")]
    [InlineData("path { path = ./.; }")]
    [InlineData("filterSource (p: t: true) ./.")]
    [InlineData("toFile \"a\" \"b\"")]
    [InlineData("storePath /nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x")]
    [InlineData("fetchurl \"http://example.org/x\"")]
    [InlineData("fetchTarball \"http://example.org/x.tar.gz\"")]
    [InlineData("fetchGit \"http://example.org/x.git\"")]
    [InlineData("fetchTree { type = \"git\"; url = \"x\"; }")]
    [InlineData("fetchMercurial \"http://example.org/x\"")]
    [InlineData("fetchClosure { }")]
    public void StoreBuiltinsWithoutAStoreNameThemselves(string call)
    {
        var name = call[..call.IndexOf(' ')];
        var (message, _, _, _) = EvalError("builtins." + call);
        Assert.Equal($"builtins.{name} requires a store (not available in this evaluator)", message);
    }

    [Fact]
    public void DerivationWithoutAStoreNamesDerivationStrict()
    {
        var (message, _, _, _) = EvalError("(derivation { name = \"x\"; builder = \"/b\"; system = \"s\"; }).outPath");
        Assert.Equal("builtins.derivationStrict requires a store (not available in this evaluator)", message);
    }

    [Fact]
    public void PlaceholderIsPure()
    {
        // The placeholder of an output is the nix32 SHA-256 of "nix-output:NAME".
        var hash = System.Security.Cryptography.SHA256.HashData("nix-output:out"u8);
        Assert.Equal(Nix($"builtins.convertHash {{ hash = \"sha256:{Convert.ToHexStringLower(hash)}\"; toHashFormat = \"nix32\"; }}").Insert(1, "/"),
            Nix("placeholder \"out\""));
        var (message, _, _, _) = EvalError("builtins.placeholder (builtins.appendContext \"out\" { \"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x\" = { path = true; }; })");
        Assert.StartsWith("the string 'out' is not allowed to refer to a store path", message);
    }

    [Fact]
    public void ListToAttrsEvaluatesEveryNameBeforeAnyValue()
    {
        // Current Nix: names first (a missing name wins over an earlier missing value), then the
        // first pair of each name gives the value; later duplicates are never looked at.
        Assert.Equal("attribute 'name' missing", EvalError("builtins.listToAttrs [ { name = \"a\"; } { value = 1; } ]").Message);
        Assert.Equal("attribute 'value' missing", EvalError("builtins.listToAttrs [ { name = \"a\"; } ]").Message);
        Assert.Equal("{ a = 1; b = 2; }", Nix("builtins.listToAttrs [ { name = \"b\"; value = 2; } { name = \"a\"; value = 1; } { name = \"b\"; } ]"));
    }
}
