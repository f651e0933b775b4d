using Tvix.Eval.Tests.Runtime;
using Xunit;

namespace Tvix.Eval.Tests.Support;

/// <summary><c>builtins.parseFlakeRef</c> and <c>builtins.flakeRefToString</c>.</summary>
public sealed class FlakeRefTests
{
    private const string Rev = "0123456789abcdef0123456789abcdef01234567";

    [Theory]
    [InlineData("github:NixOS/nixpkgs/23.05?dir=lib", "{ dir = \"lib\"; owner = \"NixOS\"; ref = \"23.05\"; repo = \"nixpkgs\"; type = \"github\"; }")]
    [InlineData("github:NixOS/nixpkgs", "{ owner = \"NixOS\"; repo = \"nixpkgs\"; type = \"github\"; }")]
    [InlineData("github:NixOS/nixpkgs/" + Rev, "{ owner = \"NixOS\"; repo = \"nixpkgs\"; rev = \"" + Rev + "\"; type = \"github\"; }")]
    [InlineData("gitlab:o/r?ref=refs/heads/x&host=gl.example.org", "{ host = \"gl.example.org\"; owner = \"o\"; ref = \"refs/heads/x\"; repo = \"r\"; type = \"gitlab\"; }")]
    [InlineData("nixpkgs", "{ id = \"nixpkgs\"; type = \"indirect\"; }")]
    [InlineData("nixpkgs/nixos-23.05", "{ id = \"nixpkgs\"; ref = \"nixos-23.05\"; type = \"indirect\"; }")]
    [InlineData("flake:nixpkgs/" + Rev, "{ id = \"nixpkgs\"; rev = \"" + Rev + "\"; type = \"indirect\"; }")]
    [InlineData("path:/a/b%20c?lastModified=5&narHash=sha256-x", "{ lastModified = 5; narHash = \"sha256-x\"; path = \"/a/b c\"; type = \"path\"; }")]
    [InlineData("git+https://example.org/r?ref=main&submodules=1&x=y&dir=d", "{ dir = \"d\"; ref = \"main\"; submodules = true; type = \"git\"; url = \"https://example.org/r?x=y\"; }")]
    [InlineData("git+ssh://git@example.org/r", "{ type = \"git\"; url = \"ssh://git@example.org/r\"; }")]
    [InlineData("https://example.org/a.tar.gz?narHash=sha256-a", "{ narHash = \"sha256-a\"; type = \"tarball\"; url = \"https://example.org/a.tar.gz\"; }")]
    [InlineData("file+https://example.org/f", "{ type = \"file\"; url = \"https://example.org/f\"; }")]
    public void Parses(string reference, string expected) =>
        Assert.Equal(expected, EvalHelper.Nix($"builtins.parseFlakeRef \"{reference}\""));

    [Theory]
    [InlineData("{ type = \"github\"; owner = \"NixOS\"; repo = \"nixpkgs\"; ref = \"23.05\"; dir = \"lib\"; }", "github:NixOS/nixpkgs/23.05?dir=lib")]
    [InlineData("{ type = \"indirect\"; id = \"nixpkgs\"; ref = \"nixos-unstable\"; }", "flake:nixpkgs/nixos-unstable")]
    [InlineData("{ type = \"path\"; path = \"/a\"; lastModified = 5; }", "path:/a?lastModified=5")]
    [InlineData("{ type = \"git\"; url = \"https://e.org/r?x=y\"; ref = \"main\"; shallow = true; }", "git+https://e.org/r?ref=main&shallow=1&x=y")]
    [InlineData("{ type = \"tarball\"; url = \"https://e.org/a.tar.gz\"; }", "tarball+https://e.org/a.tar.gz")]
    public void Prints(string attrs, string expected) =>
        Assert.Equal($"\"{expected}\"", EvalHelper.Nix($"builtins.flakeRefToString {attrs}"));

    [Theory]
    [InlineData("github:NixOS/nixpkgs/23.05?dir=lib")]
    [InlineData("flake:nixpkgs/nixos-23.05")]
    [InlineData("path:/x/y?narHash=sha256-abc")]
    [InlineData("git+https://example.org/r?ref=main&rev=" + Rev)]
    public void RoundTrips(string reference) =>
        Assert.Equal($"\"{reference}\"", EvalHelper.Nix($"builtins.flakeRefToString (builtins.parseFlakeRef \"{reference}\")"));

    [Theory]
    [InlineData("builtins.parseFlakeRef \"hg+https://x\"", "unsupported scheme 'hg+https'")]
    [InlineData("builtins.parseFlakeRef \"./foo\"", "is a local path")]
    [InlineData("builtins.parseFlakeRef \"github:NixOS/nixpkgs#hello\"", "unexpected fragment 'hello'")]
    [InlineData("builtins.parseFlakeRef \"github:NixOS/nixpkgs?foo=1\"", "unsupported parameter 'foo'")]
    [InlineData("builtins.parseFlakeRef \"github:NixOS/nixpkgs/a?ref=b\"", "multiple branch/tag names")]
    [InlineData("builtins.parseFlakeRef \"nixpkgs/a..b\"", "not a valid branch/tag name")]
    [InlineData("builtins.flakeRefToString { type = \"github\"; owner = \"o\"; }", "missing the attribute 'repo'")]
    [InlineData("builtins.flakeRefToString { type = \"github\"; owner = \"o\"; repo = \"r\"; bogus = \"1\"; }", "unsupported github flake input attribute 'bogus'")]
    [InlineData("builtins.flakeRefToString { type = \"path\"; path = [ ]; }", "may only contain integers, Booleans, and strings")]
    [InlineData("builtins.flakeRefToString { type = \"mercurial\"; }", "flake input type 'mercurial' is not supported")]
    public void RejectsWithAClearError(string code, string fragment) =>
        Assert.Contains(fragment, EvalHelper.EvalError(code).Message);
}
