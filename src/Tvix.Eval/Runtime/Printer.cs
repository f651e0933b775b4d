using System.Globalization;
using System.Text;

namespace Tvix.Eval.Runtime;

/// <summary>Prints values exactly as <c>nix-instantiate --eval</c> does.</summary>
internal sealed class Printer(EvalContext cx, Utf8Builder sb, bool forError)
{
    private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);
    private int _depth;

    // In error messages Nix prints at most this many list items and attributes in total.
    private const int MaxErrorItems = 10;
    private int _itemsPrinted;
    private int _attrsPrinted;

    public void Print(Value v)
    {
        object? slot = null;
        if (v.Kind == ValueKind.Thunk)
        {
            var t = v.RawThunk;
            if (!t.IsEvaluated) { sb.Append(forError ? "«thunk»" : "<CODE>"); return; }
            v = t.Result;
            slot = t;
        }
        switch (v.Kind)
        {
            case ValueKind.Null: sb.Append("null"); break;
            case ValueKind.Bool: sb.Append(v.RawBool ? "true" : "false"); break;
            case ValueKind.Int: sb.Append(v.RawInt); break;
            case ValueKind.Float: sb.Append(FormatFloat(v.RawFloat)); break;
            case ValueKind.String: AppendString(sb, v.RawString.Bytes); break;
            case ValueKind.Path: sb.Append(v.RawPath); break;
            case ValueKind.Lambda:
                if (forError)
                {
                    var c = (Closure)v.Obj!;
                    var (line, col) = c.Code.Source.GetLineColumn(c.Code.Span.Start);
                    sb.Append("«lambda @ ").Append(c.Code.Source.Name).Append(':').Append(line).Append(':').Append(col).Append('»');
                }
                else sb.Append("<LAMBDA>");
                break;
            case ValueKind.PrimOp:
                sb.Append(forError ? $"«primop {((Builtin)v.Obj!).Name}»" : "<PRIMOP>");
                break;
            case ValueKind.PrimOpApp:
                sb.Append(forError ? $"«partially applied primop {((PartialApplication)v.Obj!).Builtin.Name}»" : "<PRIMOP-APP>");
                break;
            case ValueKind.Attrs: PrintAttrs(v.RawAttrs); break;
            case ValueKind.List: PrintList(v.RawList, slot); break;
            default: sb.Append("«invalid»"); break;
        }
    }

    private void PrintAttrs(NixAttrs a)
    {
        if (a.Count == 0) { sb.Append("{ }"); return; }
        if (!_seen.Add(a)) { sb.Append("«repeated»"); return; }
        if (cx.IsDerivationNoForce(a) && forError) { sb.Append("«derivation»"); return; }
        cx.EnsureStack();
        _depth++;
        sb.Append("{ ");
        var order = a.ByteOrder();
        for (var n = 0; n < order.Length; n++)
        {
            if (forError && _attrsPrinted >= MaxErrorItems)
            {
                var left = order.Length - n;
                sb.Append("«").Append(left).Append(left == 1 ? " attribute elided» " : " attributes elided» ");
                break;
            }
            var i = order[n];
            AppendAttrName(sb, cx.Symbols.Bytes(a.Keys[i]));
            sb.Append(" = ");
            Print(a.Values[i]);
            sb.Append("; ");
            _attrsPrinted++;
        }
        sb.Append('}');
        _depth--;
    }

    private void PrintList(NixList l, object? slot)
    {
        if (l.Count == 0) { sb.Append("[ ]"); return; }
        // C++ Nix stores lists of up to two elements inside the value itself, so such a list
        // is "the same" only when reached through the same value slot (here: the same thunk).
        var identity = l.Count <= 2 ? slot : l;
        if (identity is not null && !_seen.Add(identity)) { sb.Append("«repeated»"); return; }
        cx.EnsureStack();
        _depth++;
        sb.Append("[ ");
        var items = l.Items;
        for (var n = 0; n < items.Length; n++)
        {
            if (forError && _itemsPrinted >= MaxErrorItems)
            {
                var left = items.Length - n;
                sb.Append("«").Append(left).Append(left == 1 ? " item elided» " : " items elided» ");
                break;
            }
            Print(items[n]);
            sb.Append(' ');
            _itemsPrinted++;
        }
        sb.Append(']');
        _depth--;
    }

    public static void AppendAttrName(Utf8Builder sb, ReadOnlySpan<byte> name)
    {
        if (IsPlainIdentifier(name)) sb.Append(name);
        else AppendString(sb, name);
    }

    public static bool IsPlainIdentifier(ReadOnlySpan<byte> name)
    {
        if (name.Length == 0) return false;
        var c0 = name[0];
        if (!(c0 is >= (byte)'a' and <= (byte)'z' || c0 is >= (byte)'A' and <= (byte)'Z' || c0 == '_')) return false;
        foreach (var c in name)
        {
            if (!(c is >= (byte)'a' and <= (byte)'z' || c is >= (byte)'A' and <= (byte)'Z' || c is >= (byte)'0' and <= (byte)'9'
                  || c == '_' || c == '\'' || c == '-')) return false;
        }
        return !IsKeyword(name);
    }

    /// <summary>
    /// Byte comparisons, not a set of strings: decoding the name would be the process's first
    /// ASCII decoding when printing a set, whose set-up in the runtime costs 2 to 3 ms.
    /// </summary>
    private static bool IsKeyword(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("if"u8) || name.SequenceEqual("then"u8) || name.SequenceEqual("else"u8)
        || name.SequenceEqual("assert"u8) || name.SequenceEqual("with"u8) || name.SequenceEqual("let"u8)
        || name.SequenceEqual("in"u8) || name.SequenceEqual("rec"u8) || name.SequenceEqual("inherit"u8);

    /// <summary>A string literal with Nix's escapes.</summary>
    public static void AppendString(Utf8Builder sb, ReadOnlySpan<byte> bytes)
    {
        sb.Append('"');
        var start = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            var c = bytes[i];
            string? esc = c switch
            {
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                (byte)'\n' => "\\n",
                (byte)'\r' => "\\r",
                (byte)'\t' => "\\t",
                (byte)'$' when i + 1 < bytes.Length && bytes[i + 1] == '{' => "\\$",
                _ => null,
            };
            if (esc is null) continue;
            sb.Append(bytes[start..i]);
            sb.Append(esc);
            start = i + 1;
        }
        sb.Append(bytes[start..]);
        sb.Append('"');
    }

    /// <summary>C++'s default stream formatting of a double (<c>%g</c>, 6 significant digits).</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d)) return d < 0 || BitConverter.DoubleToInt64Bits(d) < 0 ? "-nan" : "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        if (d == 0) return BitConverter.DoubleToInt64Bits(d) < 0 ? "-0" : "0";
        var e = d.ToString("E5", CultureInfo.InvariantCulture); // d.ddddde+xxx
        var ePos = e.IndexOf('E');
        var exp = int.Parse(e.AsSpan(ePos + 1), CultureInfo.InvariantCulture);
        if (exp < -4 || exp >= 6)
        {
            var mant = e[..ePos];
            if (mant.Contains('.')) mant = mant.TrimEnd('0').TrimEnd('.');
            return mant + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }
        var fixedStr = d.ToString("F" + (5 - exp).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (fixedStr.Contains('.')) fixedStr = fixedStr.TrimEnd('0').TrimEnd('.');
        return fixedStr;
    }
}
