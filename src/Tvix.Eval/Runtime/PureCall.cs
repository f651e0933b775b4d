namespace Tvix.Eval.Runtime;

/// <summary>
/// <c>stringLength s</c>, <c>length l</c>, <c>head l</c>, <c>tail l</c> and the type predicates in a lazy
/// position, applied to a variable or constant whose value is already known: the result is
/// computed at once instead of becoming a thunk, as <see cref="BinaryNode.TryFold"/> does for
/// integer operators. Only where the call cannot fail, force anything or run code (a string, not
/// a path or a set that would be coerced; a list whose first element is evaluated), and its result
/// is an atom or a fresh list, so nothing can tell it from the thunk it replaces. nixpkgs' <c>hasPrefix</c> makes
/// one such <c>stringLength pref</c> per call, and list recursions (<c>compareLists cmp (tail a) (tail b)</c>)
/// one <c>tail</c> per step.
/// </summary>
internal sealed class PureCall
{
    private enum Op : byte { StringLength, Length, Head, Tail, IsString, IsInt, IsBool, IsList, IsAttrs, IsFunction, IsNull, IsFloat, IsPath }

    /// <summary>The longest list whose <c>tail</c> is copied at once.</summary>
    internal const int TailCopyLimit = 33;

    private readonly Node _argument;
    private readonly Op _op;

    private PureCall(Node argument, Op op)
    {
        _argument = argument;
        _op = op;
    }

    /// <summary>The foldable form of <paramref name="call"/>, or null when it is not a call of one of the evaluator's own pure builtins on a variable or constant.</summary>
    public static PureCall? Of(ApplyNode call) => OpOf(call) is { } op ? new PureCall(call.Argument, op) : null;

    /// <summary>Whether <see cref="Of"/> gives a foldable form (without making it).</summary>
    public static bool IsFoldable(ApplyNode call) => OpOf(call) is not null;

    private static Op? OpOf(ApplyNode call)
    {
        if (call.Argument is not (LocalNode or ConstNode) || ApplyNode.ConsumingBuiltin(call.Function, 1) is not { } b) return null;
        return b.Name switch
        {
            "stringLength" => Op.StringLength,
            "length" => Op.Length,
            "head" => Op.Head,
            "tail" => Op.Tail,
            "isString" => Op.IsString,
            "isInt" => Op.IsInt,
            "isBool" => Op.IsBool,
            "isList" => Op.IsList,
            "isAttrs" => Op.IsAttrs,
            "isFunction" => Op.IsFunction,
            "isNull" => Op.IsNull,
            "isFloat" => Op.IsFloat,
            "isPath" => Op.IsPath,
            _ => null,
        };
    }

    /// <summary>The call's result when its argument is known and of a kind the builtin takes without effects; false otherwise (the caller makes a thunk).</summary>
    public bool TryFold(Env env, out Value result)
    {
        var arg = _argument is LocalNode local ? local.Peek(env) : ((ConstNode)_argument).Value;
        var kind = arg.Kind;
        result = default;
        if (kind is ValueKind.Thunk or ValueKind.Invalid) return false;
        switch (_op)
        {
            case Op.StringLength:
                if (kind != ValueKind.String) return false;
                result = Value.FromInt(arg.RawString.Length);
                return true;
            case Op.Length:
                if (kind != ValueKind.List) return false;
                result = Value.FromInt(arg.RawList.Count);
                return true;
            case Op.Head:
            {
                // Only an element that is an evaluated atom: any other value would need the
                // fresh value slot `head l` is in Nix (see Value.IsAtom).
                if (kind != ValueKind.List || arg.RawList.Count == 0) return false;
                var first = arg.RawList[0];
                if (first.Kind == ValueKind.Thunk) first = first.Settled;
                if (!first.IsAtom) return false;
                result = first;
                return true;
            }
            case Op.Tail:
            {
                // A fresh list, like the thunk's value would be; only short ones, so that a tail
                // nothing reads costs no more than the thunk would have.
                if (kind != ValueKind.List) return false;
                var list = arg.RawList;
                if (list.Count is 0 or > TailCopyLimit) return false;
                result = Value.FromList(new NixList(NixList.TailOf(list.Items)));
                return true;
            }
            default:
                result = Value.FromBool(_op switch
                {
                    Op.IsString => kind == ValueKind.String,
                    Op.IsInt => kind == ValueKind.Int,
                    Op.IsBool => kind == ValueKind.Bool,
                    Op.IsList => kind == ValueKind.List,
                    Op.IsAttrs => kind == ValueKind.Attrs,
                    Op.IsFunction => arg.IsFunction,
                    Op.IsNull => kind == ValueKind.Null,
                    Op.IsFloat => kind == ValueKind.Float,
                    _ => kind == ValueKind.Path,
                });
                return true;
        }
    }
}
