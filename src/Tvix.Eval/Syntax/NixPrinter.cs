using System.Buffers;
using System.Globalization;
using System.Text;

namespace Tvix.Eval.Syntax;

/// <summary>
/// Prints a syntax tree back as Nix source, on one line. Parsing the output gives the same
/// tree, except that the printer adds parentheses where a tree built by hand needs them.
/// </summary>
/// <remarks>
/// Strings are byte strings, so <see cref="PrintUtf8"/> is exact; <see cref="Print"/> decodes
/// the bytes as UTF-8, replacing invalid sequences. Indented strings are printed with escapes
/// (<c>''$</c>, <c>''\'</c>, <c>''\ </c> for leading spaces) so that re-parsing strips nothing.
/// Nesting deeper than a few thousand levels prints as <c>«too deep»</c>.
/// </remarks>
public static class NixPrinter
{
    private const int MaxDepth = 5000;

    /// <summary>The expression as Nix source text.</summary>
    public static string Print(Expr expression) => Encoding.UTF8.GetString(PrintUtf8(expression));

    /// <summary>The expression as Nix source bytes.</summary>
    public static byte[] PrintUtf8(Expr expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var writer = new Writer();
        writer.Expr(expression, 0, 0);
        return writer.Output.WrittenSpan.ToArray();
    }

    // Binding levels, loosest first: 0 function/if, 1..11 operators (as in the parser), 12 '-' prefix, 13 application, 14 select, 15 simple.
    private const int LevelApp = 13;
    private const int LevelSelect = 14;
    private const int LevelSimple = 15;

    private static int Level(Expr e) => e switch
    {
        LambdaExpr or LetExpr or WithExpr or AssertExpr or IfExpr => 0,
        BinaryExpr b => OperatorLevel(b.Operator),
        HasAttrExpr => 11,
        UnaryExpr { Operator: UnaryOperator.Not } => 7,
        UnaryExpr => 12,
        ApplyExpr { Argument: VarExpr { Name: "or" } } => LevelSelect,
        ApplyExpr => LevelApp,
        SelectExpr => LevelSelect,
        _ => LevelSimple,
    };

    private static int OperatorLevel(BinaryOperator op) => op switch
    {
        BinaryOperator.Implies => 1,
        BinaryOperator.Or => 2,
        BinaryOperator.And => 3,
        BinaryOperator.Equal or BinaryOperator.NotEqual => 4,
        BinaryOperator.Less or BinaryOperator.LessOrEqual or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual => 5,
        BinaryOperator.Update => 6,
        BinaryOperator.Add or BinaryOperator.Subtract => 8,
        BinaryOperator.Multiply or BinaryOperator.Divide => 9,
        _ => 10, // Concat
    };

    private static bool IsRightAssociative(BinaryOperator op) =>
        op is BinaryOperator.Implies or BinaryOperator.Update or BinaryOperator.Concat;

    private static bool IsNonAssociative(BinaryOperator op) =>
        op is BinaryOperator.Equal or BinaryOperator.NotEqual or BinaryOperator.Less or BinaryOperator.LessOrEqual
            or BinaryOperator.Greater or BinaryOperator.GreaterOrEqual;

    private static string OperatorText(BinaryOperator op) => op switch
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

    private sealed class Writer() : SyntaxByteWriter(256)
    {

        /// <summary>Where the last URI ended: a ',' right after it would be read as part of the URI.</summary>
        private int _uriEnd = -1;

        /// <summary>Prints <paramref name="e"/> where at least binding level <paramref name="level"/> is required.</summary>
        public void Expr(Expr e, int level, int depth)
        {
            if (depth > MaxDepth)
            {
                Raw("«too deep»");
                return;
            }
            if (Level(e) < level)
            {
                Byte((byte)'(');
                Core(e, depth + 1);
                Byte((byte)')');
            }
            else
            {
                Core(e, depth + 1);
            }
        }

