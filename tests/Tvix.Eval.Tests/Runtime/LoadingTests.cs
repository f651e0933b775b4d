using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>Imports, the evaluation thread, and the compiler's fast paths agree with the general ones.</summary>
public sealed class LoadingTests
{
    /// <summary>An in-memory file system that counts the file-system calls an import makes.</summary>
    private sealed class CountingIO(InMemoryEvalIO inner) : IEvalIO
    {
        public int Calls;
        public bool PathExists(string path) { Calls++; return inner.PathExists(path); }
        public byte[] ReadFile(string path) { Calls++; return inner.ReadFile(path); }
        public IReadOnlyList<(string Name, EvalFileType Type)> ReadDir(string path) => inner.ReadDir(path);
        public EvalFileType ReadFileType(string path) => inner.ReadFileType(path);
        public string ResolveImport(string path) { Calls++; return inner.ResolveImport(path); }
        public string? GetEnv(string name) => inner.GetEnv(name);
        public DateTimeOffset CurrentTime => inner.CurrentTime;
    }

    [Fact]
    public void ImportingAPathAgainCostsNoFileSystemCalls()
    {
        var io = new CountingIO(new InMemoryEvalIO().AddFile("/d/default.nix", "{ v = 1; }"));
        var evaluator = new Evaluator(new EvaluatorOptions { IO = io });
        var first = evaluator.EvaluateString("(import /d).v");
        Assert.True(first.Success);
        var calls = io.Calls;
        Assert.True(calls > 0);
        // The same path, and the file it resolved to, come from the cache; both are the same value.
        var again = evaluator.EvaluateString("[ (import /d).v (import /d/default.nix == import /d) ]");
        Assert.Equal("[ 1 true ]", evaluator.Run(cx => cx.Print(again.Value, strict: true)));
        Assert.Equal(calls, io.Calls);
    }

    [Fact]
    public void ScopedImportsAreNotCached()
    {
        var io = new InMemoryEvalIO().AddFile("/f.nix", "x");
        Assert.Equal("[ 1 2 ]", Nix("[ (scopedImport { x = 1; } /f.nix) (scopedImport { x = 2; } /f.nix) ]", new EvaluatorOptions { IO = io }));
    }

    [Fact]
    public void RunInsideRunStaysOnTheEvaluationThread()
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var (outer, inner, printed) = evaluator.Run(cx =>
        {
            var thread = Environment.CurrentManagedThreadId;
            var result = evaluator.EvaluateString("{ a = 1 + 1; }");
            var innerThread = evaluator.Run(_ => Environment.CurrentManagedThreadId);
            return (thread, innerThread, cx.Print(result.Value, strict: true));
        });
        Assert.Equal(outer, inner);
        Assert.NotEqual(Environment.CurrentManagedThreadId, outer);
        Assert.Equal("{ a = 2; }", printed);
    }

    [Theory]
    // Plain bindings (compiled without a binding tree) and the general path give the same sets.
    [InlineData("{ b = 2; a = 1; c = 3; }", "{ a = 1; b = 2; c = 3; }")]
    [InlineData("rec { b = a + 1; a = 1; }", "{ a = 1; b = 2; }")]
    [InlineData("let b = a + 1; a = 1; in [ a b ]", "[ 1 2 ]")]
    [InlineData("{ a = { x = 1; }; a = { y = 2; }; }", "{ a = { x = 1; y = 2; }; }")]
    [InlineData("let a = 1; in { inherit a; b = a; }", "{ a = 1; b = 1; }")]
    [InlineData("rec { __overrides = { a = 2; }; a = 1; b = a; }", "{ __overrides = { a = 2; }; a = 2; b = 2; }")]
    [InlineData("builtins.attrNames { \"x y\" = 1; ${\"z\"} = 2; a = 3; }", "[ \"a\" \"x y\" \"z\" ]")]
    public void SetsCompileAlike(string code, string expected) => Assert.Equal(expected, Nix(code));

    [Fact]
    public void UnsafeGetAttrPosPointsAtTheName()
    {
        Assert.Equal("{ column = 40; file = \"/base/default.nix\"; line = 1; }", EvalHelper.NixFile("builtins.unsafeGetAttrPos \"b\" { a = 1; b = 2; }"));
    }
}
