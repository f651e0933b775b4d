using System.Text;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Runtime;

internal sealed class NotNode(SourceText source, TextSpan span, Node operand) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.Not;

    internal Node Operand => operand;

    internal override bool KeepsEnv(bool delayed) => delayed || operand.KeepsEnv(false);
}

internal sealed class NegateNode(SourceText source, TextSpan span, Node operand) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.Negate;

    internal Node Operand => operand;

    internal override bool KeepsEnv(bool delayed) => delayed || operand.KeepsEnv(false);
}

internal enum LogicOp { And, Or, Implies }

internal sealed class LogicNode(SourceText source, TextSpan span, LogicOp op, Node left, Node right) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.Logic;

    internal LogicOp Op => op;
    internal Node Left => left;
    internal Node Right => right;

    internal override bool KeepsEnv(bool delayed) => delayed || left.KeepsEnv(false) || right.KeepsEnv(false);
}

internal enum BinOp { Add, Sub, Mul, Div, Concat, Update, Eq, Neq, Lt, Le, Gt, Ge }

internal sealed class BinaryNode(SourceText source, TextSpan span, BinOp op, Node left, Node right) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.Binary;

    public BinOp Op => op;

    // Eval evaluates both operands; Delay may fall back to a thunk over the environment.
    internal override bool KeepsEnv(bool delayed) => delayed || left.KeepsEnv(false) || right.KeepsEnv(false);
    public Node Left => left;
    public Node Right => right;

    /// <summary>Whether <see cref="TryFold"/> can ever succeed: both operands are constants or variables.</summary>
    internal bool Foldable =>
        op is not (BinOp.Div or BinOp.Concat or BinOp.Update) && (left is ConstNode or LocalNode) && (right is ConstNode or LocalNode);

    /// <summary>
    /// <c>f (n - 1)</c>: when both operands are integers that are already forced, an arithmetic or
    /// comparison operation that cannot fail is computed at once instead of allocating a thunk. This
    /// is unobservable: nothing is forced, traced or thrown. Anything that could fail (overflow, a
    /// type error, division) keeps its thunk so the error is still raised lazily, where Nix raises it.
    /// </summary>
    internal bool TryFold(Env env, out Value result)
    {
        if (TryPeekInt(left, env, out var a) && TryPeekInt(right, env, out var b)) return FoldInts(op, a, b, out result);
        result = default;
        return false;
    }

    /// <summary><paramref name="op"/> on two integers when it cannot fail (no overflow, not a division, …).</summary>
    internal static bool FoldInts(BinOp op, long a, long b, out Value result)
    {
        switch (op)
        {
            case BinOp.Add:
            {
                var s = a + b;
                if (((a ^ s) & (b ^ s)) >= 0) { result = Value.FromInt(s); return true; }
                break;
            }
            case BinOp.Sub:
            {
                var d = a - b;
                if (((a ^ b) & (a ^ d)) >= 0) { result = Value.FromInt(d); return true; }
                break;
            }
            case BinOp.Mul:
            {
                var high = Math.BigMul(a, b, out long low);
                if (high == (low >> 63)) { result = Value.FromInt(low); return true; }
                break;
            }
            case BinOp.Eq: result = Value.FromBool(a == b); return true;
            case BinOp.Neq: result = Value.FromBool(a != b); return true;
            case BinOp.Lt: result = Value.FromBool(a < b); return true;
            case BinOp.Le: result = Value.FromBool(a <= b); return true;
            case BinOp.Gt: result = Value.FromBool(a > b); return true;
            case BinOp.Ge: result = Value.FromBool(a >= b); return true;
        }
        result = default;
        return false;
    }

    private static bool TryPeekInt(Node n, Env env, out long value)
    {
        var v = n switch
        {
            ConstNode c => c.Value,
            LocalNode l => l.Peek(env),
            _ => default,
        };
        value = v.RawInt;
        return v.Kind == ValueKind.Int;
    }

}

