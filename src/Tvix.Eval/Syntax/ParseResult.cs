namespace Tvix.Eval.Syntax;

/// <summary>The outcome of <see cref="NixParser.Parse(SourceText)"/>: a syntax tree and what was wrong with the source.</summary>
public sealed class ParseResult
{
    internal ParseResult(SourceText source, Expr root, IReadOnlyList<Diagnostic> diagnostics)
    {
        Source = source;
        Root = root;
        Diagnostics = diagnostics;
        for (var i = 0; i < diagnostics.Count; i++)
        {
            if (diagnostics[i].Severity == DiagnosticSeverity.Error)
            {
                HasErrors = true;
                break;
            }
        }
    }

    /// <summary>The source that was parsed.</summary>
    public SourceText Source { get; }

    /// <summary>The syntax tree; never null. Where the parser recovered from an error it holds an <see cref="ErrorExpr"/>.</summary>
    public Expr Root { get; }

    /// <summary>Syntax errors and the static errors C++ Nix's parser reports (duplicate attributes and formals, dynamic attributes in <c>let</c>), in source order.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>Whether any diagnostic is an error: the tree must then not be evaluated.</summary>
    public bool HasErrors { get; }
}
