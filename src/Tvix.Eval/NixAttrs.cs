using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using Tvix.Eval.Runtime;

namespace Tvix.Eval;

/// <summary>
/// An immutable Nix attribute set: parallel arrays of interned names (sorted by symbol id, for
/// binary search and linear-time <c>//</c>) and values (possibly unforced thunks). Names belong
/// to the evaluator that made the set. Enumeration follows Nix's order: by the names' bytes.
/// <c>big // few</c> may instead be a layer (the big set and the few names) that is merged into
/// arrays the first time it is read as a whole; the set's contents are the same either way.
/// </summary>
public sealed class NixAttrs
{
    // The names and values. Both null while the set is a layer (see Update) that nothing has
    // read as a whole yet.
    private int[]? _keys;
    private Value[]? _values;
    internal readonly SymbolTable Symbols;
    // The attributes' positions (an AttrPos[], aligned with the names), or an Extras holding them
    // and what only some sets need (a byte order for printing and attrNames, a hash index for big
    // sets, the parts of a layer): one field for both keeps the many small sets a program builds
    // at 48 bytes.
    private object? _meta;

    private sealed class Extras
    {
        public AttrPos[]? Positions;
        public int[]? ByteOrder;
        // A hash index of the names for big sets (see HashedIndexOf).
        public ushort[]? Index;
        public int Lookups;
        // A layer: `Base // Delta` not merged yet; Base is flat, Delta is flat and much smaller.
        public NixAttrs? Base;
        public NixAttrs? Delta;
        public int Count;
    }

