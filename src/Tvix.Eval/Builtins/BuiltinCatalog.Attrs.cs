using Tvix.Eval.Runtime;

namespace Tvix.Eval.Builtins;

// Attribute set builtins.
internal static partial class BuiltinCatalog
{
    private static void RegisterAttrs(BuiltinRegistry r)
    {
        r.Add("attrNames", 1, static (cx, a) =>
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
            var result = new List<Value>();
            foreach (var item in list.Items)
                if (cx.ForceAttrs(item).TryGet(sym, out var v)) result.Add(v);
            return Value.FromList(new NixList([.. result]));
        });
        r.Add("getAttr", 2, static (cx, a) =>
        {
            var sym = cx.Symbols.Intern(cx.ForceString(a[0]).Bytes);
            return cx.GetAttrOrThrow(cx.ForceAttrs(a[1]), sym);
        });
        r.Add("hasAttr", 2, static (cx, a) =>
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
            var small = Math.Min(x.Count, y.Count);
            var kept = small <= 64 ? stackalloc int[small] : new int[small];
            var n = 0;
            if (x.Count < y.Count)
            {
                foreach (var key in x.Keys)
                    if (y.IndexOf(key) is var j and >= 0) kept[n++] = j;
            }
            else
            {
                for (var i = 0; i < y.Keys.Length; i++)
                    if (x.IndexOf(y.Keys[i]) >= 0) kept[n++] = i;
            }
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
            var names = cx.ForceList(a[1]);
            var remove = new HashSet<int>();
            foreach (var n in names.Items)
            {
                var sym = cx.Symbols.Find(cx.ForceString(n).Bytes);
                if (sym >= 0) remove.Add(sym);
            }
            if (remove.Count == 0) return Value.FromAttrs(s);
            var kept = s.Count <= 64 ? stackalloc int[s.Count] : new int[s.Count];
            var keptCount = 0;
            for (var i = 0; i < s.Keys.Length; i++)
                if (!remove.Contains(s.Keys[i])) kept[keptCount++] = i;
            return Value.FromAttrs(Subset(cx, s, kept[..keptCount]));
        }, global: true);
        r.Add("zipAttrsWith", 2, static (cx, a) =>
        {
            var f = a[0];
            var list = cx.ForceList(a[1]);
            var groups = new SortedDictionary<int, List<Value>>();
            foreach (var item in list.Items)
            {
                var s = cx.ForceAttrs(item);
                for (var i = 0; i < s.Keys.Length; i++)
                {
                    if (!groups.TryGetValue(s.Keys[i], out var g)) groups[s.Keys[i]] = g = [];
                    g.Add(s.Values[i]);
                }
            }
            var keys = new int[groups.Count];
            var vals = new Value[groups.Count];
            var n = 0;
            foreach (var (k, g) in groups)
            {
                keys[n] = k;
                vals[n++] = cx.CallLazy2(f, Value.FromString(cx.Symbols.String(k)), Value.FromList(new NixList([.. g])));
            }
            return Value.FromAttrs(new NixAttrs(cx.Symbols, keys, vals));
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
                    positions[i] = new AttrPos(code.Source, formals[i].Offset);
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
            if (index < 0 || set.Positions is not { } positions || positions[index].Source is not { Path: { } file } source) return Value.Null;
            var (line, column) = source.GetLineColumn(positions[index].Offset);
            var builder = cx.CreateAttrsBuilder(3);
            builder.Add(cx.SymColumn, Value.FromInt(column));
            builder.Add(cx.SymFile, Value.FromString(file));
            builder.Add(cx.SymLine, Value.FromInt(line));
            return Value.FromAttrs(builder.Build());
        });
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
    /// <c>listToAttrs</c>: the first pair of each name wins; each attribute is at its pair's
    /// <c>value</c> attribute, as in Nix.
    /// </summary>
    private static NixAttrs ListToAttrs(EvalContext cx, NixList list)
    {
        var count = list.Count;
        var keys = new int[count];
        var vals = new Value[count];
        AttrPos[]? positions = null;
        var seen = new HashSet<int>();
        var n = 0;
        var sorted = true;
        foreach (var item in list.Items)
        {
            var e = cx.ForceAttrs(item);
            var name = cx.ForceString(cx.GetAttrOrThrow(e, cx.SymName));
            var sym = cx.Symbols.Intern(name.Bytes);
            if (!seen.Add(sym)) continue;
            var valueIndex = e.IndexOf(cx.SymValue);
            var value = cx.GetAttrOrThrow(e, cx.SymValue);
            if (e.Positions is { } from && valueIndex >= 0 && from[valueIndex].Source is not null)
                (positions ??= new AttrPos[count])[n] = from[valueIndex];
            if (n > 0 && keys[n - 1] > sym) sorted = false;
            keys[n] = sym;
            vals[n++] = value;
        }
        if (n != count)
        {
            Array.Resize(ref keys, n);
            Array.Resize(ref vals, n);
            if (positions is not null) Array.Resize(ref positions, n);
        }
        if (!sorted)
        {
            // Names are distinct, so any sort by symbol gives the one order a set keeps.
            var order = new int[n];
            for (var i = 0; i < n; i++) order[i] = i;
            Array.Sort(keys, order);
            var sortedVals = new Value[n];
            var sortedPositions = positions is null ? null : new AttrPos[n];
            for (var i = 0; i < n; i++)
            {
                sortedVals[i] = vals[order[i]];
                if (sortedPositions is not null) sortedPositions[i] = positions![order[i]];
            }
            vals = sortedVals;
            positions = sortedPositions;
        }
        return new NixAttrs(cx.Symbols, keys, vals) { Positions = positions };
    }
}
