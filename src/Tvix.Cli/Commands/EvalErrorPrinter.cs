using System.Text;
using Tvix.Eval;
using Tvix.Eval.Syntax;

namespace Tvix.Cli.Commands;

/// <summary>Prints Nix errors the way modern Nix does: message, position, source line with a caret.</summary>
internal static class EvalErrorPrinter
{
    public static void PrintDiagnostics(TextWriter stderr, IReadOnlyList<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics)
        {
            if (d.Severity != DiagnosticSeverity.Error) continue;
            var sb = new StringBuilder();
            sb.Append("error: ").Append(d.Message).Append('\n');
            AppendPosition(sb, d.Source, d.Span, "       ");
            stderr.Write(sb.ToString());
        }
    }

    /// <summary>Prints why an evaluation failed: its diagnostics, then its error if it has one.</summary>
    public static void PrintFailure(TextWriter stderr, EvaluationResult result, bool showTrace)
    {
        PrintDiagnostics(stderr, result.Diagnostics);
        if (result.Error is { } error) Print(stderr, error, showTrace);
    }

    public static void Print(TextWriter stderr, NixEvalException e, bool showTrace)
    {
        var sb = new StringBuilder();
        if (showTrace && e.Trace.Count > 0)
        {
            sb.Append("error:\n");
            for (var i = e.Trace.Count - 1; i >= 0; i--)
            {
                var f = e.Trace[i];
                sb.Append("       … ").Append(f.Message).Append('\n');
                if (f.Source is not null) AppendPosition(sb, f.Source, f.Span, "         ");
                sb.Append('\n');
            }
            sb.Append("       error: ").Append(e.Message).Append('\n');
        }
        else sb.Append("error: ").Append(e.Message).Append('\n');
        if (e.ErrorSource is { } src) AppendPosition(sb, src, e.Span, "       ");
        stderr.Write(sb.ToString());
    }

    private static void AppendPosition(StringBuilder sb, SourceText source, TextSpan span, string indent)
    {
        var (line, col) = source.GetLineColumn(span.Start);
        sb.Append(indent).Append("at ").Append(source.Name).Append(':').Append(line).Append(':').Append(col).Append(":\n");
        // Like Nix: the line before, the line itself with a caret under the column, the line after;
        // line numbers right-aligned so that '|' is in column 14.
        for (var l = Math.Max(1, line - 1); l <= line + 1; l++)
        {
            var text = source.GetLineText(l);
            if (l > line && text.Length == 0) break;
            sb.Append("       ").Append(l.ToString().PadLeft(6)).Append("| ").Append(text).Append('\n');
            if (l == line)
                sb.Append("             | ").Append(new string(' ', Math.Max(0, col - 1))).Append("^\n");
        }
    }
}
