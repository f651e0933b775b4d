using Tvix.Eval.Tests.Runtime;
using Xunit;

namespace Tvix.Eval.Tests.IO;

/// <summary>Importing through a symlink shares the import cache with the target (Tvix's observable-eval-cache).</summary>
public sealed class ImportSymlinkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tvix-import-symlink-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SymlinkAndTargetAreOneCachedValue()
    {
        File.WriteAllText(Path.Combine(_dir, "a.nix"), "let id = x: x; in { inherit id; }");
        File.WriteAllText(Path.Combine(_dir, "c.nix"), "let id = x: x; in { inherit id; }");
        File.CreateSymbolicLink(Path.Combine(_dir, "b.nix"), "a.nix");
        Directory.CreateDirectory(Path.Combine(_dir, "d"));
        File.WriteAllText(Path.Combine(_dir, "d", "default.nix"), "let id = x: x; in { inherit id; }");
        File.CreateSymbolicLink(Path.Combine(_dir, "e"), "d");
        var code = $"let d = {_dir}; in [ (import (d + \"/a.nix\") == import (d + \"/b.nix\")) (import (d + \"/a.nix\") == import (d + \"/c.nix\")) (import (d + \"/d\") == import (d + \"/e\")) ]";
        Assert.Equal("[ true false true ]", EvalHelper.Nix(code, new EvaluatorOptions { IO = new FileSystemEvalIO() }));
    }

    [Fact]
    public void PathExistsWithTrailingDotFollowsSymlinksToDirectories()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "d"));
        File.WriteAllText(Path.Combine(_dir, "f"), "");
        File.CreateSymbolicLink(Path.Combine(_dir, "to-d"), "d");
        File.CreateSymbolicLink(Path.Combine(_dir, "to-f"), "f");
        File.CreateSymbolicLink(Path.Combine(_dir, "broken"), "nonexistent");
        var code = $"""
            let d = "{_dir}"; in map builtins.pathExists [
              (d + "/to-d/.") (d + "/to-d/") (d + "/to-d") (d + "/to-f/.") (d + "/to-f") (d + "/broken") (d + "/broken/.") (d + "/d/.") (d + "/f/.")
            ]
            """;
        // Checked with C++ Nix 2.8 (eval-okay-pathexists).
        Assert.Equal("[ true true true false true true false true false ]", EvalHelper.Nix(code, new EvaluatorOptions { IO = new FileSystemEvalIO() }));
    }
}
