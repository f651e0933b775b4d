using System.Runtime.InteropServices;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// Strings of up to <see cref="NixString.InlineCapacity"/> bytes made by the evaluator keep their
/// bytes inside the object. Every way of reading a string must see the same bytes, lengths,
/// equality and contexts as for strings backed by an array.
/// </summary>
public sealed class InlineStringTests
{
    [Fact]
    public void CopiesOfEveryLengthAroundTheLimitReadBack()
    {
        for (var n = 0; n <= NixString.InlineCapacity + 2; n++)
        {
            var bytes = Enumerable.Range(0, n).Select(i => (byte)(0xF0 - i)).ToArray();
            var s = NixString.Copy(bytes);
            Assert.Equal(n, s.Length);
            Assert.Equal(bytes, s.Bytes.ToArray());
            Assert.Equal(bytes, s.Memory.ToArray());
            Assert.True(s.ContentEquals(new NixString(bytes)));
            Assert.True(new NixString(bytes).ContentEquals(s));
        }
    }

    [Fact]
    public void MemoryOfAnInlineStringIsAWholeArrayCopy()
    {
        var s = NixString.Copy("abc"u8);
        Assert.True(MemoryMarshal.TryGetArray(s.Memory, out var segment));
        Assert.Equal(0, segment.Offset);
        Assert.Equal(3, segment.Array!.Length);
        segment.Array[0] = (byte)'x';
        Assert.Equal("abc", s.ToString());
    }

    [Fact]
    public void DifferentInlineStringsOfTheSameLengthAreNotEqual()
    {
        Assert.False(NixString.Copy("abc"u8).ContentEquals(NixString.Copy("abd"u8)));
        Assert.True(NixString.Copy("abc"u8).ContentEquals(NixString.Copy("abc"u8)));
        Assert.False(NixString.Copy(""u8).ContentEquals(NixString.Copy("a"u8)));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("a string longer than any inline one")]
    public void ContextIsKeptAndReplaced(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var ctx = NixContext.Of("/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-x");
        foreach (var s in new[] { NixString.Copy(bytes, ctx), new NixString(bytes, ctx), NixString.Copy(bytes).WithContext(ctx) })
        {
            Assert.Same(ctx, s.Context);
            Assert.True(s.HasContext);
            Assert.Equal(text, s.ToString());
            Assert.Equal(bytes.Length, s.Length);
            var bare = s.WithContext(null);
            Assert.Null(bare.Context);
            Assert.False(bare.HasContext);
            Assert.Equal(text, bare.ToString());
            Assert.True(bare.ContentEquals(s));
        }
        Assert.Null(NixString.Copy(bytes, NixContext.Of([])).Context);
        Assert.Null(new NixString(bytes, NixContext.Of([])).Context);
    }

    [Fact]
    public void ShortResultsOfBuiltinsBehaveLikeStrings()
    {
        Assert.Equal(
            "{ cat = \"12345\"; eq = true; groups = [ \"12\" \"ab\" ]; hash = \"" + Sha256Hex("12345") + "\"; len = 5; lt = true; rep = \"1-2\"; sub = \"23\"; }",
            Nix("""
                let
                  cat = builtins.concatStringsSep "" (map toString [ 1 2 3 4 5 ]);
                in {
                  inherit cat;
                  eq = cat == "12345" && toString 12345 == cat && "${toString 123}45" == cat;
                  groups = builtins.match "([0-9]+)-([a-z]+)" "12-ab";
                  hash = builtins.hashString "sha256" cat;
                  len = builtins.stringLength cat;
                  lt = builtins.substring 0 2 cat < "13";
                  rep = builtins.replaceStrings [ "+" ] [ "-" ] "1+2";
                  sub = builtins.substring 1 2 cat;
                }
                """));
    }

    [Fact]
    public void ConcatenationsAgreeWithAModel() =>
        Prop.ForAll<string[]>(parts =>
        {
            var pieces = (parts ?? []).Take(8).Select(p => p ?? "").ToArray();
            var expected = string.Concat(pieces);
            var strings = pieces.Select(p => p.Length % 2 == 0 ? NixString.Copy(Encoding.UTF8.GetBytes(p)) : new NixString(Encoding.UTF8.GetBytes(p))).ToArray();
            var joined = NixString.Concat(strings);
            return joined.ToString() == expected && joined.Length == Encoding.UTF8.GetByteCount(expected);
        }).QuickCheckThrowOnFailure();

    private static string Sha256Hex(string s) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(s)));
}