    /// <summary>The names, sorted by symbol id.</summary>
    internal int[] Keys
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _keys ?? Flatten()._keys!;
    }

    /// <summary>
    /// The names if the set is flat, null while it is a layer (without merging it). Sets built by
    /// one literal, one JSON object layout or one flattening share this array, and its contents
    /// never change, so it identifies where each name is (see <see cref="Runtime.LookupCache"/>).
    /// </summary>
    internal int[]? FlatKeys
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _keys;
    }

    /// <summary>The values (possibly thunks), aligned with <see cref="Keys"/>.</summary>
    internal Value[] Values
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _values ?? Flatten()._values!;
    }

    /// <summary>Where each attribute was defined (aligned with Keys), for <c>unsafeGetAttrPos</c>; null when unknown.</summary>
    internal AttrPos[]? Positions
    {
        get => (_keys is null ? Flatten() : this).PositionsOf();
        init => _meta = value;
    }

    internal NixAttrs(SymbolTable symbols, int[] sortedKeys, Value[] values)
    {
        Symbols = symbols;
        _keys = sortedKeys;
        _values = values;
    }

    private NixAttrs(NixAttrs flatBase, NixAttrs flatDelta, int count)
    {
        Symbols = flatBase.Symbols;
        _meta = new Extras { Base = flatBase, Delta = flatDelta, Count = count };
    }

    /// <summary>The positions of a flat set.</summary>
    private AttrPos[]? PositionsOf() => _meta as AttrPos[] ?? (_meta as Extras)?.Positions;

    /// <summary>The set's extras, made (with its positions moved in) on first need.</summary>
    private Extras MoreExtras()
    {
        if (_meta is Extras e) return e;
        e = new Extras { Positions = _meta as AttrPos[] };
        _meta = e;
        return e;
    }

    internal static NixAttrs Empty(SymbolTable symbols) => new(symbols, [], Value.NoValues);

    /// <summary>Number of attributes.</summary>
    public int Count => _keys?.Length ?? Unsafe.As<Extras>(_meta!).Count;

    /// <summary>Looks an attribute up by name; the value may be an unforced thunk.</summary>
    public bool TryGetValue(string name, out Value value) => TryGetValue(Encoding.UTF8.GetBytes(name), out value);

    /// <summary>Looks an attribute up by the name's bytes; the value may be an unforced thunk.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> name, out Value value)
    {
        var sym = Symbols.Find(name);
        if (sym >= 0) return TryGet(sym, out value);
        value = default;
        return false;
    }

    /// <summary>Whether the set has an attribute called <paramref name="name"/>.</summary>
    public bool ContainsKey(string name) => TryGetValue(name, out _);

    /// <summary>The names, sorted by their bytes as Nix sorts them.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            var order = ByteOrder();
            var names = new string[order.Length];
            for (var i = 0; i < order.Length; i++) names[i] = Symbols.Text(Keys[order[i]]);
            return names;
        }
    }

    /// <summary>(name, value) pairs in Nix's order (names sorted by bytes); values may be thunks.</summary>
    public IEnumerable<KeyValuePair<string, Value>> Pairs
    {
        get
        {
            var order = ByteOrder();
            for (var i = 0; i < order.Length; i++)
                yield return new(Symbols.Text(Keys[order[i]]), Values[order[i]]);
        }
    }

    // Sets with many attributes that are looked up often also get a hash index, so that
    // lookups in nixpkgs-sized sets are one probe instead of a long binary search. Most large
    // sets are intermediate results (`//` in a fold, mapAttrs of a module tree) read a few
    // times: for them an index costs more than it saves, so it waits for repeated lookups.
    private const int HashThreshold = 128;
    private const int LookupsBeforeIndex = 24;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryGet(int sym, out Value value)
    {
        if (_keys is null) return TryGetLayered(sym, out value);
        var at = IndexOfFast(sym);
        value = at >= 0 ? Values[at] : default;
        return at >= 0;
    }

    /// <summary>
    /// The index of <paramref name="sym"/> through the set's hash index: an open-addressing table
    /// of positions + 1 (0: empty) with linear probing, at most three quarters full. Positions
    /// are 16-bit (sets of 65,535 names or more are searched instead): a sixth of the memory of a
    /// <c>Dictionary&lt;int, int&gt;</c>, which matters because the indexed sets are nixpkgs'
    /// package sets (hello: 34 of them), which live as long as the evaluation.
    /// </summary>
    private int HashedIndexOf(int sym)
    {
        var keys = _keys!;
        var extras = Unsafe.As<Extras>(_meta!);
        var table = extras.Index ??= BuildIndex(keys);
        var mask = table.Length - 1;
        var slot = IndexSlot(sym, table.Length);
        while (true)
        {
            var entry = table[slot];
            if (entry == 0) return -1;
            if (keys[entry - 1] == sym) return entry - 1;
            slot = (slot + 1) & mask;
        }
    }

    private static ushort[] BuildIndex(int[] keys)
    {
        var table = new ushort[(int)BitOperations.RoundUpToPowerOf2((uint)(keys.Length + keys.Length / 3 + 1))];
        var mask = table.Length - 1;
        for (var i = 0; i < keys.Length; i++)
        {
            var slot = IndexSlot(keys[i], table.Length);
            while (table[slot] != 0) slot = (slot + 1) & mask;
            table[slot] = (ushort)(i + 1);
        }
        return table;
    }

    // Fibonacci hashing: symbol ids are small consecutive numbers, the top bits of the product
    // spread them. For a power-of-two size, scaling the product by the size and keeping the high
    // word takes the same top bits as shifting by 32 - log2(size), without BitOperations.Log2:
    // cross-module ReadyToRun code that inlines it depends on the CPU's LZCNT and is rejected.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int IndexSlot(int sym, int size) => (int)(((ulong)((uint)sym * 0x9E3779B1u) * (uint)size) >> 32);

    /// <summary>The index of <paramref name="sym"/> or -1: a binary search, or a hash index for a big set looked up often.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int IndexOfFast(int sym)
    {
        var keys = _keys;
        if (keys is null) return IndexOfLayered(sym);
        if (keys.Length > HashThreshold && keys.Length < ushort.MaxValue && MoreExtras() is var extras && (extras.Index is not null || ++extras.Lookups > LookupsBeforeIndex))
            return HashedIndexOf(sym);
        int lo = 0, hi = keys.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var k = keys[mid];
            if (k == sym) return mid;
            if (k < sym) lo = mid + 1; else hi = mid - 1;
        }
        return -1;
    }

    internal int IndexOf(int sym)
    {
        var i = Array.BinarySearch(Keys, sym);
        return i < 0 ? -1 : i;
    }

    /// <summary>Indices into Keys/Values ordered by the names' bytes (cached).</summary>
    internal int[] ByteOrder()
    {
        if ((_meta as Extras)?.ByteOrder is { } o) return o;
        var keys = Keys;
        return MoreExtras().ByteOrder = SortByBytes(Symbols, keys);
    }

    /// <summary>
    /// Indices into <paramref name="keys"/> ordered by the names' bytes. Sorting integer prefix
    /// keys instead of comparing bytes through a delegate makes <c>attrNames</c> of a big set
    /// several times cheaper; only names that share their first 8 bytes are compared as bytes.
    /// </summary>
    internal static int[] SortByBytes(SymbolTable symbols, int[] keys)
    {
        var n = keys.Length;
        var order = new int[n];
        for (var i = 0; i < n; i++) order[i] = i;
        if (n < 2) return order;
        if (n <= SmallSortLimit)
        {
            InsertionSortByBytes(symbols, keys, order);
            return order;
        }
        // Our own sort and no array pool: the framework's generic ones over ulong are JIT-compiled.
        var prefixes = n <= 512 ? stackalloc ulong[n] : new ulong[n];
        for (var i = 0; i < n; i++) prefixes[i] = symbols.SortKey(keys[i]);
        Support.KeySort.Sort(prefixes, order);
        // Runs with one prefix: order them by their whole bytes (insertion sort for the usual
        // short runs; names sharing a long prefix, like store paths, can make long ones).
        var start = 0;
        for (var i = 1; i <= n; i++)
        {
            if (i < n && prefixes[i] == prefixes[start]) continue;
            if (i - start > 16)
            {
                Array.Sort(order, start, i - start, new ByNameBytes(symbols, keys));
                start = i;
                continue;
            }
            InsertionSortByBytes(symbols, keys, order.AsSpan(start, i - start));
            start = i;
        }
        return order;
    }

    /// <summary>Sets up to this size are ordered by <see cref="InsertionSortByBytes"/>.</summary>
    private const int SmallSortLimit = 32;

    /// <summary>
    /// Orders <paramref name="order"/>, indices into <paramref name="keys"/>, by the names' bytes:
    /// an insertion sort, for small sets and for runs of names that share their first 8 bytes.
    /// Small sets take it instead of the prefix-key sort, which only pays off for more names.
    /// </summary>
    internal static void InsertionSortByBytes(SymbolTable symbols, int[] keys, Span<int> order)
    {
        for (var j = 1; j < order.Length; j++)
        {
            var item = order[j];
            var k = j - 1;
            while (k >= 0 && symbols.CompareBytes(keys[order[k]], keys[item]) > 0)
            {
                order[k + 1] = order[k];
                k--;
            }
            order[k + 1] = item;
        }
    }

    /// <summary>Orders indices into a name array by the names' bytes.</summary>
    private sealed class ByNameBytes(SymbolTable symbols, int[] keys) : IComparer<int>
    {
        public int Compare(int a, int b) => symbols.CompareBytes(keys[a], keys[b]);
    }

    // `acc // { few = …; }` in a fold (nixpkgs' module system gathers option definitions like
    // this; module-fixpoint declares 3,000 options so) copies the whole of `acc` each time:
    // quadratic work and, because the deltas' lazy values still refer to the previous `acc`,
    // quadratic live memory for the GC to copy. Instead the result can stay a layer, `base` and a
    // delta at most 1/LayerRatio its size, merged only when it is read as a whole (iterated,
    // printed, looked up by a static name through an inline cache, or layered on too thickly).
    // Lookups by a dynamic name (`acc.${n} or []`, `hasAttr`) search the delta, then the base.
    private const int LayerMinBase = 64;
    private const int LayerRatio = 16;

    /// <summary><c>this // other</c>: right side wins.</summary>
    internal NixAttrs Update(NixAttrs other)
    {
        if (other.Count == 0) return this;
        if (Count == 0) return other;
        if (_keys is null)
        {
            // A layer: fold the new names into its delta while it stays thin.
            var extras = Unsafe.As<Extras>(_meta!);
            var bottom = extras.Base!;
            if (other.Count * LayerRatio <= bottom.Count)
            {
                var count = Count + CountNew(this, other);
                var delta = extras.Delta!.UpdateFlat(other.Flat());
                if (delta.Count * LayerRatio <= bottom.Count) return new NixAttrs(bottom, delta, count);
                return MergeFew(bottom, delta, fewWins: true);
            }
        }
        else if (_keys.Length >= LayerMinBase && other.Count * LayerRatio <= _keys.Length)
        {
            var delta = other.Flat();
            return new NixAttrs(this, delta, _keys.Length + CountNew(this, delta));
        }
        if (Count * LayerRatio <= other.Count && other.Count >= LayerMinBase && UnderLayer(other) is { } layered)
            return layered;
        return Flat().UpdateFlat(other.Flat());
    }

    /// <summary>
    /// <c>few // many</c> (this is the few) as a layer over <paramref name="many"/>, or null when the
    /// result would not be a thin one. nixpkgs' bootstrap stages make each package set so:
    /// <c>super // allPackages self super</c>, a few dozen names under eleven thousand. The right
    /// side wins on shared names, so the result is <paramref name="many"/> plus the names of this
    /// set that it lacks; those go into the delta. They are not in the base, so which part wins
    /// does not matter, and the delta stays disjoint from the base as the layer needs.
    /// </summary>
    private NixAttrs? UnderLayer(NixAttrs many)
    {
        var few = Flat();
        var fk = few._keys!;
        Span<int> missing = fk.Length <= 64 ? stackalloc int[fk.Length] : new int[fk.Length];
        var m = 0;
        for (var j = 0; j < fk.Length; j++)
            if (!ContainsByParts(many, fk[j])) missing[m++] = j;
        if (m == 0) return many;
        NixAttrs bottom, delta;
        var extra = few.Subset(missing[..m]);
        if (many._keys is not null)
        {
            bottom = many;
            delta = extra;
        }
        else
        {
            var extras = Unsafe.As<Extras>(many._meta!);
            bottom = extras.Base!;
            delta = extras.Delta!.UpdateFlat(extra);
        }
        if (delta.Count * LayerRatio > bottom.Count) return null;
        return new NixAttrs(bottom, delta, many.Count + m);
    }

    /// <summary>Whether <paramref name="set"/> has <paramref name="sym"/>, by binary search of its flat part(s): no hash index is built, and a layer is not merged.</summary>
    private static bool ContainsByParts(NixAttrs set, int sym)
    {
        if (set._keys is { } keys) return Array.BinarySearch(keys, sym) >= 0;
        var extras = Unsafe.As<Extras>(set._meta!);
        return Array.BinarySearch(extras.Delta!._keys!, sym) >= 0 || Array.BinarySearch(extras.Base!._keys!, sym) >= 0;
    }

    /// <summary>The entries of this flat set at <paramref name="indices"/> (ascending), with their positions.</summary>
    private NixAttrs Subset(ReadOnlySpan<int> indices)
    {
        var keys = new int[indices.Length];
        var values = new Value[indices.Length];
        var pa = PositionsOf();
        var positions = pa is null ? null : new AttrPos[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            keys[i] = _keys![indices[i]];
            values[i] = _values![indices[i]];
            if (positions is not null) positions[i] = pa![indices[i]];
        }
        return new NixAttrs(Symbols, keys, values) { Positions = positions };
    }

    /// <summary>How many names of <paramref name="other"/> are not in <paramref name="set"/> (which is not merged for this).</summary>
    private static int CountNew(NixAttrs set, NixAttrs other)
    {
        var n = 0;
        foreach (var k in other.Keys)
            if (!set.TryGet(k, out _)) n++;
        return n;
    }

    /// <summary>This set with its layers merged (itself).</summary>
    private NixAttrs Flat() => _keys is null ? Flatten() : this;

    /// <summary>A layer's lookup by symbol, without merging it: the delta wins over the base.</summary>
    private bool TryGetLayered(int sym, out Value value)
    {
        var extras = Unsafe.As<Extras>(_meta!);
        var delta = extras.Delta!;
        var at = delta.IndexOfFast(sym);
        if (at >= 0)
        {
            value = delta._values![at];
            return true;
        }
        return extras.Base!.TryGet(sym, out value);
    }

    /// <summary>
    /// Where the value of <paramref name="sym"/> is kept: its index in <paramref name="owner"/>,
    /// which is this set when it is flat, else the part of the layer that holds the name (the
    /// delta wins over the base), so that looking a name up never merges a layer. -1 when the set
    /// has no such name. A slot found so may be written with what its thunk was forced to (as
    /// <see cref="EvalContext.ForceInPlace"/> does): the part's contents stay the same values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int Locate(int sym, out NixAttrs owner)
    {
        owner = this;
        return _keys is not null ? IndexOfFast(sym) : LocateLayered(sym, out owner);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int LocateLayered(int sym, out NixAttrs owner)
    {
        var at = LocateInLayer(sym, out var inBase);
        owner = LayerPart(inBase);
        return at;
    }

    /// <summary>For a layer: the index of <paramref name="sym"/> in its delta, else in its base (<paramref name="inBase"/>), or -1.</summary>
    internal int LocateInLayer(int sym, out bool inBase)
    {
        var extras = Unsafe.As<Extras>(_meta!);
        inBase = false;
        var at = extras.Delta!.IndexOfFast(sym);
        if (at >= 0) return at;
        inBase = true;
        return extras.Base!.IndexOfFast(sym);
    }

    /// <summary>A layer's base (<paramref name="inBase"/>) or delta: both flat sets.</summary>
    internal NixAttrs LayerPart(bool inBase)
    {
        var extras = Unsafe.As<Extras>(_meta!);
        return inBase ? extras.Base! : extras.Delta!;
    }

    /// <summary>
    /// <see cref="IndexOfFast"/> on a layer. An index is into the merged arrays, so a name that is
    /// there merges the layer; a missing one (<c>v._type or null</c> on a big set) does not.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int IndexOfLayered(int sym)
    {
        if (!TryGetLayered(sym, out _)) return -1;
        Flatten();
        return IndexOfFast(sym);
    }

    /// <summary>Merges a layer into flat arrays, in place (the set's contents do not change), and lets go of its parts.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private NixAttrs Flatten()
    {
        var extras = Unsafe.As<Extras>(_meta!);
        var merged = MergeFew(extras.Base!, extras.Delta!, fewWins: true);
        extras.Positions = merged.PositionsOf();
        _values = merged._values;
        _keys = merged._keys;
        extras.Base = null;
        extras.Delta = null;
        return this;
    }

    /// <summary><c>this // other</c> for flat sets: a linear merge of two sorted arrays, right side wins.</summary>
    private NixAttrs UpdateFlat(NixAttrs other)
    {
        var ak = _keys!;
        var av = _values!;
        var bk = other._keys!;
        var bv = other._values!;
        if (bk.Length == 0) return this;
        if (ak.Length == 0) return other;
        // Small sets merged again with the same two names arrays share the result's names.
        if (ak.Length + bk.Length <= UpdateShapes.MaxNames && Symbols.UpdateShapes.Get(ak, bk) is { } recipe)
            return recipe.Apply(this, PositionsOf(), av, other, other.PositionsOf(), bv);
        // `big // { x = …; }` is the common shape (overlays, module merging), and `{ … } // big`
        // (accumulating folds) the next: place the few names by binary search instead of merging.
        if (bk.Length * 8 <= ak.Length) return MergeFew(this, other, fewWins: true);
        if (ak.Length * 8 <= bk.Length) return MergeFew(other, this, fewWins: false);
        var n = UnionCount(ak, bk);
        // When one side's names include the other's, the result has exactly those names: share them.
        var sharedKeys = n == ak.Length ? ak : n == bk.Length ? bk : null;
        // (Writing the merged names into a shared array stores the very names it already holds.)
        var keys = sharedKeys ?? new int[n];
        var values = new Value[n];
        var pa = PositionsOf();
        var pb = other.PositionsOf();
        var positions = pa is null && pb is null ? null : new AttrPos[n];
        int i = 0, j = 0, k = 0;
        while (i < ak.Length && j < bk.Length)
        {
            var a = ak[i];
            var b = bk[j];
            if (a < b)
            {
                if (positions is not null && pa is not null) positions[k] = pa[i];
                keys[k] = a;
                values[k++] = av[i++];
            }
            else
            {
                if (positions is not null && pb is not null) positions[k] = pb[j];
                keys[k] = b;
                values[k++] = bv[j++];
                if (a == b) i++;
            }
        }
        while (i < ak.Length) { if (positions is not null && pa is not null) positions[k] = pa[i]; keys[k] = ak[i]; values[k++] = av[i++]; }
        while (j < bk.Length) { if (positions is not null && pb is not null) positions[k] = pb[j]; keys[k] = bk[j]; values[k++] = bv[j++]; }
        return new NixAttrs(Symbols, keys, values) { Positions = positions };
    }

    /// <summary>The number of distinct names in two sorted name arrays.</summary>
    private static int UnionCount(int[] a, int[] b)
    {
        int i = 0, j = 0, n = 0;
        while (i < a.Length && j < b.Length)
        {
            var x = a[i];
            var y = b[j];
            if (x <= y) i++;
            if (y <= x) j++;
            n++;
        }
        return n + (a.Length - i) + (b.Length - j);
    }

    /// <summary>
    /// <see cref="MergeFew"/> when every name of <paramref name="few"/> is already in
    /// <paramref name="many"/> (<c>pkgs // { hello = …; }</c>): the result has exactly the names of
    /// <paramref name="many"/>, so it shares its name array and, when nothing changes position, its
    /// positions too; only the values are copied.
    /// </summary>
    private static NixAttrs OverrideValues(NixAttrs many, NixAttrs few, ReadOnlySpan<int> places, bool fewWins)
    {
        if (!fewWins) return many;
        var values = (Value[])many.Values.Clone();
        var positions = many.Positions;
        var pf = few.Positions;
        for (var j = 0; j < places.Length; j++)
        {
            var at = places[j] >> 1;
            values[at] = few.Values[j];
            var pos = pf is null ? default : pf[j];
            if (positions is null ? !pos.IsKnown : positions[at] == pos) continue;
            if (ReferenceEquals(positions, many.Positions)) positions = positions is null ? new AttrPos[values.Length] : (AttrPos[])positions.Clone();
            positions![at] = pos;
        }
        return new NixAttrs(many.Symbols, many.Keys, values) { Positions = positions };
    }

    /// <summary>
    /// <see cref="Update"/> when one side is much smaller than the other: the few names of
    /// <paramref name="few"/> are placed into <paramref name="many"/> by binary search and the runs
    /// of <paramref name="many"/> between them are block-copied. On a name in both sets, the
    /// right-hand side of <c>//</c> wins: <paramref name="few"/> if <paramref name="fewWins"/>.
    /// </summary>
    private static NixAttrs MergeFew(NixAttrs many, NixAttrs few, bool fewWins)
    {
        var mk = many.Keys;
        var fk = few.Keys;
        // For each name of `few`: its place in `many` times two, plus one if `many` has it already.
        Span<int> places = fk.Length <= 64 ? stackalloc int[fk.Length] : new int[fk.Length];
        var shared = 0;
        var from = 0;
        for (var j = 0; j < fk.Length; j++)
        {
            var i = Array.BinarySearch(mk, from, mk.Length - from, fk[j]);
            if (i >= 0) { places[j] = i * 2 + 1; shared++; from = i + 1; }
            else { places[j] = ~i * 2; from = ~i; }
        }
        var n = mk.Length + fk.Length - shared;
        if (shared == fk.Length) return OverrideValues(many, few, places, fewWins);
        var keys = new int[n];
        var values = new Value[n];
        var pm = many.Positions;
        var pf = few.Positions;
        var positions = pm is null && pf is null ? null : new AttrPos[n];
        int src = 0, dst = 0;
        for (var j = 0; j < fk.Length; j++)
        {
            var at = places[j] >> 1;
            var inMany = (places[j] & 1) != 0;
            var run = at - src;
            Array.Copy(mk, src, keys, dst, run);
            Array.Copy(many.Values, src, values, dst, run);
            if (positions is not null && pm is not null) Array.Copy(pm, src, positions, dst, run);
            dst += run;
            src = at;
            if (inMany && !fewWins) continue; // the run copy goes on with `many`'s entry
            keys[dst] = fk[j];
            values[dst] = few.Values[j];
            if (positions is not null && pf is not null) positions[dst] = pf[j];
            dst++;
            if (inMany) src++;
        }
        var tail = mk.Length - src;
        Array.Copy(mk, src, keys, dst, tail);
        Array.Copy(many.Values, src, values, dst, tail);
        if (positions is not null && pm is not null) Array.Copy(pm, src, positions, dst, tail);
        return new NixAttrs(many.Symbols, keys, values) { Positions = positions };
    }
}

