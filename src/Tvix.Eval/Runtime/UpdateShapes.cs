namespace Tvix.Eval.Runtime;

/// <summary>
/// Remembers how <c>a // b</c> merged two names arrays, so that the next <c>//</c> of sets with
/// the same two names shares the result's names (and positions) instead of building them again.
/// </summary>
/// <remarks>
/// Sets built by one literal share its names and positions arrays, so code like
/// <c>mkOption = attrs: attrs // { _type = "option"; }</c> or
/// <c>map (x: x // { inherit (d) file; })</c> merges the same pair of arrays over and over. Each
/// result used to get a names array and a positions array of its own: two more objects per set,
/// which a young collection then had to copy, and a names array no inline cache
/// (<see cref="LookupCache"/>) had seen. A direct-mapped table of recent pairs of names, per evaluator
/// (only its thread evaluates). A pair is only given a recipe the second time it is seen in a
/// row, so merges of sets with names of their own (<c>listToAttrs</c>, dynamic names) cost a
/// table probe and nothing more.
/// </remarks>
internal sealed class UpdateShapes
{
    /// <summary>Merges with more names than this take the general path (a recipe costs an int per name).</summary>
    public const int MaxNames = 64;

    private const int Size = 512;

    private readonly Slot[] _slots = new Slot[Size];

    private struct Slot
    {
        public int[]? Left;
        public int[]? Right;
        public Recipe? Recipe;
    }

    /// <summary>The recipe for merging sets with names <paramref name="left"/> and <paramref name="right"/>, or null the first time the pair is seen here.</summary>
    public Recipe? Get(int[] left, int[] right)
    {
        // By content: a recipe depends on the names only, and different literals with the same
        // names (`mkOption { type = …; default = …; }` at many call sites) share one. The hash
        // reads a few names (the arrays are not empty), cheaper than identity hash codes.
        var h = (uint)((left[0] * 31 + left[^1]) * -1640531535 ^ (right[0] * 31 + right[^1] + left.Length * 7 + right.Length) * 0x27D4EB2D);
        ref var slot = ref _slots[(h ^ h >> 15) & (Size - 1)];
        if (Same(slot.Left, left) && Same(slot.Right, right))
            return slot.Recipe ??= Recipe.Of(left, right);
        slot.Left = left;
        slot.Right = right;
        slot.Recipe = null;
        return null;
    }

    private static bool Same(int[]? seen, int[] names) =>
        ReferenceEquals(seen, names) || (seen is not null && seen.AsSpan().SequenceEqual(names));

    /// <summary>
    /// How to merge one pair of names arrays: the result's names, and for each of them where its
    /// value comes from (an index into the left set, or the complement of one into the right).
    /// </summary>
    internal sealed class Recipe
    {
        public readonly int[] Keys;
        public readonly int[] From;
        // The positions made last, and the operands' positions they were made from.
        private AttrPos[]? _leftPositions;
        private AttrPos[]? _rightPositions;
        private AttrPos[]? _positions;

        private Recipe(int[] keys, int[] from)
        {
            Keys = keys;
            From = from;
        }

        public static Recipe Of(int[] a, int[] b)
        {
            Span<int> keys = stackalloc int[a.Length + b.Length];
            var from = new int[a.Length + b.Length];
            int i = 0, j = 0, k = 0;
            while (i < a.Length || j < b.Length)
            {
                if (j == b.Length || (i < a.Length && a[i] < b[j]))
                {
                    keys[k] = a[i];
                    from[k++] = i++;
                }
                else
                {
                    if (i < a.Length && a[i] == b[j]) i++;
                    keys[k] = b[j];
                    from[k++] = ~j++;
                }
            }
            // When one side's names include the other's, the result has exactly its names: share them.
            var merged = k == a.Length ? a : k == b.Length ? b : keys[..k].ToArray();
            return new Recipe(merged, k == from.Length ? from : from.AsSpan(0, k).ToArray());
        }

        /// <summary><c>left // right</c>, for sets whose names are this recipe's.</summary>
        public NixAttrs Apply(NixAttrs left, AttrPos[]? leftPositions, Value[] leftValues, NixAttrs right, AttrPos[]? rightPositions, Value[] rightValues)
        {
            var from = From;
            var values = new Value[from.Length];
            for (var k = 0; k < from.Length; k++)
            {
                var f = from[k];
                values[k] = f >= 0 ? leftValues[f] : rightValues[~f];
            }
            return new NixAttrs(left.Symbols, Keys, values) { Positions = PositionsFor(leftPositions, rightPositions) };
        }

        private AttrPos[]? PositionsFor(AttrPos[]? pa, AttrPos[]? pb)
        {
            if (pa is null && pb is null) return null;
            if (ReferenceEquals(pa, _leftPositions) && ReferenceEquals(pb, _rightPositions)) return _positions;
            var from = From;
            var positions = new AttrPos[from.Length];
            for (var k = 0; k < from.Length; k++)
            {
                var f = from[k];
                positions[k] = f >= 0 ? pa is null ? default : pa[f] : pb is null ? default : pb[~f];
            }
            _leftPositions = pa;
            _rightPositions = pb;
            _positions = positions;
            return positions;
        }
    }
}
