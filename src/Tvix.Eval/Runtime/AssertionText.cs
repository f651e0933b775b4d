using Tvix.Eval.Syntax;

namespace Tvix.Eval.Runtime;

/// <summary>
/// The text of an assertion's condition as Nix shows it (<c>assertion '…' failed</c>), rendered
/// when first needed: a package set has thousands of assertions and almost none fail, so
/// compiling one keeps the condition's syntax (a small subtree) instead of printing it.
/// </summary>
internal sealed class AssertionText(Expr condition, SourceText source, string baseDir, IEvalIO io)
{
    private string? _text;

    /// <summary>The condition, shown.</summary>
    public string Text => _text ??= ExpressionShow.Show(condition, source, baseDir, io.GetEnv("HOME") ?? "");

    /// <inheritdoc />
    public override string ToString() => Text;
}
