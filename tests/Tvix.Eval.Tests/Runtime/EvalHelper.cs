using Tvix.Eval.Bytecode;
using Tvix.Eval.Runtime;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>Evaluates small programs and prints them as <c>nix-instantiate --eval --strict</c>.</summary>
internal static class EvalHelper
{
    public static string Nix(string code, EvaluatorOptions? options = null)
    {
        var evaluator = new Evaluator(options ?? new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString(code, "/base");
        if (!result.Success)
        {
            if (result.Error is { } e) throw e;
            throw new InvalidOperationException(string.Join("\n", result.Diagnostics));
        }
        return evaluator.Run(cx => cx.Print(result.Value, strict: true));
    }

    /// <summary>
    /// Evaluates <paramref name="code"/> as the file <c>/base/default.nix</c> (of an in-memory
    /// filesystem): positions then have a file, as in nixpkgs, where <c>-E</c> code has none.
    /// </summary>
    public static string NixFile(string code)
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO().AddFile("/base/default.nix", code) });
        var result = evaluator.EvaluateFile("/base/default.nix");
        if (!result.Success)
        {
            if (result.Error is { } e) throw e;
            throw new InvalidOperationException(string.Join("\n", result.Diagnostics));
        }
        return evaluator.Run(cx => cx.Print(result.Value, strict: true));
    }

    /// <summary>The error message of a failing program (evaluation error or first diagnostic).</summary>
    public static (string Message, int Line, int Column, bool Catchable) EvalError(string code, EvaluatorOptions? options = null)
    {
        var evaluator = new Evaluator(options ?? new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString(code, "/base");
        if (result.Success)
        {
            try
            {
                var printed = evaluator.Run(cx => cx.Print(result.Value, strict: true));
                throw new Xunit.Sdk.XunitException($"expected an error, got {printed}");
            }
            catch (NixEvalException e) { return Describe(e); }
        }
        if (result.Error is { } err) return Describe(err);
        var d = result.Diagnostics.First(x => x.Severity == Tvix.Eval.Syntax.DiagnosticSeverity.Error);
        return (d.Message, d.Position.Line, d.Position.Column, false);
    }

    private static (string, int, int, bool) Describe(NixEvalException e)
    {
        var (line, col) = e.ErrorSource?.GetLineColumn(e.Span.Start) ?? (0, 0);
        return (e.Message, line, col, e.IsCatchable);
    }

    /// <summary>The bytecode listing of the body of the function <paramref name="code"/> evaluates to.</summary>
    public static string BodyOf(string code)
    {
        var evaluator = new Evaluator(new EvaluatorOptions { IO = new InMemoryEvalIO() });
        var result = evaluator.EvaluateString(code, "/base");
        Assert.True(result.Success);
        return evaluator.Run(cx =>
        {
            var closure = (Closure)cx.Force(result.Value).Obj!;
            var body = closure.Code.Chain?.Body ?? closure.Code.Body;
            // A body may be emitted on its first call: emit it without calling.
            var unit = Assert.IsType<CodeNode>(body);
            unit.EnsureLowered(cx);
            return unit.Disassemble();
        });
    }
}
