using System.Globalization;
using System.Text;

namespace Tvix.NixCompat.BinaryCache;

/// <summary>A binary cache's <c>nix-cache-info</c>: its store directory, mass-query flag and priority.</summary>
public sealed class NixCacheInfo
{
    /// <summary>The store directory the cache serves (<c>StoreDir</c>).</summary>
    public string StoreDir { get; set; } = "/nix/store";

    /// <summary>Whether clients may query many paths at once (<c>WantMassQuery</c>).</summary>
    public bool WantMassQuery { get; set; }

    /// <summary>Priority among caches, lower is preferred (<c>Priority</c>), if given.</summary>
    public int? Priority { get; set; }

    /// <summary>Parses the file; unknown lines are ignored, as Nix does.</summary>
    /// <exception cref="NixFormatException">A known field has a malformed value.</exception>
    public static NixCacheInfo Parse(string text)
    {
        var info = new NixCacheInfo();
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon < 0) continue;
            var value = line[(colon + 1)..].Trim();
            switch (line[..colon])
            {
                case "StoreDir": info.StoreDir = value; break;
                case "WantMassQuery": info.WantMassQuery = value == "1"; break;
                case "Priority":
                    info.Priority = int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p) ? p : throw new NixFormatException($"nix-cache-info has a bad Priority '{value}'");
                    break;
            }
        }
        return info;
    }

    /// <summary>Renders the file.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        sb.Append("StoreDir: ").Append(StoreDir).Append('\n');
        if (WantMassQuery) sb.Append("WantMassQuery: 1\n");
        if (Priority is { } priority) sb.Append("Priority: ").Append(priority.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }
}
