namespace Tvix.Glue.Tests;

/// <summary>
/// <c>builtins.path</c> and <c>filterSource</c> of a store path with references. The expected
/// paths are C++ Nix 2.8.0's, from <c>nix-instantiate --eval --strict [--read-write-mode]</c>
/// on a local store whose store directory is its real directory
/// (<c>--store 'local?store=/tmp/tvix-glue-copy-test/store&amp;state=…&amp;log=…'</c>), as in a normal
/// installation: writing, the copy keeps the references of the path it copies (they are part
/// of its store path); read-only (<c>--eval</c>), Nix computes the path without them. That
/// directory does not exist here, so the copies are made from the in-memory store's NARs.
/// (With a chroot store, <c>--store DIR</c>, Nix 2.8 never carries the references: the real
/// path it copies is outside its logical store directory.)
/// </summary>
public sealed class StorePathCopyTests
{
    private const string StoreDir = "/tmp/tvix-glue-copy-test/store";

    private const string Expression = """
        let a = builtins.toFile "a" "x"; b = builtins.toFile "b" "ref ${a}";
            c = builtins.path { path = b; name = "copy"; }; d = builtins.path { path = a; name = "copya"; };
            f = builtins.filterSource (p: t: true) b;
        in [ a b c d f ]
        """;

    private static string Expected(string copy, string filtered) =>
        $"[ \"{StoreDir}/0dgynyv9sg2b1w4h9hhlm3ybwqjfcjnj-a\" \"{StoreDir}/n0wsnyhsdp0ghnwbj8gfyl2f0rfq5sx2-b\" \"{StoreDir}/{copy}\" " +
        $"\"{StoreDir}/3cmrxlz2jb5rj1djbgzrlz5bdxbqclzr-copya\" \"{StoreDir}/{filtered}\" ]";

    [Fact]
    public void WritingTheCopyKeepsTheReferencesOfTheStorePath()
    {
        var host = new GlueTestHost(configure: o => o.StoreDir = StoreDir);
        Assert.Equal(Expected("mbrazm35dic64vicpl89pkbm33cipm3l-copy", "p5cpw1641361rdk82agzyr88w6d4zp3l-n0wsnyhsdp0ghnwbj8gfyl2f0rfq5sx2-b"),
            host.EvalStrict(Expression));
        var a = host.State.StoreDirectory.ParsePath(StoreDir + "/0dgynyv9sg2b1w4h9hhlm3ybwqjfcjnj-a");
        var copy = host.State.StoreDirectory.ParsePath(StoreDir + "/mbrazm35dic64vicpl89pkbm33cipm3l-copy");
        Assert.True(host.Store.IsValid(copy));
        Assert.Equal([a], host.Store.References(copy));
        // The copy's contents are the text file's.
        Assert.Equal(host.Store.DumpNar(host.State.StoreDirectory.ParsePath(StoreDir + "/n0wsnyhsdp0ghnwbj8gfyl2f0rfq5sx2-b")), host.Store.DumpNar(copy));
    }

    [Fact]
    public void ReadOnlyModeComputesTheCopyWithoutReferences()
    {
        var host = new GlueTestHost(configure: o => o.StoreDir = StoreDir, readOnly: true);
        Assert.Equal(Expected("2zkxm7mvs85wirng6918y1hvzggwgbw2-copy", "1wq84xzn4igb9bjhgkisl93fxh0nvw8g-n0wsnyhsdp0ghnwbj8gfyl2f0rfq5sx2-b"),
            host.EvalStrict(Expression));
    }

    [Fact]
    public void FlatCopiesOfPathsWithReferencesAreRefused()
    {
        // Nix 2.8 aborts on an assertion here (only recursive SHA-256 paths may have references).
        var host = new GlueTestHost();
        var e = Assert.Throws<Tvix.Eval.NixEvalException>(() => host.EvalStrict(
            "let a = builtins.toFile \"a\" \"x\"; in builtins.path { path = builtins.toFile \"b\" \"${a}\"; recursive = false; }"));
        Assert.Contains("only recursive SHA-256 paths may have", e.Message);
        // Without references a flat copy is fine: the file's own SHA-256 makes the path.
        Assert.StartsWith("\"/nix/store/", new GlueTestHost().EvalStrict("builtins.path { path = builtins.toFile \"b\" \"x\"; recursive = false; name = \"flat\"; }"));
    }
}
