using Tvix.Eval.Runtime;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Compiler;

/// <summary>
/// What the members of one large set compiled later (<see cref="DeferredNode"/>) share: the
/// scopes as they were where the members are written, and how the file was compiled.
/// </summary>
internal sealed class DeferredScope(Scope scope, string baseDir, bool treeSymbols)
{
    public readonly Scope Scope = scope;
    public readonly string BaseDir = baseDir;
    public readonly bool TreeSymbols = treeSymbols;
}

/// <summary>
/// A member of a large set whose expression is compiled on its first run, not with its file:
/// package sets and libraries are loaded whole and one evaluation runs a few of their members
/// (docs/performance.md, session 7). Only made where the bytecode back end emits the member as a
/// lazy unit anyway (<see cref="Bytecode.Lowering.LazyBindings"/>) and where a walk that
/// resolves the member's variables finds that compiling it reports nothing
/// (<see cref="DeferralCheck"/>), so the file's static errors are still all reported when it loads.
/// </summary>
/// <remarks>
/// The member's name is not kept (48 bytes a member, a package set has thousands): only a lambda
/// keeps its name, and <see cref="DeferralCheck"/> never defers a lambda, whose closure is made
/// without running its code.
/// </remarks>
internal sealed class DeferredNode(SourceText source, Expr expression, DeferredScope scope) : Node(source, expression.Span)
{
    private readonly Expr _expression = expression;
    private readonly DeferredScope _scope = scope;

    /// <summary>The member's code, compiled in the scopes it was written in.</summary>
    public Node Compile(EvalContext cx)
    {
        var diagnostics = new List<Diagnostic>();
        var compiler = new NixCompiler(cx, Source, _scope.BaseDir, diagnostics, _scope.Scope, _scope.TreeSymbols);
        var node = compiler.Compile(_expression);
        // DeferralCheck lets through only expressions that compile without diagnostics.
        foreach (var d in diagnostics)
            if (d.Severity == DiagnosticSeverity.Error) throw Error(d.Message);
        return node;
    }
}
