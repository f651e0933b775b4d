using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Tvix.Eval.Syntax;

/// <summary>
/// Renders an expression the way C++ Nix's <c>Expr::show</c> does, for the messages that quote
/// source as Nix prints it (<c>assertion '…' failed</c>).
/// </summary>
/// <remarks>
/// Nix prints its own tree, not the source: after its parser has desugared the expression.
/// So this prints what that tree would be: <c>a - b</c> is a call of <c>__sub</c>, <c>a &lt; b</c>
/// a call of <c>__lessThan</c>, <c>a &lt;= b</c> its negation, <c>-x</c> is <c>__sub 0 x</c>,
/// <c>&lt;p&gt;</c> is <c>__findFile __nixPath "p"</c>; a call whose function is itself a call gets
/// the argument appended (<c>(f a) b</c> and even <c>(-x) y</c> are one call); strings with
/// interpolation are concatenations of their pieces, as Nix's lexer cuts them; relative paths
/// are absolute; attribute sets show their nested paths merged, names sorted, inherited names
/// first. Every node is parenthesised as Nix does it, so the output is unambiguous but not
/// what was written.
/// </remarks>
internal static partial class ExpressionShow
{
    // Nesting beyond this (or beyond what the stack allows) prints as «too deep»: an assertion's
    // condition never comes near it, but the printer must not overflow the stack on any tree.
    private const int MaxDepth = 2000;

    /// <summary>
    /// <paramref name="expression"/> as Nix shows it. <paramref name="source"/> is the source the
    /// tree was parsed from (indented strings are re-read from it, as Nix's lexer cut them);
    /// <paramref name="baseDir"/> and <paramref name="home"/> make relative and <c>~</c> paths absolute.
    /// </summary>
    public static string Show(Expr expression, SourceText source, string baseDir, string home)
    {
        var writer = new Writer(source, baseDir, home);
        writer.Expr(expression, 0);
        return Encoding.UTF8.GetString(writer.Output.WrittenSpan);
    }

    private static Expr Strip(Expr e)
    {
        while (e is ParenExpr p) e = p.Inner;
        return e;
    }

    /// <summary>Whether Nix's parser makes <paramref name="e"/> (parentheses stripped) a call node.</summary>
    private static bool IsCall(Expr e) => e switch
    {
        ApplyExpr or SearchPathExpr => true,
        UnaryExpr u => u.Operator == UnaryOperator.Negate,
        BinaryExpr b => b.Operator is BinaryOperator.Subtract or BinaryOperator.Multiply or BinaryOperator.Divide
            or BinaryOperator.Less or BinaryOperator.Greater,
        _ => false,
    };

    private sealed partial class Writer(SourceText source, string baseDir, string home) : SyntaxByteWriter(128)
    {

        public void Expr(Expr e, int depth)
        {
            if (depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                Text("«too deep»");
                return;
            }
            depth++;
            e = Strip(e);
            if (IsCall(e))
            {
                Call(e, depth);
                return;
            }
            switch (e)
            {
                case IntLiteral i:
                    Raw(i.Value.ToString(CultureInfo.InvariantCulture));
                    break;
                case FloatLiteral f:
                    Raw(Runtime.Printer.FormatFloat(f.Value)); // C++'s %g, as Nix prints float values
                    break;
                case StringExpr s:
                    String(s, depth);
                    break;
                case PathExpr p:
                    Path(p, depth);
                    break;
                case UriExpr u:
                    LiteralString(Encoding.UTF8.GetBytes(u.Uri));
                    break;
                case VarExpr v:
                    Identifier(Encoding.UTF8.GetBytes(v.Name));
                    break;
                case SelectExpr s:
                    Byte((byte)'(');
                    Expr(s.Target, depth);
                    Raw(").");
                    AttrPath(s.Path, depth);
                    if (s.OrDefault is { } def)
                    {
                        Raw(" or (");
                        Expr(def, depth);
                        Byte((byte)')');
                    }
                    break;
                case HasAttrExpr h:
                    Raw("((");
                    Expr(h.Target, depth);
                    Raw(") ? ");
                    AttrPath(h.Path, depth);
                    Byte((byte)')');
                    break;
                case AttrSetExpr a:
                    Attrs(AttrsModel.Build(a.Bindings, a.IsRecursive, this), depth);
                    break;
                case LetExpr l:
                    Raw("(let ");
                    Bindings(AttrsModel.Build(l.Bindings, true, this), depth);
                    Raw("in ");
                    Expr(l.Body, depth);
                    Byte((byte)')');
                    break;
                case LegacyLetExpr l:
                    // Nix's parser turns `let { … }` into `(rec { … }).body`.
                    Byte((byte)'(');
                    Attrs(AttrsModel.Build(l.Bindings, true, this), depth);
                    Raw(").body");
                    break;
                case WithExpr w:
                    Raw("(with ");
                    Expr(w.Namespace, depth);
                    Raw("; ");
                    Expr(w.Body, depth);
                    Byte((byte)')');
                    break;
                case AssertExpr a:
                    Raw("assert ");
                    Expr(a.Condition, depth);
                    Raw("; ");
                    Expr(a.Body, depth);
                    break;
                case IfExpr i:
                    Raw("(if ");
                    Expr(i.Condition, depth);
                    Raw(" then ");
                    Expr(i.Then, depth);
                    Raw(" else ");
                    Expr(i.Else, depth);
                    Byte((byte)')');
                    break;
                case LambdaExpr l:
                    Lambda(l, depth);
                    break;
                case ListExpr l:
                    Raw("[ ");
                    foreach (var item in l.Items)
                    {
                        Byte((byte)'(');
                        Expr(item, depth);
                        Raw(") ");
                    }
                    Byte((byte)']');
                    break;
                case UnaryExpr u:
                    Raw("(! ");
                    Expr(u.Operand, depth);
                    Byte((byte)')');
                    break;
                case BinaryExpr b:
                    Binary(b, depth);
                    break;
                default:
                    // An error node (never compiled) or a node type this printer does not know.
                    Text("«error»");
                    break;
            }
        }

