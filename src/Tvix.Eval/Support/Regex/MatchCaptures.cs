using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Tvix.Eval.Support.Regex;

/// <summary>
/// Reads the captures of a .NET <see cref="Match"/>. <c>match.Groups[i]</c> creates a
/// <see cref="GroupCollection"/> and a <see cref="Group"/> object per group (about 350 bytes for
/// four groups), which <c>builtins.match</c> with groups paid on every call; the capture
/// positions are already in the match's own arrays, read here directly. That relies on
/// System.Text.RegularExpressions' private layout, so it is checked once against
/// <c>Groups</c> at start and, should the layout ever differ, <c>Groups</c> is used instead.
/// </summary>
internal static class MatchCaptures
{
    /// <summary>Whether the direct reading gives what <c>Groups</c> gives (checked once).</summary>
    private static readonly bool Direct = DirectReadingAgrees();

    /// <summary>Whether captures are read from the match's arrays (false: through <c>Groups</c>).</summary>
    public static bool ReadsDirectly => Direct;

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_matches")]
    private static extern ref int[][] Captures(Match match);

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_matchcount")]
    private static extern ref int[] CaptureCounts(Match match);

    /// <summary>The last capture of group <paramref name="group"/> of a successful match, or <see cref="RegexCapture.None"/>.</summary>
    public static RegexCapture Get(Match match, int group) => Direct ? ReadDirect(match, group) : ReadGroups(match, group);

    private static RegexCapture ReadDirect(Match match, int group)
    {
        var count = CaptureCounts(match)[group];
        if (count == 0) return RegexCapture.None;
        var captures = Captures(match)[group];
        return new RegexCapture(captures[count * 2 - 2], captures[count * 2 - 1]);
    }

    private static RegexCapture ReadGroups(Match match, int group)
    {
        var g = match.Groups[group];
        return g.Success ? new RegexCapture(g.Index, g.Length) : RegexCapture.None;
    }

    /// <summary>
    /// Compares both readings on matches with groups that capture, capture twice (the last one
    /// counts), capture nothing, and capture empty text.
    /// </summary>
    private static bool DirectReadingAgrees()
    {
        try
        {
            var regex = new System.Text.RegularExpressions.Regex("(a)(x)?(b+)(c*)((d)|e)+", RegexOptions.CultureInvariant);
            foreach (var subject in (string[])["zabbbedf", "abbed", "ab e"])
            {
                var m = regex.Match(subject);
                if (!m.Success) continue;
                for (var g = 0; g < m.Groups.Count; g++)
                    if (ReadDirect(m, g) != ReadGroups(m, g)) return false;
            }
            return true;
        }
        catch (Exception e) when (e is MissingMemberException or NullReferenceException or IndexOutOfRangeException or InvalidCastException)
        {
            return false;
        }
    }
}
