using System.Globalization;
using System.Text;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Tests.Syntax;

/// <summary>
/// Writes a syntax tree as a compact S-expression, so tests can state the expected structure in
/// one line: <c>(+ 1 (* 2 3))</c>, <c>(. a b.c or d)</c>, <c>(fn x (app f x))</c>.
/// </summary>
internal static class Shape
{
    public static string Of(Expr e, bool ignoreParens = false)
    {
        var sb = new StringBuilder();
        new Writer(sb, ignoreParens).Expr(e);
        return sb.ToString();
    }

    /// <summary>Parses text, asserts there are no errors (warnings may be), and returns the shape.</summary>
    public static string Parse(string text)
    {
        var result = NixParser.Parse(SourceText.From(text));
        Assert.True(!result.HasErrors,
            "unexpected errors for: " + text + "\n" + string.Join("\n", result.Diagnostics));
        return Of(result.Root);
    }

    public static string Bytes(byte[] bytes)
    {
        var sb = new StringBuilder("\"");
        foreach (var b in bytes)
        {
            if (b == '"' || b == '\\') sb.Append('\\').Append((char)b);
            else if (b == '\n') sb.Append("\\n");
            else if (b == '\r') sb.Append("\\r");
            else if (b == '\t') sb.Append("\\t");
            else if (b < 0x20 || b >= 0x7f) sb.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
            else sb.Append((char)b);
        }
        return sb.Append('"').ToString();
    }

    private sealed class Writer(StringBuilder sb, bool ignoreParens)
    {
        public void Expr(Expr e)
        {
            switch (e)
            {
                case IntLiteral i: sb.Append(i.Value.ToString(CultureInfo.InvariantCulture)); break;
                case FloatLiteral f: sb.Append("f:").Append(f.Value.ToString("R", CultureInfo.InvariantCulture)); break;
                case StringExpr s:
                    if (!s.IsIndented && s.Parts is [LiteralPart only]) sb.Append(Bytes(only.Bytes));
                    else if (!s.IsIndented && s.Parts.Count == 0) sb.Append("\"\"");
                    else Parts(s.IsIndented ? "istr" : "str", s.Parts);
                    break;
                case PathExpr p: Parts("path:" + p.Kind, p.Parts); break;
                case SearchPathExpr sp: sb.Append('<').Append(sp.Path).Append('>'); break;
                case UriExpr u: sb.Append("(uri ").Append(u.Uri).Append(')'); break;
                case VarExpr v: sb.Append(v.Name); break;
                case SelectExpr sel:
                    sb.Append("(. ");
                    Expr(sel.Target);
                    sb.Append(' ');
                    Path(sel.Path);
                    if (sel.OrDefault != null)
                    {
                        sb.Append(" or ");
                        Expr(sel.OrDefault);
                    }
                    sb.Append(')');
                    break;
                case HasAttrExpr h:
                    sb.Append("(? ");
                    Expr(h.Target);
                    sb.Append(' ');
                    Path(h.Path);
                    sb.Append(')');
                    break;
                case AttrSetExpr set:
                    sb.Append(set.IsRecursive ? "(rec" : "(set");
                    Bindings(set.Bindings);
                    sb.Append(')');
                    break;
                case LegacyLetExpr legacy:
                    sb.Append("(letset");
                    Bindings(legacy.Bindings);
                    sb.Append(')');
                    break;
                case LetExpr let:
                    sb.Append("(let");
                    Bindings(let.Bindings);
                    sb.Append(" in ");
                    Expr(let.Body);
                    sb.Append(')');
                    break;
                case WithExpr w: Node("with", w.Namespace, w.Body); break;
                case AssertExpr a: Node("assert", a.Condition, a.Body); break;
                case IfExpr i: Node("if", i.Condition, i.Then, i.Else); break;
                case LambdaExpr l:
                    sb.Append("(fn ");
                    Parameter(l.Parameter);
                    sb.Append(' ');
                    Expr(l.Body);
                    sb.Append(')');
                    break;
                case ApplyExpr app: Node("app", app.Function, app.Argument); break;
                case ListExpr list:
                    sb.Append('[');
                    for (var i = 0; i < list.Items.Count; i++)
                    {
                        if (i > 0) sb.Append(' ');
                        Expr(list.Items[i]);
                    }
                    sb.Append(']');
                    break;
                case UnaryExpr u: Node(u.Operator == UnaryOperator.Not ? "!" : "neg", u.Operand); break;
                case BinaryExpr b: Node(Op(b.Operator), b.Left, b.Right); break;
                case ParenExpr p:
                    if (ignoreParens) Expr(p.Inner);
                    else Node("paren", p.Inner);
                    break;
                case ErrorExpr: sb.Append("ERR"); break;
                default: sb.Append('?').Append(e.GetType().Name); break;
            }
        }

