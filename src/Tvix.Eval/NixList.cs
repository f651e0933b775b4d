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
}
