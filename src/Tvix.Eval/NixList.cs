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
    /// thunk once that thunk has been forced, when the result is a string, path, number, Boolean
    /// or null: a long-lived list then stops keeping one thunk object per element alive (a
    /// <c>genList</c> or <c>map</c> result joined with <c>concatStringsSep</c> or folded with
    /// <c>foldl'</c>), which every later collection would mark and copy. Those kinds have no
    /// identity Nix code can observe; functions, and sets and lists that may hold them, do
    /// (<c>==</c> on list elements compares slots first), so they stay behind their thunk.
    /// </summary>
    internal static void Settle(Value[] items, int i)
    {
        var slot = items[i];
        if (slot.Kind != ValueKind.Thunk) return;
        var thunk = slot.RawThunk;
        if (!thunk.IsEvaluated) return;
        var result = thunk.Result;
        if (result.Kind is ValueKind.String or ValueKind.Path or ValueKind.Int or ValueKind.Float or ValueKind.Bool or ValueKind.Null)
            items[i] = result;
    }
}
