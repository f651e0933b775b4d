using System.Globalization;

namespace Tvix.Glue.Builtins;

/// <summary>The two ways C++ Nix 2.8 prints floats inside derivations.</summary>
internal static class CFloat
{
    /// <summary><c>std::to_string(double)</c> (<c>%f</c>): environment variables, <c>1.5</c> → <c>1.500000</c>.</summary>
    public static string ToStdString(double d)
    {
        if (double.IsNaN(d)) return double.IsNegative(d) ? "-nan" : "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var s = d.ToString("F6", CultureInfo.InvariantCulture);
        // C keeps the sign of a negative value that rounds to zero ("-0.000000").
        if (double.IsNegative(d) && s[0] != '-') s = "-" + s;
        return s;
    }

    /// <summary>
    /// <c>std::ostream &lt;&lt; double</c> with the default precision (<c>%g</c>, 6 significant
    /// digits): structured-attrs JSON, <c>0.1</c> → <c>0.1</c>, <c>1e20</c> → <c>1e+20</c>.
    /// </summary>
    public static string ToG6(double d)
    {
        if (double.IsNaN(d)) return double.IsNegative(d) ? "-nan" : "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0" : "0";
        // "E5" rounds to 6 significant digits and tells the decimal exponent after rounding.
        var e = d.ToString("E5", CultureInfo.InvariantCulture);
        var ePos = e.IndexOf('E');
        var exponent = int.Parse(e.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (exponent < -4 || exponent >= 6)
        {
            var mantissa = TrimZeros(e[..ePos]);
            var sign = exponent < 0 ? '-' : '+';
            var abs = Math.Abs(exponent);
            return mantissa + "e" + sign + (abs < 10 ? "0" : "") + abs.ToString(CultureInfo.InvariantCulture);
        }
        var fixedText = d.ToString("F" + (5 - exponent).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return TrimZeros(fixedText);
    }

    private static string TrimZeros(string s)
    {
        if (s.IndexOf('.') < 0) return s;
        s = s.TrimEnd('0');
        return s.EndsWith('.') ? s[..^1] : s;
    }
}
