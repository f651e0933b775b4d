namespace Tvix.Eval.Support.Versions;

/// <summary>
/// Nix's version-string rules behind <c>builtins.splitVersion</c>, <c>builtins.compareVersions</c>
/// and <c>builtins.parseDrvName</c>, on byte strings. Character tests are ASCII-only, as in the C
/// locale Nix runs in.
/// </summary>
internal static class NixVersions
{
    /// <summary>
    /// Reads the next component at <paramref name="pos"/>: separators ('.' and '-') are skipped,
    /// then either a run of digits or a run of other non-separator bytes is taken. An empty range
    /// means the end was reached.
    /// </summary>
    public static Range NextComponent(ReadOnlySpan<byte> version, ref int pos)
    {
        while (pos < version.Length && version[pos] is (byte)'.' or (byte)'-') pos++;
        var start = pos;
        if (pos == version.Length) return start..start;
        if (IsDigit(version[pos]))
        {
            while (pos < version.Length && IsDigit(version[pos])) pos++;
        }
        else
        {
            while (pos < version.Length && !IsDigit(version[pos]) && version[pos] is not ((byte)'.' or (byte)'-')) pos++;
        }
        return start..pos;
    }

    /// <summary>
    /// The components of a version, as <c>builtins.splitVersion</c> returns them. Counted first,
    /// then filled: an array, not a <c>List&lt;Range&gt;</c>, which is a framework generic over a
    /// struct that ReadyToRun cannot precompile (8 methods JIT-compiled at the first call).
    /// </summary>
    public static Range[] Split(ReadOnlySpan<byte> version)
    {
        var count = 0;
        for (var pos = 0; pos < version.Length;)
        {
            var c = NextComponent(version, ref pos);
            if (c.Start.Value == c.End.Value) break;
            count++;
        }
        var result = new Range[count];
        for (int pos = 0, i = 0; i < count; i++) result[i] = NextComponent(version, ref pos);
        return result;
    }

    /// <summary>-1, 0 or 1 as <c>builtins.compareVersions</c> returns.</summary>
    public static int Compare(ReadOnlySpan<byte> v1, ReadOnlySpan<byte> v2)
    {
        int p1 = 0, p2 = 0;
        while (p1 < v1.Length || p2 < v2.Length)
        {
            var c1 = v1[NextComponent(v1, ref p1)];
            var c2 = v2[NextComponent(v2, ref p2)];
            if (ComponentLess(c1, c2)) return -1;
            if (ComponentLess(c2, c1)) return 1;
        }
        return 0;
    }

    /// <summary>
    /// Nix's ordering of components: numbers numerically (only those that fit a 32-bit int
    /// count as numbers), the empty component before a number, "pre" before everything else,
    /// words before numbers (2.3a &lt; 2.3.1), and words bytewise.
    /// </summary>
    public static bool ComponentLess(ReadOnlySpan<byte> c1, ReadOnlySpan<byte> c2)
    {
        var isNum1 = TryParseInt(c1, out var n1);
        var isNum2 = TryParseInt(c2, out var n2);
        if (isNum1 && isNum2) return n1 < n2;
        if (c1.IsEmpty && isNum2) return true;
        var pre1 = c1.SequenceEqual("pre"u8);
        var pre2 = c2.SequenceEqual("pre"u8);
        if (pre1 && !pre2) return true;
        if (pre2) return false;
        if (isNum2) return true;
        if (isNum1) return false;
        return c1.SequenceCompareTo(c2) < 0;
    }

    private static bool TryParseInt(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        long acc = 0;
        foreach (var b in s)
        {
            if (!IsDigit(b)) return false;
            acc = acc * 10 + (b - '0');
            if (acc > int.MaxValue) return false;
        }
        value = (int)acc;
        return true;
    }

    /// <summary>
    /// Splits a derivation name as <c>builtins.parseDrvName</c> does: at the first '-' that is
    /// followed by a byte that is not an ASCII letter. Without one, the version is empty.
    /// </summary>
    public static (Range Name, Range Version) ParseDrvName(ReadOnlySpan<byte> fullName)
    {
        for (var i = 0; i + 1 < fullName.Length; i++)
        {
            if (fullName[i] == '-' && !IsAsciiLetter(fullName[i + 1])) return (0..i, (i + 1)..fullName.Length);
        }
        return (0..fullName.Length, fullName.Length..fullName.Length);
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsAsciiLetter(byte b) => b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z');
}
