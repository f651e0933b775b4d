namespace Tvix.Eval.Tests.Runtime;

public sealed class NixPathTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("//", "/")]
    [InlineData("/a", "/a")]
    [InlineData("/a/", "/a")]
    [InlineData("/a//b", "/a/b")]
    [InlineData("/a/./b", "/a/b")]
    [InlineData("/a/.", "/a")]
    [InlineData("/a/..", "/")]
    [InlineData("/a/../b/", "/b")]
    [InlineData("/..", "/")]
    [InlineData("/.a/..b/...", "/.a/..b/...")]
    [InlineData("/a.b/c..", "/a.b/c..")]
    [InlineData("/nix/store/abc-x/lib/l0.nix", "/nix/store/abc-x/lib/l0.nix")]
    public void CanonicalizesLikeNix(string path, string expected) => Assert.Equal(expected, NixPath.Canonicalize(path));

    [Fact]
    public void AgreesWithTheComponentWiseDefinition()
    {
        // Every path over a small alphabet of components, against a direct implementation.
        string[] pieces = ["", ".", "..", "a", ".b", "c.", "..d"];
        var random = new Random(7);
        for (var n = 0; n < 5000; n++)
        {
            var count = random.Next(1, 6);
            var path = "";
            for (var i = 0; i < count; i++) path += "/" + pieces[random.Next(pieces.Length)];
            if (random.Next(4) == 0) path += "/";
            Assert.Equal(Reference(path), NixPath.Canonicalize(path));
        }
    }

    private static string Reference(string path)
    {
        var parts = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..")
            {
                if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(segment);
        }
        return parts.Count == 0 ? "/" : "/" + string.Join('/', parts);
    }
}
