using System.Buffers;

namespace Tvix.Eval.Syntax;

/// <summary>
/// Parses Nix source into a syntax tree (<see cref="Expr"/>) with byte spans and diagnostics.
/// </summary>
/// <remarks>
/// <para>
/// Design. Parsing has two stages. The <see cref="Lexer"/> reproduces C++ Nix's flex lexer
/// over raw bytes (longest match, the same start states for strings, indented strings and
/// paths, so <c>x:x</c> is a URI, <c>1/2</c> a path and <c>1e3</c> is not a float, exactly as
/// in Nix) and writes the whole input into a compact token array. The parser is then a
/// hand-written recursive-descent parser over that array, shaped after Nix's bison grammar
/// (<c>expr_function</c> → <c>expr_if</c> → <c>expr_op</c> → <c>expr_app</c> →
/// <c>expr_select</c> → <c>expr_simple</c>). Operators are parsed by precedence climbing with
/// bison's precedences and associativities, including the non-associative comparison
/// operators and the low-binding prefix <c>!</c>. Free look-ahead over the token array decides
/// the one place the grammar needs it: whether a <c>{</c> opens a formal parameter set.
/// </para>
/// <para>
/// Static checks that Nix makes while parsing run as bindings are added: duplicate attributes
/// (with Nix's merging of nested attribute paths and attribute-set literals), duplicate
/// formals, dynamic attributes in <c>let</c> and in <c>inherit</c>. Messages use Nix's wording.
/// </para>
/// <para>
/// Errors never throw. A syntax error is reported once, then the parser resynchronises at
/// <c>;</c>, <c>}</c>, <c>]</c>, <c>)</c> or <c>in</c>, leaves an <see cref="ErrorExpr"/> in
/// the tree and goes on, so one run reports several independent errors. Diagnostics are kept
/// in the order Nix would meet them, so the first is the one <c>nix-instantiate --parse</c>
/// reports. Nesting is bounded
/// (a depth counter plus <see cref="System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack"/>),
/// so hostile input yields "expression nested too deeply" instead of a stack overflow.
/// </para>
/// <para>
/// Cost. No regular expressions, no LINQ, no allocation per punctuation token; identifiers are
/// interned per parse, and string and number values are decoded straight from the source bytes.
/// </para>
/// </remarks>
public static class NixParser
{
    /// <summary>Parses <paramref name="source"/>. Never throws; problems are in <see cref="ParseResult.Diagnostics"/>.</summary>
    public static ParseResult Parse(SourceText source)
    {
        ArgumentNullException.ThrowIfNull(source);
        // A one-off parse: a symbol table sized for the source (as Parser reserves: a name per 128 bytes),
        // and the token arrays from the shared pools. (An evaluator lends its own scratch space
        // instead, which needs no pool: that keeps ArrayPool<TokenRange> off its start-up path.)
        var length = source.Bytes.Length;
        var capacity = 16;
        while (capacity < length / 128 && capacity < 1 << 20) capacity *= 2;
        var scratch = new ParserScratch(new Runtime.SymbolTable(capacity));
        var ranges = ArrayPool<TokenRange>.Shared.Rent(Math.Max(16, length / 4));
        var kinds = ArrayPool<TokenKind>.Shared.Rent(ranges.Length);
        scratch.TokenRanges = ranges;
        scratch.TokenKinds = kinds;
        try
        {
            return Parse(source, scratch);
        }
        finally
        {
            ArrayPool<TokenRange>.Shared.Return(ranges);
            ArrayPool<TokenKind>.Shared.Return(kinds);
        }
    }

    /// <summary>
    /// Parses with an evaluator's scratch space (interning identifiers into its symbol table), or
    /// with a fresh one if that is in use.
    /// </summary>
    internal static ParseResult Parse(SourceText source, ParserScratch scratch)
    {
        if (scratch.InUse) scratch = new ParserScratch(scratch.Symbols);
        scratch.InUse = true;
        try
        {
            return new Parser(source, scratch).ParseRoot();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Defence in depth (the parser itself catches too, once the input is tokenised).
            var span = new TextSpan(0, 0);
            var diagnostic = new Diagnostic(DiagnosticSeverity.Error, "internal error in the Nix parser: " + e.Message, source, span);
            return new ParseResult(source, new ErrorExpr(span), [diagnostic]);
        }
        finally
        {
            scratch.ReleaseLarge();
            scratch.InUse = false;
        }
    }
}