        private void Node(string head, params Expr[] children)
        {
            sb.Append('(').Append(head);
            foreach (var c in children)
            {
                sb.Append(' ');
                Expr(c);
            }
            sb.Append(')');
        }

        private void Parts(string head, IReadOnlyList<StringPart> parts)
        {
            sb.Append('(').Append(head);
            foreach (var part in parts)
            {
                sb.Append(' ');
                if (part is LiteralPart lit)
                {
                    sb.Append(Bytes(lit.Bytes));
                }
                else
                {
                    sb.Append("${");
                    Expr(((InterpolationPart)part).Expression);
                    sb.Append('}');
                }
            }
            sb.Append(')');
        }

        private void Path(AttrPath path)
        {
            for (var i = 0; i < path.Names.Count; i++)
            {
                if (i > 0) sb.Append('.');
                Name(path.Names[i]);
            }
        }

        private void Name(AttrName name)
        {
            switch (name)
            {
                case IdentAttrName id: sb.Append(id.Name); break;
                case StringAttrName s:
                    if (s.Value.Parts is [LiteralPart only]) sb.Append(Bytes(only.Bytes));
                    else Parts("str", s.Value.Parts);
                    break;
                case DynamicAttrName d:
                    sb.Append("${");
                    Expr(d.Expression);
                    sb.Append('}');
                    break;
            }
        }

        private void Bindings(IReadOnlyList<Binding> bindings)
        {
            foreach (var b in bindings)
            {
                sb.Append(' ');
                if (b is AttrBinding attr)
                {
                    Path(attr.Path);
                    sb.Append('=');
                    Expr(attr.Value);
                    sb.Append(';');
                }
                else if (b is InheritBinding inherit)
                {
                    sb.Append("inherit");
                    if (inherit.From != null)
                    {
                        sb.Append(" (");
                        Expr(inherit.From);
                        sb.Append(')');
                    }
                    foreach (var n in inherit.Names)
                    {
                        sb.Append(' ');
                        Name(n);
                    }
                    sb.Append(';');
                }
            }
        }

        private void Parameter(Parameter parameter)
        {
            if (parameter is IdentParameter id)
            {
                sb.Append(id.Name);
                return;
            }
            var p = (PatternParameter)parameter;
            if (p.AtName != null && p.AtNameFirst) sb.Append(p.AtName).Append('@');
            sb.Append('{');
            for (var i = 0; i < p.Formals.Count; i++)
            {
                if (i > 0) sb.Append(' ');
                sb.Append(p.Formals[i].Name);
                if (p.Formals[i].Default is { } d)
                {
                    sb.Append('?');
                    Expr(d);
                }
            }
            if (p.HasEllipsis) sb.Append(p.Formals.Count > 0 ? " ..." : "...");
            sb.Append('}');
            if (p.AtName != null && !p.AtNameFirst) sb.Append('@').Append(p.AtName);
        }

        private static string Op(BinaryOperator op) => op switch
        {
            BinaryOperator.Add => "+",
            BinaryOperator.Subtract => "-",
            BinaryOperator.Multiply => "*",
            BinaryOperator.Divide => "/",
            BinaryOperator.Concat => "++",
            BinaryOperator.Update => "//",
            BinaryOperator.Equal => "==",
            BinaryOperator.NotEqual => "!=",
            BinaryOperator.Less => "<",
            BinaryOperator.LessOrEqual => "<=",
            BinaryOperator.Greater => ">",
            BinaryOperator.GreaterOrEqual => ">=",
            BinaryOperator.And => "&&",
            BinaryOperator.Or => "||",
            _ => "->",
        };
    }
}