        private void Core(Expr e, int depth)
        {
            switch (e)
            {
                case IntLiteral i:
                    Raw(i.Value.ToString(CultureInfo.InvariantCulture));
                    break;
                case FloatLiteral f:
                    Raw(FormatFloat(f.Value));
                    break;
                case StringExpr s:
                    if (s.IsIndented) IndentedString(s.Parts, depth);
                    else QuotedString(s.Parts, depth);
                    break;
                case PathExpr p:
                    foreach (var part in p.Parts)
                    {
                        if (part is LiteralPart lit) Raw(lit.Bytes);
                        else Interpolation((InterpolationPart)part, depth);
                    }
                    break;
                case SearchPathExpr sp:
                    Byte((byte)'<');
                    Text(sp.Path);
                    Byte((byte)'>');
                    break;
                case UriExpr u:
                    Text(u.Uri);
                    _uriEnd = Output.WrittenCount;
                    break;
                case VarExpr v:
                    Text(v.Name);
                    break;
                case ParenExpr paren:
                    Byte((byte)'(');
                    Expr(paren.Inner, 0, depth);
                    Byte((byte)')');
                    break;
                case SelectExpr sel:
                    // A number or path right before '.' would swallow it ("1.x" is a float, "./a.x" a path).
                    Expr(sel.Target, sel.Target is IntLiteral or FloatLiteral or PathExpr or UriExpr ? LevelSimple + 1 : LevelSimple, depth);
                    Byte((byte)'.');
                    AttrPath(sel.Path, depth);
                    if (sel.OrDefault != null)
                    {
                        Raw(" or ");
                        Expr(sel.OrDefault, LevelSelect, depth);
                    }
                    break;
                case HasAttrExpr has:
                    Expr(has.Target, 11, depth);
                    Raw(" ? ");
                    AttrPath(has.Path, depth);
                    break;
                case ApplyExpr { Argument: VarExpr { Name: "or" } } legacyOr:
                    Expr(legacyOr.Function, LevelSimple, depth);
                    Raw(" or");
                    break;
                case ApplyExpr app:
                    Expr(app.Function, LevelApp, depth);
                    Byte((byte)' ');
                    Expr(app.Argument, LevelSelect, depth);
                    break;
                case UnaryExpr un:
                    Byte(un.Operator == UnaryOperator.Not ? (byte)'!' : (byte)'-');
                    // "-./a" or "-a/b" would lex as one path.
                    Expr(un.Operand, un.Operator == UnaryOperator.Not ? 8 : un.Operand is PathExpr ? LevelSimple + 1 : LevelApp, depth);
                    break;
                case BinaryExpr bin:
                {
                    var level = OperatorLevel(bin.Operator);
                    var right = IsRightAssociative(bin.Operator);
                    var none = IsNonAssociative(bin.Operator);
                    Expr(bin.Left, right || none ? level + 1 : level, depth);
                    Byte((byte)' ');
                    Raw(OperatorText(bin.Operator));
                    Byte((byte)' ');
                    Expr(bin.Right, right ? level : level + 1, depth);
                    break;
                }
                case ListExpr list:
                    Byte((byte)'[');
                    foreach (var item in list.Items)
                    {
                        Byte((byte)' ');
                        Expr(item, LevelSelect, depth);
                    }
                    Raw(" ]");
                    break;
                case AttrSetExpr set:
                    if (set.IsRecursive) Raw("rec ");
                    Bindings(set.Bindings, depth);
                    break;
                case LegacyLetExpr legacy:
                    Raw("let ");
                    Bindings(legacy.Bindings, depth);
                    break;
                case LetExpr let:
                    Raw("let");
                    foreach (var b in let.Bindings)
                    {
                        Byte((byte)' ');
                        Binding(b, depth);
                    }
                    Raw(" in ");
                    Expr(let.Body, 0, depth);
                    break;
                case WithExpr with:
                    Raw("with ");
                    Expr(with.Namespace, 0, depth);
                    Raw("; ");
                    Expr(with.Body, 0, depth);
                    break;
                case AssertExpr assert:
                    Raw("assert ");
                    Expr(assert.Condition, 0, depth);
                    Raw("; ");
                    Expr(assert.Body, 0, depth);
                    break;
                case IfExpr ifExpr:
                    Raw("if ");
                    Expr(ifExpr.Condition, 0, depth);
                    Raw(" then ");
                    Expr(ifExpr.Then, 0, depth);
                    Raw(" else ");
                    Expr(ifExpr.Else, 0, depth);
                    break;
                case LambdaExpr lambda:
                    Parameter(lambda.Parameter, depth);
                    Raw(": ");
                    Expr(lambda.Body, 0, depth);
                    break;
                default:
                    Raw("«error»");
                    break;
            }
        }

        private static string FormatFloat(double value)
        {
            var s = value.ToString("R", CultureInfo.InvariantCulture);
            if (s.Contains('.', StringComparison.Ordinal) || !double.IsFinite(value)) return s;
            // Nix's float literals need a '.': 1E+20 → 1.0E+20, 100 → 100.0.
            var e = s.IndexOf('E', StringComparison.Ordinal);
            return e < 0 ? s + ".0" : s[..e] + ".0" + s[e..];
        }

        private void Interpolation(InterpolationPart part, int depth)
        {
            Raw("${");
            Expr(part.Expression, 0, depth);
            Byte((byte)'}');
        }

