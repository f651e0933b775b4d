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
            var keys = new List<int>();
            var vals = new List<Value>();
            for (var i = 0; i < y.Keys.Length; i++)
                if (x.IndexOf(y.Keys[i]) >= 0) { keys.Add(y.Keys[i]); vals.Add(y.Values[i]); }
            return Value.FromAttrs(new NixAttrs(cx.Symbols, [.. keys], [.. vals]));
        });
        r.Add("listToAttrs", 1, static (cx, a) =>
        {
            var list = cx.ForceList(a[0]);
            var builder = cx.CreateAttrsBuilder(list.Count);
            var seen = new HashSet<int>();
            foreach (var item in list.Items)
            {
                var e = cx.ForceAttrs(item);
                var name = cx.ForceString(cx.GetAttrOrThrow(e, cx.SymName));
                var sym = cx.Symbols.Intern(name.Bytes);
                if (!seen.Add(sym)) continue;
                builder.Add(sym, cx.GetAttrOrThrow(e, cx.SymValue));
            }
            return Value.FromAttrs(builder.Build());
        });
        r.Add("mapAttrs", 2, static (cx, a) =>
        {
            var f = a[0];
            var s = cx.ForceAttrs(a[1]);
            var vals = new Value[s.Count];
            for (var i = 0; i < vals.Length; i++)
                vals[i] = cx.CallLazy2(f, Value.FromString(cx.Symbols.String(s.Keys[i])), s.Values[i]);
            return Value.FromAttrs(new NixAttrs(cx.Symbols, s.Keys, vals) { Positions = s.Positions });
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
            var keys = new List<int>();
            var vals = new List<Value>();
            for (var i = 0; i < s.Keys.Length; i++)
                if (!remove.Contains(s.Keys[i])) { keys.Add(s.Keys[i]); vals.Add(s.Values[i]); }
            return Value.FromAttrs(new NixAttrs(cx.Symbols, [.. keys], [.. vals]));
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
                if (code.Formals is { } formals)
                    foreach (var fi in formals) builder.Add(fi.Sym, Value.FromBool(fi.Default is not null));
                return Value.FromAttrs(builder.Build());
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
            if (index < 0 || set.Positions is not { } positions || positions[index].Source is not { } source) return Value.Null;
            var (line, column) = source.GetLineColumn(positions[index].Offset);
            var builder = cx.CreateAttrsBuilder(3);
            builder.Add(cx.SymColumn, Value.FromInt(column));
            builder.Add(cx.SymFile, Value.FromString(source.Path ?? source.Name));
            builder.Add(cx.SymLine, Value.FromInt(line));
            return Value.FromAttrs(builder.Build());
        });
    }
}
