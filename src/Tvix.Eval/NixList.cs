using System.Runtime.CompilerServices;
using Tvix.Eval.Runtime;

namespace Tvix.Eval;

/// <summary>An immutable Nix list. Elements may be unforced thunks; force them through an <see cref="EvalContext"/>.</summary>
public sealed class NixList
{
    // The elements (a Value[]), or a pending concatenation (a Pending) until they are first
    // needed: one field, so a list stays as small as an array reference (lists are many).
    private object _data;

    /// <summary>The empty list.</summary>
    public static NixList Empty { get; } = new(Value.NoValues);

    /// <summary>
    /// A copy of all of <paramref name="items"/> but the first (<c>tail</c>). Copied by hand: a
    /// range of the array (<c>items[1..]</c>) is <c>Array.Empty&lt;Value&gt;()</c> for one element,
    /// which is compiled at run time (see <see cref="Value.NoValues"/>).
    /// </summary>
    internal static Value[] TailOf(Value[] items)
    {
        if (items.Length == 1) return Value.NoValues;
        var rest = new Value[items.Length - 1];
        Array.Copy(items, 1, rest, 0, rest.Length);
        return rest;
    }

    /// <summary>The first <paramref name="count"/> of <paramref name="items"/>: the array itself when that is all of it, else a copy (without <c>Array.Empty&lt;Value&gt;</c>, see <see cref="TailOf"/>).</summary>
    internal static Value[] PrefixOf(Value[] items, int count)
    {
        if (count == items.Length) return items;
        if (count == 0) return Value.NoValues;
        var prefix = new Value[count];
        Array.Copy(items, prefix, count);
        return prefix;
    }

    /// <summary>Wraps an array the caller gives up (it must not be mutated afterwards).</summary>
    public NixList(Value[] items) => _data = items;

    private NixList(Pending pending) => _data = pending;

    /// <summary>The elements (possibly thunks); a pending concatenation is merged first.</summary>
    internal Value[] Items
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        // An exact type comparison: a compare of method tables, not a cast helper's call.
        get => _data.GetType() == typeof(Value[]) ? Unsafe.As<Value[]>(_data) : Merge();
    }

    /// <summary>Number of elements.</summary>
    public int Count
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _data.GetType() == typeof(Value[]) ? Unsafe.As<Value[]>(_data).Length : Unsafe.As<Pending>(_data).Count;
    }

    /// <summary>
    /// <c>left ++ right</c>. Short results are copied at once; longer ones wait as a pair until
    /// their elements are needed. Appending to an accumulator in a loop
    /// (<c>foldl' (acc: x: acc ++ [ … ]) [ ] xs</c>, common in NixOS modules) then copies each
    /// element once when the result is read, instead of once per step: a NixOS system's
    /// evaluation copied 3.4 million elements in 35,000 concatenations, 97 % of them appends to
    /// a list four or more times longer.
    /// </summary>
    internal static NixList Concat(NixList left, NixList right)
    {
        var leftCount = left.Count;
        var rightCount = right.Count;
        if (leftCount == 0) return right;
        if (rightCount == 0) return left;
        var count = leftCount + rightCount;
        if (count > PendingConcatThreshold) return new NixList(new Pending(left, right, count));
        var items = new Value[count];
        ValueCopy.Copy(left.Items, items);
        ValueCopy.Copy(right.Items, items.AsSpan(leftCount));
        return new NixList(items);
    }

    /// <summary>Results longer than this are left pending by <see cref="Concat"/>.</summary>
    internal const int PendingConcatThreshold = 32;

    /// <summary>Merges a pending concatenation into one array (without recursion: a loop's accumulator nests thousands deep) and lets go of its parts.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Value[] Merge()
    {
        var pair = Unsafe.As<Pending>(_data);
        var items = new Value[pair.Count];
        if (pair.Left._data is Value[] l && pair.Right._data is Value[] r)
        {
            // The usual case: one pending pair of plain lists.
            ValueCopy.Copy(l, items);
            ValueCopy.Copy(r, items.AsSpan(l.Length));
        }
        else
        {
            var pos = 0;
            var pending = new Stack<NixList>();
            pending.Push(this);
            while (pending.Count > 0)
            {
                var node = pending.Pop();
                if (node._data is Value[] part)
                {
                    ValueCopy.Copy(part, items.AsSpan(pos));
                    pos += part.Length;
                    continue;
                }
                var p = Unsafe.As<Pending>(node._data);
                pending.Push(p.Right);
                pending.Push(p.Left);
            }
        }
        _data = items;
        return items;
    }

    /// <summary>A concatenation not carried out yet.</summary>
    private sealed class Pending(NixList left, NixList right, int count)
    {
        public readonly NixList Left = left;
        public readonly NixList Right = right;
        public readonly int Count = count;
    }

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
        if (slot.Kind != ValueKind.Thunk) return;
        var result = slot.Settled;
        if (result.IsAtom) items[i] = result;
    }
}
