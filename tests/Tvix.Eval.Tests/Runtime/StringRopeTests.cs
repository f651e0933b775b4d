using FsCheck;
using FsCheck.Fluent;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// A long string that gets a little appended keeps its pieces and is copied once, when its bytes
/// are first read. Everything that reads strings must see the same bytes as with flat strings.
/// </summary>
public sealed class StringRopeTests
{
    [Fact]
    public void AppendingInAFoldGivesTheSameStringAsBuildingItDirectly()
    {
        var expected = string.Concat(Enumerable.Range(0, 20000).Select(i => $"{i},"));
        Assert.Equal(
            $"{{ eq = true; hash = \"{Sha256Hex(expected)}\"; len = {expected.Length}; tail = \"{expected[^12..]}\"; }}",
            Nix("""
                let
                  grown = builtins.foldl' (acc: i: "${acc}${toString i},") "" (builtins.genList (x: x) 20000);
                  flat = builtins.concatStringsSep "" (builtins.genList (i: "${toString i},") 20000);
                in {
                  len = builtins.stringLength grown;
                  eq = grown == flat;
                  hash = builtins.hashString "sha256" grown;
                  tail = builtins.substring (builtins.stringLength grown - 12) 12 grown;
                }
                """));
    }

    [Fact]
    public void ADeepRopeIsFlattenedWithoutDeepRecursion()
    {
        // 200,000 appends: a rope that deep must be flattened iteratively.
        Assert.Equal("200000", Nix("""
            let s = builtins.foldl' (acc: i: acc + "x") (builtins.concatStringsSep "" (builtins.genList (i: "y") 5000)) (builtins.genList (x: x) 195000);
            in builtins.stringLength (builtins.replaceStrings [ "y" ] [ "x" ] s)
            """));
    }

    [Fact]
    public void ContextSurvivesAppending()
    {
        Assert.Equal("true", Nix("""
            let
              base = builtins.concatStringsSep "" (builtins.genList (i: "a") 5000);
              withCtx = builtins.appendContext base { "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x" = { path = true; }; };
              s = builtins.foldl' (acc: i: "${acc}b") withCtx (builtins.genList (x: x) 100);
            in builtins.hasContext s && builtins.stringLength s == 5100
               && builtins.attrNames (builtins.getContext s) == [ "/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x" ]
            """));
    }

    [Fact]
    public void AppendsOfAnySizeAgreeWithAModel() =>
        Prop.ForAll<int[]>(sizes =>
        {
            // Piece sizes around the threshold where appends start to keep pieces.
            var pieces = (sizes ?? []).Take(30).Select((n, i) => new string((char)('a' + i % 26), Math.Abs(n % 3000))).ToArray();
            var list = string.Join(" ", pieces.Select(p => $"\"{p}\""));
            var expected = string.Concat(pieces);
            var got = Nix($"let s = builtins.foldl' (acc: p: acc + p) \"\" [ {list} ]; in [ (builtins.stringLength s) (builtins.hashString \"sha256\" s) (s == builtins.concatStringsSep \"\" [ {list} ]) ]");
            return got == $"[ {expected.Length} \"{Sha256Hex(expected)}\" true ]";
        }).QuickCheckThrowOnFailure();

    private static string Sha256Hex(string s) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s)));
}
