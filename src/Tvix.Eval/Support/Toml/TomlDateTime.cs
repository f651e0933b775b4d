using System.Globalization;
using System.Text;

namespace Tvix.Eval.Support.Toml;

/// <summary>
/// A TOML date, time, local date-time or offset date-time, kept as its fields (not a
/// <see cref="DateTimeOffset"/>: TOML allows year 0 and second 60, and keeps nanoseconds).
/// </summary>
internal readonly record struct TomlDateTime(
    TomlValueKind Kind,
    int Year,
    int Month,
    int Day,
    int Hour,
    int Minute,
    int Second,
    int Nanosecond,
    int OffsetMinutes)
{
    private bool HasDate => Kind is TomlValueKind.LocalDate or TomlValueKind.LocalDateTime or TomlValueKind.OffsetDateTime;

    private bool HasTime => Kind is TomlValueKind.LocalTime or TomlValueKind.LocalDateTime or TomlValueKind.OffsetDateTime;

    /// <summary>
    /// The text Nix gives a timestamp (<c>{ _type = "timestamp"; value = …; }</c>), which is how
    /// the toml11 library Nix uses prints it: <c>T</c> between date and time, the fraction in
    /// groups of three digits up to the last non-zero group (<c>.1</c> → <c>.100</c>, <c>.1234</c> →
    /// <c>.123400</c>, at most nanoseconds), and a zero offset as <c>Z</c>.
    /// </summary>
    public string ToNixString()
    {
        var sb = new StringBuilder(40);
        var inv = CultureInfo.InvariantCulture;
        if (HasDate)
        {
            sb.Append(Year.ToString("D4", inv)).Append('-').Append(Month.ToString("D2", inv)).Append('-').Append(Day.ToString("D2", inv));
        }
        if (HasTime)
        {
            if (HasDate) sb.Append('T');
            sb.Append(Hour.ToString("D2", inv)).Append(':').Append(Minute.ToString("D2", inv)).Append(':').Append(Second.ToString("D2", inv));
            if (Nanosecond != 0)
            {
                int milli = Nanosecond / 1_000_000, micro = Nanosecond / 1_000 % 1_000, nano = Nanosecond % 1_000;
                sb.Append('.').Append(milli.ToString("D3", inv));
                if (micro != 0 || nano != 0)
                {
                    sb.Append(micro.ToString("D3", inv));
                    if (nano != 0) sb.Append(nano.ToString("D3", inv));
                }
            }
        }
        if (Kind == TomlValueKind.OffsetDateTime)
        {
            if (OffsetMinutes == 0)
            {
                sb.Append('Z');
            }
            else
            {
                var abs = Math.Abs(OffsetMinutes);
                sb.Append(OffsetMinutes < 0 ? '-' : '+').Append((abs / 60).ToString("D2", inv)).Append(':').Append((abs % 60).ToString("D2", inv));
            }
        }
        return sb.ToString();
    }
}