        private void QuotedString(IReadOnlyList<StringPart> parts, int depth)
        {
            Byte((byte)'"');
            foreach (var part in parts)
            {
                if (part is InterpolationPart interpolation)
                {
                    Interpolation(interpolation, depth);
                    continue;
                }
                foreach (var b in ((LiteralPart)part).Bytes)
                {
                    switch (b)
                    {
                        case (byte)'"': Raw("\\\""); break;
                        case (byte)'\\': Raw("\\\\"); break;
                        case (byte)'$': Raw("\\$"); break;
                        case (byte)'\n': Raw("\\n"); break;
                        case (byte)'\r': Raw("\\r"); break;
                        case (byte)'\t': Raw("\\t"); break;
                        default: Byte(b); break;
                    }
                }
            }
            Byte((byte)'"');
        }

        private void IndentedString(IReadOnlyList<StringPart> parts, int depth)
        {
            Raw("''");
            var atLineStart = true;
            var first = true;
            foreach (var part in parts)
            {
                if (part is InterpolationPart interpolation)
                {
                    Interpolation(interpolation, depth);
                    atLineStart = false;
                    first = false;
                    continue;
                }
                foreach (var b in ((LiteralPart)part).Bytes)
                {
                    if (b == '\'') Raw("''\\'");
                    else if (b == '$') Raw("''$");
                    else if (b == ' ' && atLineStart) Raw("''\\ ");
                    else if (b == '\n' && first) Raw("''\\n");
                    else Byte(b);
                    atLineStart = b == '\n';
                    first = false;
                }
            }
            Raw("''");
        }

        private void AttrPath(AttrPath path, int depth)
        {
            for (var i = 0; i < path.Names.Count; i++)
            {
                if (i > 0) Byte((byte)'.');
                AttrName(path.Names[i], depth);
            }
        }

        private void AttrName(AttrName name, int depth)
        {
            switch (name)
            {
                case IdentAttrName id when IsPlainName(id.Name):
                    Text(id.Name);
                    break;
                case IdentAttrName id:
                    QuotedString([new LiteralPart(id.Span, Encoding.UTF8.GetBytes(id.Name))], depth);
                    break;
                case StringAttrName s:
                    QuotedString(s.Value.Parts, depth);
                    break;
                case DynamicAttrName d:
                    Raw("${");
                    Expr(d.Expression, 0, depth);
                    Byte((byte)'}');
                    break;
            }
        }

        private static bool IsPlainName(string name)
        {
            if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_')) return false;
            foreach (var c in name)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '\'' or '-')) return false;
            }
            return name is not ("if" or "then" or "else" or "assert" or "with" or "let" or "in" or "rec" or "inherit");
        }

        private void Bindings(IReadOnlyList<Binding> bindings, int depth)
        {
            Byte((byte)'{');
            foreach (var b in bindings)
            {
                Byte((byte)' ');
                Binding(b, depth);
            }
            Raw(" }");
        }

        private void Binding(Binding binding, int depth)
        {
            switch (binding)
            {
                case AttrBinding attr:
                    AttrPath(attr.Path, depth);
                    Raw(" = ");
                    Expr(attr.Value, 0, depth);
                    Byte((byte)';');
                    break;
                case InheritBinding inherit:
                    Raw("inherit");
                    if (inherit.From != null)
                    {
                        Raw(" (");
                        Expr(inherit.From, 0, depth);
                        Byte((byte)')');
                    }
                    foreach (var name in inherit.Names)
                    {
                        Byte((byte)' ');
                        AttrName(name, depth);
                    }
                    Byte((byte)';');
                    break;
            }
        }

        private void Parameter(Parameter parameter, int depth)
        {
            switch (parameter)
            {
                case IdentParameter id:
                    Text(id.Name);
                    break;
                case PatternParameter pattern:
                    if (pattern.AtName != null && pattern.AtNameFirst)
                    {
                        Text(pattern.AtName);
                        Byte((byte)'@');
                    }
                    Byte((byte)'{');
                    for (var i = 0; i < pattern.Formals.Count; i++)
                    {
                        if (i > 0 && _uriEnd == Output.WrittenCount) Byte((byte)' ');
                        Raw(i == 0 ? " " : ", ");
                        var formal = pattern.Formals[i];
                        Text(formal.Name);
                        if (formal.Default != null)
                        {
                            Raw(" ? ");
                            Expr(formal.Default, 0, depth);
                        }
                    }
                    if (pattern.HasEllipsis && pattern.Formals.Count > 0 && _uriEnd == Output.WrittenCount) Byte((byte)' ');
                    if (pattern.HasEllipsis) Raw(pattern.Formals.Count == 0 ? " ..." : ", ...");
                    Raw(" }");
                    if (pattern.AtName != null && !pattern.AtNameFirst)
                    {
                        Byte((byte)'@');
                        Text(pattern.AtName);
                    }
                    break;
            }
        }
    }
}