/// <summary>Nix's arithmetic on forced values, with its overflow and type rules.</summary>
internal static class Arithmetic
{
    public static Value Add(EvalContext cx, Value l, Value r)
    {
        if (l.Kind == ValueKind.Int && r.Kind == ValueKind.Int)
        {
            long a = l.RawInt, b = r.RawInt, s = a + b;
            if (((a ^ s) & (b ^ s)) < 0) throw cx.Error($"integer overflow in adding {a} + {b}");
            return Value.FromInt(s);
        }
        if (IsNumber(l) && IsNumber(r)) return Value.FromFloat(AsDouble(l) + AsDouble(r));
        if (l.Kind == ValueKind.Path)
        {
            if (r.Kind == ValueKind.Path) return Value.FromPath(NixPath.Canonicalize(l.RawPath + r.RawPath));
            if (r.Kind == ValueKind.String || r.Kind == ValueKind.Attrs)
            {
                var s = cx.CoerceToString(r, StringCoercion.NoCopy);
                if (s.HasContext) throw cx.Error("a string that refers to a store path cannot be appended to a path");
                var joined = l.RawPath + s.ToString();
                return Value.FromPath(NixPath.Canonicalize(joined));
            }
            throw cx.Error($"cannot coerce {TypeNames.Describe(r)} to a string: {cx.PrintForError(r)}");
        }
        if (l.Kind == ValueKind.String || l.Kind == ValueKind.Attrs && r.Kind is ValueKind.String or ValueKind.Path or ValueKind.Attrs)
        {
            // Like Nix, paths are copied to the store only when the left operand is a string;
            // `{ outPath = …; } + /p` joins the text of both without copying anything.
            var mode = l.Kind == ValueKind.String ? StringCoercion.Interpolation : StringCoercion.NoCopy;
            var a = cx.CoerceToString(l, mode);
            var b = cx.CoerceToString(r, mode);
            return Value.FromString(NixString.Concat(a, b));
        }
        throw cx.Error($"cannot add {TypeNames.Describe(r)} to {TypeNames.Describe(l)}");
    }

    public static Value Sub(EvalContext cx, Value l, Value r)
    {
        if (l.Kind == ValueKind.Int && r.Kind == ValueKind.Int)
        {
            long a = l.RawInt, b = r.RawInt, d = a - b;
            if (((a ^ b) & (a ^ d)) < 0) throw cx.Error($"integer overflow in subtracting {a} - {b}");
            return Value.FromInt(d);
        }
        CheckNumbers(cx, l, r, "subtraction");
        return Value.FromFloat(AsDouble(l) - AsDouble(r));
    }

    public static Value Mul(EvalContext cx, Value l, Value r)
    {
        if (l.Kind == ValueKind.Int && r.Kind == ValueKind.Int)
        {
            long a = l.RawInt, b = r.RawInt;
            long p;
            try { p = checked(a * b); }
            catch (OverflowException) { throw cx.Error($"integer overflow in multiplying {a} * {b}"); }
            return Value.FromInt(p);
        }
        CheckNumbers(cx, l, r, "multiplication");
        return Value.FromFloat(AsDouble(l) * AsDouble(r));
    }

    public static Value Div(EvalContext cx, Value l, Value r)
    {
        CheckNumbers(cx, l, r, "division");
        if (r.Kind == ValueKind.Int ? r.RawInt == 0 : r.RawFloat == 0) throw cx.Error("division by zero");
        if (l.Kind == ValueKind.Int && r.Kind == ValueKind.Int)
        {
            long a = l.RawInt, b = r.RawInt;
            if (a == long.MinValue && b == -1) throw cx.Error($"integer overflow in dividing {a} / {b}");
            return Value.FromInt(a / b);
        }
        return Value.FromFloat(AsDouble(l) / AsDouble(r));
    }

    private static void CheckNumbers(EvalContext cx, Value l, Value r, string what)
    {
        if (!IsNumber(l)) throw cx.TypeError("an integer", l);
        if (!IsNumber(r)) throw cx.TypeError("an integer", r);
        _ = what;
    }

    public static bool IsNumber(Value v) => v.Kind is ValueKind.Int or ValueKind.Float;

    public static double AsDouble(Value v) => v.Kind == ValueKind.Int ? v.RawInt : v.RawFloat;

    public static string Utf8(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);
}
