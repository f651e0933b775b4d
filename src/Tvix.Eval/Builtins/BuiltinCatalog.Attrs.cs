using Tvix.Eval.Runtime;
using Tvix.Eval.Support;

namespace Tvix.Eval.Builtins;

// Attribute set builtins.
internal static partial class BuiltinCatalog
{
    private static void RegisterAttrs(BuiltinRegistry r)
    {
        r.AddConsuming("attrNames", 1, static (cx, a) =>
        {
            var s = cx.ForceAttrs(a[0]);
            var order = s.ByteOrder();
            var items = new Value[order.Length];
            for (var i = 0; i < items.Length; i++) items[i] = Value.FromString(cx.Symbols.String(s.Keys[order[i]]));
            return Value.FromList(new NixList(items));
        });
        r.Add("attrValues", 1, static (cx, a) =>
        {
            var s = cx.ForceAttrs(a[0]);
            var order = s.ByteOrder();
            var items = new Value[order.Length];
            for (var i = 0; i < items.Length; i++) items[i] = s.Values[order[i]];
            return Value.FromList(new NixList(items));
        });
        r.Add("catAttrs", 2, static (cx, a) =>
        {
            var sym = cx.Symbols.Intern(cx.ForceString(a[0]).Bytes);
            var list = cx.ForceList(a[1]);
            // An array trimmed at the end rather than a List<Value>, whose static initialiser over
            // this struct is compiled at run time (catAttrs is one of the first builtins nixpkgs calls).
            var result = new Value[list.Items.Length];
            var found = 0;
            foreach (var item in list.Items)
                if (cx.ForceAttrs(item).TryGet(sym, out var v)) result[found++] = v;
            return Value.FromList(new NixList(NixList.PrefixOf(result, found)));
        });
        r.AddConsuming("getAttr", 2, static (cx, a) =>
        {
            var sym = cx.Symbols.Intern(cx.ForceString(a[0]).Bytes);
            return cx.GetAttrOrThrow(cx.ForceAttrs(a[1]), sym);
        });
        r.AddConsuming("hasAttr", 2, static (cx, a) =>
        {
            var name = cx.ForceString(a[0]);
            return Value.FromBool(cx.ForceAttrs(a[1]).TryGetValue(name.Bytes, out _));
        });
        r.Add("intersectAttrs", 2, static (cx, a) =>
        {
            var x = cx.ForceAttrs(a[0]);
            var y = cx.ForceAttrs(a[1]);
            // The attributes are y's, positions included (as Nix copies them). Like Nix, the
            // smaller set is walked and the other searched (callPackage intersects a few formals
            // with a large set). Keys are sorted by symbol in both, so y's indices come in order.
            if (x.Count < y.Count) return Value.FromAttrs(Picked(cx, x.Keys, y));
            var kept = y.Count <= 64 ? stackalloc int[y.Count] : new int[y.Count];
            var n = 0;
            for (var i = 0; i < y.Keys.Length; i++)
                if (x.IndexOf(y.Keys[i]) >= 0) kept[n++] = i;
            return Value.FromAttrs(Subset(cx, y, kept[..n]));
        });
        r.Add("listToAttrs", 1, static (cx, a) => Value.FromAttrs(ListToAttrs(cx, cx.ForceList(a[0]))));
        r.Add("mapAttrs", 2, static (cx, a) =>
        {
            var f = a[0];
            var s = cx.ForceAttrs(a[1]);
            var vals = new Value[s.Count];
            for (var i = 0; i < vals.Length; i++)
                vals[i] = cx.CallLazy2(f, Value.FromString(cx.Symbols.String(s.Keys[i])), s.Values[i]);
            // Nix gives the new attributes no position (unsafeGetAttrPos is null).
            return Value.FromAttrs(new NixAttrs(cx.Symbols, s.Keys, vals));
        });
        r.Add("removeAttrs", 2, static (cx, a) =>
        {
            var s = cx.ForceAttrs(a[0]);
            var names = cx.ForceList(a[1]).Items;
            // The set's names are sorted by symbol: each name to remove is found by binary search
            // and marked, rather than collected in a hash set per call (NixOS calls this often).
            var keys = s.Keys;
            var removed = keys.Length <= 256 ? stackalloc bool[keys.Length] : new bool[keys.Length];
            var removedCount = 0;
            foreach (var n in names)
            {
                var sym = cx.Symbols.Find(cx.ForceString(n).Bytes);
                if (sym >= 0 && Array.BinarySearch(keys, sym) is var at and >= 0 && !removed[at])
                {
                    removed[at] = true;
                    removedCount++;
                }
            }
            if (removedCount == 0) return Value.FromAttrs(s);
            var kept = keys.Length - removedCount <= 64 ? stackalloc int[keys.Length - removedCount] : new int[keys.Length - removedCount];
            var keptCount = 0;
            for (var i = 0; i < keys.Length; i++)
                if (!removed[i]) kept[keptCount++] = i;
            return Value.FromAttrs(Subset(cx, s, kept));
        }, global: true);
        r.Add("zipAttrsWith", 2, static (cx, a) =>
        {
            // The function is checked before the list, even when the list is empty (as Nix does).
            cx.ForceFunction(a[0]);
            return Value.FromAttrs(ZipAttrsWith(cx, a[0], cx.ForceList(a[1]).Items));
        });
        r.Add("functionArgs", 1, static (cx, a) =>
        {
            var f = cx.Force(a[0]);
            if (f.Kind == ValueKind.Lambda)
            {
                var code = ((Closure)f.Obj!).Code;
                var builder = cx.CreateAttrsBuilder();
                if (code.Formals is not { } formals) return Value.FromAttrs(builder.Build());
                // Formals are sorted by symbol, the order of a set's keys; each is at its name, as in Nix.
                var keys = new int[formals.Length];
                var vals = new Value[formals.Length];
                var positions = new AttrPos[formals.Length];
                for (var i = 0; i < formals.Length; i++)
                {
                    keys[i] = formals[i].Sym;
                    vals[i] = Value.FromBool(formals[i].Default is not null);
                    positions[i] = cx.Symbols.Positions.Get(code.Source, formals[i].Offset);
                }
                return Value.FromAttrs(new NixAttrs(cx.Symbols, keys, vals) { Positions = positions });
            }
            if (f.Kind is ValueKind.PrimOp or ValueKind.PrimOpApp) return Value.FromAttrs(cx.EmptyAttrs);
            throw cx.Error("'functionArgs' requires a function");
        });
        r.Add("unsafeGetAttrPos", 2, static (cx, a) =>
        {
            var name = cx.ForceString(a[0]);
            var set = cx.ForceAttrs(a[1]);
            var sym = cx.Symbols.Find(name.Bytes);
            var index = sym < 0 ? -1 : set.IndexOf(sym);
            // As current Nix: a position in a source that is not a file (`-E`, stdin) is null.
            if (index < 0 || set.Positions is not { } positions || cx.Symbols.Positions.Resolve(positions[index]) is not { } at
                || at.Source.Path is not { } file) return Value.Null;
            var (line, column) = at.Source.GetLineColumn(at.Offset);
            var builder = cx.CreateAttrsBuilder(3);
            builder.Add(cx.SymColumn, Value.FromInt(column));
            builder.Add(cx.SymFile, Value.FromString(file));
            builder.Add(cx.SymLine, Value.FromInt(line));
            return Value.FromAttrs(builder.Build());
        });
    }