/// <summary>The source position of an attribute definition.</summary>
/// <remarks>A number given out by the evaluator's <see cref="PositionTable"/>; 0 (the default) is unknown.</remarks>
internal readonly record struct AttrPos(int Number)
{
    public bool IsKnown => Number != 0;
}

/// <summary>
/// Builds an attribute set from (name, value) pairs in any order. A name added twice keeps
/// the last value. Get one from <see cref="EvalContext.CreateAttrsBuilder(int)"/>.
/// </summary>
public sealed class NixAttrsBuilder
{
    private readonly SymbolTable _symbols;
    private int[] _keys;
    private Value[] _values;
    private int _count;
    private bool _sorted = true;

    internal NixAttrsBuilder(SymbolTable symbols, int capacity)
    {
        _symbols = symbols;
        _keys = new int[Math.Max(capacity, 1)];
        _values = new Value[_keys.Length];
    }

    /// <summary>Number of pairs added so far (duplicates included).</summary>
    public int Count => _count;

    /// <summary>Adds an attribute.</summary>
    public NixAttrsBuilder Add(string name, Value value) => Add(_symbols.Intern(name), value);

    /// <summary>Adds an attribute whose name is given as bytes.</summary>
    public NixAttrsBuilder Add(ReadOnlySpan<byte> name, Value value) => Add(_symbols.Intern(name), value);

