using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Tvix.CAStore;

/// <summary>
/// A one-line text form of a <see cref="Node"/>, used on the command line:
/// <list type="bullet">
/// <item><c>dir:b3:&lt;base64&gt;:&lt;size&gt;</c> — a directory (size = recursive entry count);</item>
/// <item><c>file:b3:&lt;base64&gt;:&lt;size&gt;</c>, or with <c>:x</c> appended when executable;</item>
/// <item><c>symlink:&lt;target&gt;</c> — the rest of the text is the target (UTF-8).</item>
/// </list>
/// When parsing, the digest may also be bare base64 or 64 hex digits.
/// </summary>
public static class NodeText
{
    /// <summary>The text form of <paramref name="node"/>.</summary>
    public static string Format(Node node) => node switch
    {
        DirectoryNode d => string.Create(CultureInfo.InvariantCulture, $"dir:{d.Digest}:{d.Size}"),
        FileNode f => string.Create(CultureInfo.InvariantCulture, $"file:{f.Digest}:{f.Size}{(f.Executable ? ":x" : "")}"),
        SymlinkNode s => "symlink:" + Encoding.UTF8.GetString(s.Target.Span),
        _ => throw new ArgumentException("unknown node kind", nameof(node)),
    };

    /// <summary>Parses the text form; false (with <paramref name="error"/>) if it is malformed.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out Node? node, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        node = null;
        error = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? text : text[..colon];
        var rest = colon < 0 ? "" : text[(colon + 1)..];
        switch (kind)
        {
            case "symlink":
                if (NodeNames.SymlinkTargetError(Encoding.UTF8.GetBytes(rest)) is { } e)
                {
                    error = e;
                    return false;
                }
                node = new SymlinkNode(Encoding.UTF8.GetBytes(rest));
                return true;
            case "dir":
            case "file":
                // The digest's own "b3:" prefix contains a colon, so take the fields from the end.
                var parts = rest.Split(':');
                var executable = kind == "file" && parts.Length >= 3 && parts[^1] == "x";
                var sizeIndex = parts.Length - (executable ? 2 : 1);
                if (sizeIndex < 1)
                {
                    error = $"expected {kind}:<digest>:<size>";
                    return false;
                }
                var digestText = string.Join(':', parts, 0, sizeIndex);
                if (!B3Digest.TryParse(digestText, out var digest))
                {
                    error = $"'{digestText}' is not a BLAKE3 digest (b3:<base64>, base64 or hex)";
                    return false;
                }
                if (!ulong.TryParse(parts[sizeIndex], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                {
                    error = $"'{parts[sizeIndex]}' is not a size";
                    return false;
                }
                node = kind == "dir" ? new DirectoryNode(digest, size) : new FileNode(digest, size, executable);
                return true;
            default:
                error = $"unknown node kind '{kind}' (expected dir:, file: or symlink:)";
                return false;
        }
    }

    /// <summary>Parses the text form, throwing a <see cref="FormatException"/> that says what is wrong.</summary>
    public static Node Parse(string text) =>
        TryParse(text, out var node, out var error) ? node : throw new FormatException($"invalid node '{text}': {error}");
}
