namespace Tvix.Eval;

/// <summary>An immutable Nix list. Elements may be unforced thunks; force them through an <see cref="EvalContext"/>.</summary>
public sealed class NixList
{
    internal readonly Value[] Items;

    /// <summary>The empty list.</summary>
    public static NixList Empty { get; } = new([]);

    /// <summary>Wraps an array the caller gives up (it must not be mutated afterwards).</summary>
    public NixList(Value[] items) => Items = items;

    /// <summary>Number of elements.</summary>
    public int Count => Items.Length;

    /// <summary>The element at <paramref name="index"/> (possibly a thunk).</summary>
    public Value this[int index] => Items[index];

    /// <summary>The elements (possibly thunks).</summary>
    public ReadOnlySpan<Value> AsSpan() => Items;

    /// <summary>
    /// Puts the result of element <paramref name="i"/> of <paramref name="items"/> in place of its
    /// thunk when something else (a fold's function) has forced that thunk and the result is an
    /// atom (<see cref="Value.IsAtom"/>), as <see cref="EvalContext.ForceInPlace"/> does for
    /// slots it forces itself: a long-lived <c>genList</c> or <c>map</c> result folded with
    /// <c>foldl'</c> stops keeping one thunk per element alive.
    /// </summary>
    internal static void Settle(Value[] items, int i)
    {
        var slot = items[i];
        if (slot.Kind != ValueKind.Thunk || !slot.RawThunk.IsEvaluated) return;
        var result = slot.RawThunk.Result;
        if (result.IsAtom) items[i] = result;
    }
}
