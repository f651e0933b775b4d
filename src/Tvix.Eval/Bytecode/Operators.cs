using System.Runtime.CompilerServices;
using Tvix.Eval.Runtime;

namespace Tvix.Eval.Bytecode;

/// <summary>The work of the instructions that do more than a few lines, kept out of the interpreter loop.</summary>
internal static class Operators
{
    /// <summary><c>l ++ r</c> of forced values.</summary>
    public static Value Concat(EvalContext cx, Value l, Value r)
    {
        if (l.Kind != ValueKind.List) throw cx.TypeError("a list", l);
        if (r.Kind != ValueKind.List) throw cx.TypeError("a list", r);
        var x = l.RawList;
        var y = r.RawList;
        if (x.Count == 0) return r;
        if (y.Count == 0) return l;
        return Value.FromList(NixList.Concat(x, y));
    }

    /// <summary>
    /// <c>f a b …</c> with the arguments lazy: a builtin of exactly that arity is called with all
    /// of them; a curried lambda (<see cref="LambdaChain"/>) gets them straight into its one
    /// environment, without the intermediate closures (never observable); anything else is
    /// applied one argument at a time.
    /// </summary>
    public static Value CallMany(EvalContext cx, Value f, ReadOnlySpan<Value> args)
    {
        if (f.Kind == ValueKind.PrimOp && Unsafe.As<Builtin>(f.Obj!).Arity == args.Length)
            return cx.CallBuiltin(Unsafe.As<Builtin>(f.Obj!), args);
        var i = 0;
        if (f.Kind == ValueKind.Lambda && Unsafe.As<Closure>(f.Obj!).Code.Chain is not null)
        {
            f = LambdaNode.InvokeMany(cx, Unsafe.As<Closure>(f.Obj!), args, out i);
        }
        for (; i < args.Length; i++) f = cx.Call(f, args[i]);
        return cx.Force(f);
    }

    /// <summary>The concatenation of <paramref name="pieces"/> (strings, or integers from <c>toString</c>), which it clears.</summary>
    public static Value Interpolate(Span<Value> pieces)
    {
        var result = NixString.Interpolate(pieces);
        pieces.Clear();
        return Value.FromString(result);
    }

    /// <summary>The concatenation of <paramref name="pieces"/> (strings, or integers from <c>toString</c>).</summary>
    public static Value Interpolate(Value[] pieces) => Value.FromString(NixString.Interpolate(pieces));
}
