using System.Text;

namespace Tvix.Eval.Syntax;

/// <summary>
/// Renders a <see cref="Diagnostic"/> the way modern C++ Nix prints errors: the message, the
/// position, and the source line with a caret, between the lines before and after it.
/// </summary>
/// <example>
/// <code>
/// error: attribute 'x' already defined at «stdin»:1:3
///        at «stdin»:3:3:
///             2|   y = 456;
///             3|   x = 789;
///              |   ^
///             4| }
/// </code>
/// </example>
public static class DiagnosticFormatter
{
    /// <summary>The diagnostic as lines of text, ending with a newline.</summary>
    public static string Format(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        var sb = new StringBuilder();
        Append(sb, diagnostic);
        return sb.ToString();
    }

    /// <summary>Appends the rendering of <paramref name="diagnostic"/> to <paramref name="output"/>.</summary>
    public static void Append(StringBuilder output, Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(diagnostic);
        var source = diagnostic.Source;
        var (line, column) = diagnostic.Position;
        if (diagnostic.LocationFirst)
        {
            // Worded around its position by Nix itself, and printed without a source frame.
            output.Append(diagnostic.Severity == DiagnosticSeverity.Error ? "error: " : "warning: ")
                .Append("at ").Append(source.Name).Append(':').Append(line).Append(':').Append(column).Append(": ")
                .Append(diagnostic.Message).Append('\n');
            return;
        }
        output.Append(diagnostic.Severity == DiagnosticSeverity.Error ? "error: " : "warning: ")
            // Continuation lines of a message are indented under it, as Nix does.
            .Append(diagnostic.Message.Replace("\n", "\n       ", StringComparison.Ordinal)).Append('\n');
        output.Append("       at ").Append(source.Name).Append(':').Append(line).Append(':').Append(column).Append(":\n");
        var lineCount = CountLines(source);
        if (line > 1) AppendCodeLine(output, line - 1, source.GetLineText(line - 1));
        AppendCodeLine(output, line, source.GetLineText(line));
        output.Append("             |").Append(' ', column).Append("^\n");
        if (line < lineCount) AppendCodeLine(output, line + 1, source.GetLineText(line + 1));
    }

    private static void AppendCodeLine(StringBuilder output, int number, string text) =>
        output.Append("       ").Append(number.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(6)).Append("| ").Append(text).Append('\n');

    private static int CountLines(SourceText source)
    {
        var bytes = source.Bytes.Span;
        var count = 1;
        foreach (var b in bytes)
        {
            if (b == '\n') count++;
        }
        return count;
    }
}