    /// <summary>
    /// <c>zipAttrsWith f sets</c>: each name of any set, with <c>f name [its values, in list
    /// order]</c> as a lazy call. The (name, value) pairs of all sets are sorted once by name and
    /// position, so every group's list is allocated at its final size.
    /// </summary>
    private static NixAttrs ZipAttrsWith(EvalContext cx, Value f, Value[] items)
    {
        var sets = new NixAttrs[items.Length];
        long total = 0;
        for (var i = 0; i < items.Length; i++)
        {
            sets[i] = cx.ForceAttrs(items[i]);
            total += sets[i].Count;
        }
        if (total > Array.MaxLength) throw cx.Error("list too long");
        // Name in the high half, the pair's place in the concatenation of all sets in the low
        // (unsigned for KeySort: the framework's Array.Sort<long> is JIT-compiled at first use).
        var pairs = new ulong[total];
        var values = new Value[total];
        var at = 0;
        foreach (var s in sets)
        {
            var keys = s.Keys;
            ValueCopy.Copy(s.Values, values.AsSpan(at));
            for (var j = 0; j < keys.Length; j++, at++) pairs[at] = (ulong)(uint)keys[j] << 32 | (uint)at;
        }
        KeySort.Sort(pairs);
        var names = 0;
        for (var i = 0; i < pairs.Length; i++)
            if (i == 0 || pairs[i] >> 32 != pairs[i - 1] >> 32) names++;
        var resultKeys = new int[names];
        var resultValues = new Value[names];
        var start = 0;
        for (var g = 0; g < names; g++)
        {
            var sym = pairs[start] >> 32;
            var end = start + 1;
            while (end < pairs.Length && pairs[end] >> 32 == sym) end++;
            var group = new Value[end - start];
            for (var i = start; i < end; i++) group[i - start] = values[(int)pairs[i]];
            resultKeys[g] = (int)sym;
            resultValues[g] = cx.CallLazy2(f, Value.FromString(cx.Symbols.String((int)sym)), Value.FromList(new NixList(group)));
            start = end;
        }
        return new NixAttrs(cx.Symbols, resultKeys, resultValues);
    }