    internal NixAttrsBuilder Add(int sym, Value value)
    {
        if (_count == _keys.Length)
        {
            Array.Resize(ref _keys, _count * 2);
            Array.Resize(ref _values, _count * 2);
        }
        if (_count > 0 && _keys[_count - 1] >= sym) _sorted = false;
        _keys[_count] = sym;
        _values[_count++] = value;
        return this;
    }

    /// <summary>Builds the set. The builder must not be used afterwards.</summary>
    public NixAttrs Build()
    {
        var keys = _keys;
        var values = _values;
        var n = _count;
        if (!_sorted)
        {
            // Stable sort so that the last of duplicate names wins.
            var idx = new int[n];
            for (var i = 0; i < n; i++) idx[i] = i;
            var k0 = keys;
            Array.Sort(idx, (a, b) => k0[a] != k0[b] ? k0[a].CompareTo(k0[b]) : a.CompareTo(b));
            var nk = new int[n];
            var nv = new Value[n];
            var m = 0;
            for (var i = 0; i < n; i++)
            {
                var src = idx[i];
                if (m > 0 && nk[m - 1] == keys[src]) { nv[m - 1] = values[src]; continue; }
                nk[m] = keys[src];
                nv[m++] = values[src];
            }
            keys = nk;
            values = nv;
            n = m;
        }
        if (n != keys.Length)
        {
            // Array.Copy, not Array.Resize<Value>: a generic method over Value is JIT-compiled at start-up.
            var exactKeys = new int[n];
            var exactValues = new Value[n];
            Array.Copy(keys, exactKeys, n);
            Array.Copy(values, exactValues, n);
            keys = exactKeys;
            values = exactValues;
        }
        return new NixAttrs(_symbols, keys, values);
    }
}
