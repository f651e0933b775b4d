using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Tvix.Eval.Support.Versions;
using Xunit;

namespace Tvix.Eval.Tests.Support;

public sealed class NixVersionsTests
{
    private static string SplitText(string v)
    {
        var bytes = Encoding.UTF8.GetBytes(v);
        var parts = NixVersions.Split(bytes);
        return string.Join(' ', parts.Select(r => '"' + Encoding.UTF8.GetString(bytes.AsSpan()[r]) + '"'));
    }

    [Theory]
    [InlineData("1.2.3", "\"1\" \"2\" \"3\"")]
    [InlineData("22.11pre408963.823e2c9b0a0", "\"22\" \"11\" \"pre\" \"408963\" \"823\" \"e\" \"2\" \"c\" \"9\" \"b\" \"0\" \"a\" \"0\"")]
    [InlineData("9.4.1-rc1", "\"9\" \"4\" \"1\" \"rc\" \"1\"")]
    [InlineData("unstable-2022-09-20", "\"unstable\" \"2022\" \"09\" \"20\"")]
    [InlineData("0.pre+date=2021-11-30", "\"0\" \"pre+date=\" \"2021\" \"11\" \"30\"")]
    [InlineData("1.2.0_pre23", "\"1\" \"2\" \"0\" \"_pre\" \"23\"")]
    [InlineData("0.1.0pre71_170f840", "\"0\" \"1\" \"0\" \"pre\" \"71\" \"_\" \"170\" \"f\" \"840\"")]
    [InlineData("", "")]
    [InlineData("..-", "")]
    public void SplitVersion(string version, string expected) => Assert.Equal(expected, SplitText(version));

    [Fact]
    public void CompareVersionsAsTvixSuiteExpects()
    {
        (string, string)[] pairs =
        [
            ("1.2.3", "1.2.3"), ("1.2.2", "1.2.3"), ("1.2.3", "1.2.40"), ("1.2.3", ".1.2.3"), ("1.2.3", "1..2.3"),
            ("1.2.3", "1.2.3."), ("1.2.3", "1.2"), ("1.2.3", "1.2.a"), ("1a.b", "1a.2"), ("1", ""), ("1.0", "1.0.0"),
            ("2.3", "2.3pre"), ("2.3", "2.3.0pre"), ("2.3pre", "2.3.0pre"), ("2.3", "2.3prepre"), ("2.3pre", "2.3prepre"),
            ("2.3prepre", "2.3prepre"), ("foo", "bar"), ("FoO", "fOo"), ("foo", "fooo"), ("foopre", "foo"),
            ("1.0", "2.3"), ("2.1", "2.3"), ("2.3", "2.3"), ("2.5", "2.3"), ("3.1", "2.3"), ("2.3.1", "2.3"),
            ("2.3.1", "2.3a"), ("2.3pre1", "2.3"), ("2.3pre3", "2.3pre12"), ("2.3a", "2.3c"), ("2.3pre1", "2.3c"), ("2.3pre1", "2.3q"),
        ];
        int[] expected = [0, -1, -1, 0, 0, 0, 1, 1, -1, 1, -1, 1, -1, -1, -1, -1, 0, 1, -1, -1, 1, -1, -1, 0, 1, 1, 1, 1, -1, -1, -1, -1, -1];
        for (var i = 0; i < pairs.Length; i++)
        {
            var (a, b) = pairs[i];
            Assert.True(expected[i] == NixVersions.Compare(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b)), $"compareVersions \"{a}\" \"{b}\"");
        }
    }

    [Fact]
    public void NumbersBeyondInt32CompareAsWords()
    {
        // 99999999999 does not fit Nix's int, so it is a word, and words sort before numbers.
        Assert.Equal(-1, NixVersions.Compare("99999999999"u8, "1"u8));
    }

    [Fact]
    public void CompareVersionsIsAntisymmetricAndReflexive()
    {
        var alphabet = Gen.Elements('0', '1', '9', '.', '-', 'a', 'p', 'r', 'e', 'z', '_');
        var versions = Gen.ArrayOf(alphabet).Select(cs => new string(cs))
            .Select(s => s.Replace("pr", "pre", StringComparison.Ordinal));
        Prop.ForAll(Arb.From(versions), Arb.From(versions), (a, b) =>
        {
            var x = Encoding.ASCII.GetBytes(a);
            var y = Encoding.ASCII.GetBytes(b);
            return NixVersions.Compare(x, y) == -NixVersions.Compare(y, x) && NixVersions.Compare(x, x) == 0;
        }).QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("ripgrep-1.2", "ripgrep", "1.2")]
    [InlineData("rip-grep-1.2", "rip-grep", "1.2")]
    [InlineData("7zip_archiver-0.2", "7zip_archiver", "0.2")]
    [InlineData("gcc-1-2", "gcc", "1-2")]
    [InlineData("bash--1-2", "bash", "-1-2")]
    [InlineData("xvidtune-?1-2", "xvidtune", "?1-2")]
    [InlineData("hello", "hello", "")]
    [InlineData("xf86-video-i810-1.7.4", "xf86-video-i810", "1.7.4")]
    [InlineData("trailing-", "trailing-", "")]
    [InlineData("a-é", "a", "é")]
    public void ParseDrvName(string full, string name, string version)
    {
        var bytes = Encoding.UTF8.GetBytes(full);
        var (n, v) = NixVersions.ParseDrvName(bytes);
        Assert.Equal(name, Encoding.UTF8.GetString(bytes.AsSpan()[n]));
        Assert.Equal(version, Encoding.UTF8.GetString(bytes.AsSpan()[v]));
    }
}
