using Tvix.Eval.Runtime;

namespace Tvix.Eval;

// Values a host builds natively that plain builtins cannot express: a builtin written in C# that
// must still look like Nix code to programs (Glue's `derivation`), and `//` without a round
// trip through names.
public sealed partial class EvalContext
{
    /// <summary>
    /// A native function value of <paramref name="arity"/> curried arguments that is not in
    /// <c>builtins</c>: for a host's helper, e.g. one a builtin written in Nix is applied to.
    /// </summary>
    public Value CreateFunction(string name, int arity, BuiltinImplementation implementation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arity, 1);
        ArgumentNullException.ThrowIfNull(implementation);
        return Value.FromBuiltin(new Builtin(name, arity, implementation));
    }

    /// <summary>Nix's <c>left // right</c>: right's attributes win; positions are kept.</summary>
    public NixAttrs Update(NixAttrs left, NixAttrs right) => left.Update(right);

    /// <summary>
    /// <c>left // { names[0] = values[0]; … }</c> in one step, without building the right-hand
    /// set first: of equal names the later wins. The added attributes have no position.
    /// </summary>
    public NixAttrs Update(NixAttrs left, ReadOnlySpan<ReadOnlyMemory<byte>> names, ReadOnlySpan<Value> values)
    {
        if (names.Length != values.Length) throw new ArgumentException("one value per name is needed", nameof(values));
        var n = names.Length;
        Span<int> syms = n <= 64 ? stackalloc int[n] : new int[n];
        Span<int> order = n <= 64 ? stackalloc int[n] : new int[n];
        for (var i = 0; i < n; i++)
        {
            syms[i] = Symbols.Intern(names[i].Span);
            order[i] = i;
        }
        // Insertion sort by name (a handful of names), stable, so the last of equal names comes
        // last; then keep that one.
        for (var i = 1; i < n; i++)
        {
            var x = order[i];
            var j = i - 1;
            for (; j >= 0 && syms[order[j]] > syms[x]; j--) order[j + 1] = order[j];
            order[j + 1] = x;
        }
        var m = 0;
        for (var i = 0; i < n; i++)
        {
            if (i + 1 < n && syms[order[i + 1]] == syms[order[i]]) continue;
            order[m++] = order[i];
        }

        var leftKeys = left.Keys;
        var union = leftKeys.Length + m;
        for (int a = 0, b = 0; a < leftKeys.Length && b < m;)
        {
            var x = leftKeys[a];
            var y = syms[order[b]];
            if (x == y) union--;
            if (x <= y) a++;
            if (y <= x) b++;
        }
        var leftPositions = left.Positions;
        if (union == leftKeys.Length && TryOverrideValues(left, leftPositions, syms, order[..m], values) is { } overridden) return overridden;
        var result = new Value[union];
        var leftValues = left.Values;
        if (FindUpdateShape(leftKeys, leftPositions, syms, order[..m]) is { } shape)
        {
            // The same names as a recent update (the next derivation's attributes): the merged
            // names and positions are shared, only the values are placed.
            var sources = shape.Sources;
            for (var k = 0; k < sources.Length; k++)
            {
                var source = sources[k];
                result[k] = source >= 0 ? leftValues[source] : values[order[~source]];
            }
            return new NixAttrs(Symbols, shape.Keys, result) { Positions = shape.Positions };
        }
        var keys = new int[union];
        var positions = leftPositions is null ? null : new AttrPos[union];
        var map = new int[union];
        int l = 0, r = 0, at = 0;
        while (l < leftKeys.Length || r < m)
        {
            if (r == m || (l < leftKeys.Length && leftKeys[l] < syms[order[r]]))
            {
                if (positions is not null) positions[at] = leftPositions![l];
                keys[at] = leftKeys[l];
                map[at] = l;
                result[at++] = leftValues[l++];
                continue;
            }
            var sym = syms[order[r]];
            if (l < leftKeys.Length && leftKeys[l] == sym) l++;
            keys[at] = sym;
            map[at] = ~r;
            result[at++] = values[order[r++]];
        }
        var added = new int[m];
        for (var i = 0; i < m; i++) added[i] = syms[order[i]];
        RememberUpdateShape(new UpdateShape(leftKeys, leftPositions, added, keys, positions, map));
        return new NixAttrs(Symbols, keys, result) { Positions = positions };
    }

    /// <summary>
    /// The layout of an <see cref="Update(NixAttrs, ReadOnlySpan{ReadOnlyMemory{byte}}, ReadOnlySpan{Value})"/>
    /// result for given left names and positions and added names: its names, positions and, per
    /// attribute, where its value comes from (a left index, or the complement of an added one).
    /// </summary>
    private sealed class UpdateShape(int[] leftKeys, AttrPos[]? leftPositions, int[] added, int[] keys, AttrPos[]? positions, int[] sources)
    {
        public readonly int[] LeftKeys = leftKeys;
        public readonly AttrPos[]? LeftPositions = leftPositions;
        public readonly int[] Added = added;
        public readonly int[] Keys = keys;
        public readonly AttrPos[]? Positions = positions;
        public readonly int[] Sources = sources;
    }

    /// <summary>How many update layouts are remembered (a host's few kinds of derivation sets).</summary>
    private const int UpdateShapeCount = 4;

    // Recent layouts, replaced round-robin. Name and position arrays are never changed once a
    // set has them, so sets may share them.
    private UpdateShape?[]? _updateShapes;
    private int _nextUpdateShape;

    /// <summary>
    /// A remembered layout for these left names and positions (compared by content: derivations'
    /// attribute sets made by `//` have equal but separate arrays) and added names.
    /// </summary>
    private UpdateShape? FindUpdateShape(int[] leftKeys, AttrPos[]? leftPositions, ReadOnlySpan<int> syms, ReadOnlySpan<int> order)
    {
        if (_updateShapes is null) return null;
        foreach (var shape in _updateShapes)
        {
            if (shape is null || shape.Added.Length != order.Length || shape.LeftKeys.Length != leftKeys.Length) continue;
            var same = true;
            for (var i = 0; i < order.Length && same; i++) same = shape.Added[i] == syms[order[i]];
            if (!same) continue;
            if (!ReferenceEquals(shape.LeftKeys, leftKeys))
            {
                for (var i = 0; i < leftKeys.Length && same; i++) same = shape.LeftKeys[i] == leftKeys[i];
                if (!same) continue;
            }
            if (!ReferenceEquals(shape.LeftPositions, leftPositions))
            {
                if (shape.LeftPositions is null || leftPositions is null) continue;
                for (var i = 0; i < leftPositions.Length && same; i++) same = shape.LeftPositions[i] == leftPositions[i];
                if (!same) continue;
            }
            return shape;
        }
        return null;
    }

    private void RememberUpdateShape(UpdateShape shape)
    {
        _updateShapes ??= new UpdateShape?[UpdateShapeCount];
        _updateShapes[_nextUpdateShape] = shape;
        _nextUpdateShape = (_nextUpdateShape + 1) % UpdateShapeCount;
    }

    /// <summary>
    /// <see cref="Update(NixAttrs, ReadOnlySpan{ReadOnlyMemory{byte}}, ReadOnlySpan{Value})"/> when
    /// every name is already in <paramref name="left"/> (each further output of a derivation is its
    /// first output's set with two values changed): the result shares the name array and, when
    /// none of the overridden attributes has a position (an added one has none), the positions;
    /// only the values are copied. Null when a position would change.
    /// </summary>
    private NixAttrs? TryOverrideValues(NixAttrs left, AttrPos[]? leftPositions, ReadOnlySpan<int> syms, ReadOnlySpan<int> order, ReadOnlySpan<Value> values)
    {
        var leftKeys = left.Keys;
        // Both are sorted by symbol: one walk finds every place.
        Span<int> places = order.Length <= 64 ? stackalloc int[order.Length] : new int[order.Length];
        var at = 0;
        for (var j = 0; j < order.Length; j++)
        {
            var sym = syms[order[j]];
            while (leftKeys[at] != sym) at++;
            if (leftPositions is not null && leftPositions[at].IsKnown) return null;
            places[j] = at;
        }
        var result = (Value[])left.Values.Clone();
        for (var j = 0; j < order.Length; j++) result[places[j]] = values[order[j]];
        return new NixAttrs(Symbols, leftKeys, result) { Positions = leftPositions };
    }

    /// <summary>
    /// Fills <paramref name="order"/> (one entry per attribute) with the attributes' places in
    /// Nix's order (names sorted by their bytes), for <see cref="AttrAt"/>: a builtin walks a set
    /// by index, without an enumerator. The order of a small set is not cached on the set: a
    /// builtin that reads each set once (<c>derivationStrict</c>) would otherwise leave an order
    /// array behind on every set it reads.
    /// </summary>
    public void NixOrder(NixAttrs attrs, Span<int> order)
    {
        var keys = attrs.Keys;
        if (order.Length != keys.Length) throw new ArgumentException("one entry per attribute is needed", nameof(order));
        if (keys.Length > SmallOrderLimit)
        {
            attrs.ByteOrder().CopyTo(order);
            return;
        }
        for (var i = 0; i < order.Length; i++) order[i] = i;
        NixAttrs.InsertionSortByBytes(attrs.Symbols, keys, order);
    }

    /// <summary>Sets up to this size are ordered by <see cref="NixOrder"/> without a cached order.</summary>
    private const int SmallOrderLimit = 32;

    /// <summary>
    /// The attribute at <paramref name="place"/> (one of the places <see cref="NixOrder"/> gives),
    /// with its name as text and as UTF-8 bytes. The bytes are the evaluator's own copy, shared by
    /// every set with that name: they must not be changed.
    /// </summary>
    public Value AttrAt(NixAttrs attrs, int place, out string name, out ReadOnlyMemory<byte> nameBytes)
    {
        var sym = attrs.Keys[place];
        name = attrs.Symbols.Text(sym);
        nameBytes = attrs.Symbols.Bytes(sym);
        return attrs.Values[place];
    }
}