    /// <summary>
    /// The attributes of <paramref name="from"/> named in <paramref name="names"/> (sorted by
    /// symbol), with their positions: <c>intersectAttrs</c> of a few names with a big set
    /// (callPackage's formals with the package set), found without merging the set if it is a layer.
    /// </summary>
    private static NixAttrs Picked(EvalContext cx, int[] names, NixAttrs from)
    {
        var keys = new int[names.Length];
        var vals = new Value[names.Length];
        AttrPos[]? positions = null;
        var n = 0;
        foreach (var name in names)
        {
            var at = from.Locate(name, out var owner);
            if (at < 0) continue;
            keys[n] = name;
            vals[n] = owner.Values[at];
            if (owner.Positions is { } known) (positions ??= new AttrPos[names.Length])[n] = known[at];
            n++;
        }
        if (n < names.Length)
        {
            Array.Resize(ref keys, n);
            Array.Resize(ref vals, n);
            if (positions is not null) Array.Resize(ref positions, n);
        }
        return new NixAttrs(cx.Symbols, keys, vals) { Positions = positions };
    }

    /// <summary>The attributes of <paramref name="s"/> at the (increasing) indices <paramref name="kept"/>, with their positions.</summary>
    private static NixAttrs Subset(EvalContext cx, NixAttrs s, ReadOnlySpan<int> kept)
    {
        if (kept.Length == s.Keys.Length) return s;
        var keys = new int[kept.Length];
        var vals = new Value[kept.Length];
        var from = s.Positions;
        var positions = from is null ? null : new AttrPos[kept.Length];
        for (var n = 0; n < kept.Length; n++)
        {
            keys[n] = s.Keys[kept[n]];
            vals[n] = s.Values[kept[n]];
            if (positions is not null) positions[n] = from![kept[n]];
        }
        return new NixAttrs(cx.Symbols, keys, vals) { Positions = positions };
    }

    /// <summary>
    /// <c>listToAttrs</c>, in Nix's two steps: every pair's name first, then, for the first pair
    /// of each name, its <c>value</c>, which also gives the attribute its position.
    /// </summary>
    private static NixAttrs ListToAttrs(EvalContext cx, NixList list)
    {
        var items = list.Items;
        // Each pair's name and index as one number, name in the high half: sorted, a name's
        // first pair comes first, so one sort orders the names and finds the pairs that count.
        var pairs = new ulong[items.Length];
        var sorted = true;
        for (var i = 0; i < items.Length; i++)
        {
            var e = cx.ForceAttrs(items[i]);
            var sym = cx.Symbols.Intern(cx.ForceString(cx.GetAttrOrThrow(e, cx.SymName)).Bytes);
            pairs[i] = (ulong)(uint)sym << 32 | (uint)i;
            if (i > 0 && pairs[i - 1] >= pairs[i]) sorted = false;
        }
        if (!sorted) KeySort.Sort(pairs);
        var n = 0;
        for (var i = 0; i < pairs.Length; i++)
            if (n == 0 || pairs[i] >> 32 != pairs[n - 1] >> 32) pairs[n++] = pairs[i];
        var keys = new int[n];
        for (var k = 0; k < n; k++) keys[k] = (int)(pairs[k] >> 32);
        // Positions are filled after the names' evaluation (which allocates a lot), into an
        // array made only when a pair has one.
        var vals = new Value[n];
        AttrPos[]? positions = null;
        for (var k = 0; k < n; k++)
        {
            var e = cx.ForceAttrs(items[(int)pairs[k]]);
            var at = e.IndexOf(cx.SymValue);
            vals[k] = at >= 0 ? e.Values[at] : cx.GetAttrOrThrow(e, cx.SymValue); // the latter fails as Nix does
            if (at >= 0 && e.Positions is { } p && p[at].IsKnown) (positions ??= new AttrPos[n])[k] = p[at];
        }
        return new NixAttrs(cx.Symbols, keys, vals) { Positions = positions };
    }
}
