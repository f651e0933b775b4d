namespace Tvix.Eval.Syntax;

/// <summary>How serious a diagnostic is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Reported, but evaluation goes on.</summary>
    Warning,
    /// <summary>The source cannot be evaluated.</summary>
    Error,
}

/// <summary>
/// A message about a place in a source: a syntax error, a static error found by the compiler
/// (undefined variable, duplicate attribute), or a lint warning.
/// </summary>
public sealed record Diagnostic(DiagnosticSeverity Severity, string Message, SourceText Source, TextSpan Span)
{
    /// <summary>
    /// Printed as <c>warning: at NAME:LINE:COL: MESSAGE</c>, the way Nix prints warnings it words
    /// itself around a position (the cursed <c>or</c>), rather than with the position below.
    /// </summary>
    internal bool LocationFirst { get; init; }

    /// <summary>1-based line and column of the start of the span.</summary>
    public (int Line, int Column) Position => Source.GetLineColumn(Span.Start);

    /// <summary><c>error: MESSAGE at NAME:LINE:COL</c>, as a single line.</summary>
    public override string ToString()
    {
        var (line, col) = Position;
        var kind = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        if (LocationFirst) return $"{kind}: at {Source.Name}:{line}:{col}: {Message}";
        return $"{kind}: {Message}\n       at {Source.Name}:{line}:{col}";
    }
}