        private void Binary(BinaryExpr b, int depth)
        {
            switch (b.Operator)
            {
                case BinaryOperator.LessOrEqual:
                    // a <= b is !(b < a), a >= b is !(a < b).
                    Raw("(! (__lessThan ");
                    Expr(b.Right, depth);
                    Byte((byte)' ');
                    Expr(b.Left, depth);
                    Raw("))");
                    return;
                case BinaryOperator.GreaterOrEqual:
                    Raw("(! (__lessThan ");
                    Expr(b.Left, depth);
                    Byte((byte)' ');
                    Expr(b.Right, depth);
                    Raw("))");
                    return;
            }
            // The rest are Nix's binary operator nodes; `+` is a two-piece string concatenation, shown alike.
            Byte((byte)'(');
            Expr(b.Left, depth);
            Raw(b.Operator switch
            {
                BinaryOperator.Add => " + ",
                BinaryOperator.Concat => " ++ ",
                BinaryOperator.Update => " // ",
                BinaryOperator.Equal => " == ",
                BinaryOperator.NotEqual => " != ",
                BinaryOperator.And => " && ",
                BinaryOperator.Or => " || ",
                _ => " -> ",
            });
            Expr(b.Right, depth);
            Byte((byte)')');
        }

        /// <summary>
        /// A node that is a call in Nix's tree: the applications down the function side are
        /// one call (Nix's parser appends an argument to a call rather than calling it).
        /// </summary>
        private void Call(Expr e, int depth)
        {
            var applied = new List<Expr>();
            while (e is ApplyExpr a)
            {
                applied.Add(a.Argument);
                e = Strip(a.Function);
            }
            Byte((byte)'(');
            // The head: a node Nix makes a call of (its own arguments come first), or the function.
            switch (IsCall(e) ? e : null)
            {
                case UnaryExpr u:
                    Raw("__sub 0 ");
                    Expr(u.Operand, depth);
                    break;
                case BinaryExpr b:
                    var swap = b.Operator == BinaryOperator.Greater;
                    Raw(b.Operator switch
                    {
                        BinaryOperator.Subtract => "__sub ",
                        BinaryOperator.Multiply => "__mul ",
                        BinaryOperator.Divide => "__div ",
                        _ => "__lessThan ",
                    });
                    Expr(swap ? b.Right : b.Left, depth);
                    Byte((byte)' ');
                    Expr(swap ? b.Left : b.Right, depth);
                    break;
                case SearchPathExpr s:
                    Raw("__findFile __nixPath ");
                    LiteralString(Encoding.UTF8.GetBytes(s.Path));
                    break;
                default:
                    Expr(e, depth);
                    break;
            }
            for (var i = applied.Count - 1; i >= 0; i--)
            {
                Byte((byte)' ');
                Expr(applied[i], depth);
            }
            Byte((byte)')');
        }

        private void Lambda(LambdaExpr l, int depth)
        {
            Byte((byte)'(');
            switch (l.Parameter)
            {
                case IdentParameter p:
                    Identifier(Encoding.UTF8.GetBytes(p.Name));
                    break;
                case PatternParameter p:
                {
                    // Formals in the byte order of their names (not as written).
                    var formals = new (byte[] Name, Formal Formal)[p.Formals.Count];
                    for (var i = 0; i < formals.Length; i++) formals[i] = (Encoding.UTF8.GetBytes(p.Formals[i].Name), p.Formals[i]);
                    Array.Sort(formals, (x, y) => x.Name.AsSpan().SequenceCompareTo(y.Name));
                    Raw("{ ");
                    var first = true;
                    foreach (var (name, formal) in formals)
                    {
                        if (!first) Raw(", ");
                        first = false;
                        Identifier(name);
                        if (formal.Default is { } def)
                        {
                            Raw(" ? ");
                            Expr(def, depth);
                        }
                    }
                    if (p.HasEllipsis) Raw(first ? "..." : ", ...");
                    Raw(" }");
                    if (p.AtName is { } at)
                    {
                        Raw(" @ ");
                        Identifier(Encoding.UTF8.GetBytes(at));
                    }
                    break;
                }
            }
            Raw(": ");
            Expr(l.Body, depth);
            Byte((byte)')');
        }

        private void AttrPath(AttrPath path, int depth)
        {
            for (var i = 0; i < path.Count; i++)
            {
                if (i > 0) Byte((byte)'.');
                AttrName(path.NameAt(i), depth);
            }
        }

        /// <summary>A component of a selection path: a name, or <c>"${e}"</c> for a dynamic one.</summary>
        private void AttrName(AttrName name, int depth)
        {
            if (StaticKey(name) is { } key)
            {
                Identifier(key);
                return;
            }
            Raw("\"${");
            Expr(DynamicNameExpr(name), depth);
            Raw("}\"");
        }
    }
}
