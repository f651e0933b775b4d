using System.Text.RegularExpressions;
using Tvix.Eval.Support.Regex;
using Xunit;

namespace Tvix.Eval.Tests.Support;

public sealed class MatchCapturesTests
{
    [Theory]
    [InlineData("(a|(b))+(c)?", "abab")]
    [InlineData("user([0-9]+)@host([0-9]+)\\.example\\.com, id=([0-9]+); status=(active|idle)", "user12@host3.example.com, id=156; status=idle")]
    [InlineData("(x*)(y*)(z)?", "xxyy")]
    [InlineData("((a)|(b))*", "")]
    public void CapturesAreTheGroupsOfTheMatch(string pattern, string subject)
    {
        foreach (var options in new[] { RegexOptions.CultureInvariant, RegexOptions.CultureInvariant | RegexOptions.Compiled })
        {
            var m = new Regex(pattern, options).Match(subject);
            Assert.True(m.Success);
            for (var g = 0; g < m.Groups.Count; g++)
            {
                var expected = m.Groups[g].Success ? new RegexCapture(m.Groups[g].Index, m.Groups[g].Length) : RegexCapture.None;
                Assert.Equal(expected, MatchCaptures.Get(m, g));
            }
        }
    }
}
