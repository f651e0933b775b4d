namespace Tvix.Eval.Runtime;

/// <summary>
/// <c>stringLength s</c>, <c>length l</c>, <c>head l</c> and the type predicates in a lazy position, applied to
/// a variable or constant whose value is already known: the result is computed at once instead
/// of becoming a thunk, as <see cref="BinaryNode.TryFold"/> does for integer operators. Only
/// where the call cannot fail, force anything or run code (a string, not a path or a set that
/// would be coerced, a list whose first element is evaluated), and its result is an atom, so nothing can tell it from the thunk it
/// replaces. nixpkgs' <c>hasPrefix</c> makes one such <c>stringLength pref</c> per call.
/// </summary>
internal static class PureCalls
{
    /// <summary>Whether <paramref name="call"/> is such a call of one of the evaluator's own builtins.</summary>
    public static bool IsFoldable(ApplyNode call) =>
        call.Argument is LocalNode or ConstNode
        && call.Function is GlobalNode { Value: { Kind: ValueKind.PrimOp, Obj: Builtin { ConsumesArguments: true, Arity: 1 } b } }
        && b.Name is "stringLength" or "length" or "head" or "isString" or "isInt" or "isBool" or "isList" or "isAttrs" or "isFunction" or "isNull" or "isFloat" or "isPath";

    /// <summary>The call's result when its argument is known and of a kind the builtin takes without effects; false otherwise (the caller makes a thunk).</summary>
    public static bool TryFold(ApplyNode call, Env env, out Value result)
    {
        var arg = call.Argument is LocalNode local ? local.Peek(env) : ((ConstNode)call.Argument).Value;
        var kind = arg.Kind;
        result = default;
        if (kind is ValueKind.Thunk or ValueKind.Invalid) return false;
        var name = ((Builtin)((GlobalNode)call.Function).Value.Obj!).Name;
        switch (name)
        {
            case "stringLength":
                if (kind != ValueKind.String) return false;
                result = Value.FromInt(arg.RawString.Length);
                return true;
            case "length":
                if (kind != ValueKind.List) return false;
                result = Value.FromInt(arg.RawList.Count);
                return true;
            case "head":
            {
                // Only an element that is an evaluated atom: any other value would need the
                // fresh value slot `head l` is in Nix (see Value.IsAtom).
                if (kind != ValueKind.List || arg.RawList.Count == 0) return false;
                var first = arg.RawList[0];
                if (first.Kind == ValueKind.Thunk && first.RawThunk.IsEvaluated) first = first.RawThunk.Result;
                if (!first.IsAtom) return false;
                result = first;
                return true;
            }
            default:
                result = Value.FromBool(name switch
                {
                    "isString" => kind == ValueKind.String,
                    "isInt" => kind == ValueKind.Int,
                    "isBool" => kind == ValueKind.Bool,
                    "isList" => kind == ValueKind.List,
                    "isAttrs" => kind == ValueKind.Attrs,
                    "isFunction" => arg.IsFunction,
                    "isNull" => kind == ValueKind.Null,
                    "isFloat" => kind == ValueKind.Float,
                    _ => kind == ValueKind.Path,
                });
                return true;
        }
    }
}
