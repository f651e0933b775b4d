using Tvix.Eval.Runtime;

namespace Tvix.Eval.Builtins;

// List builtins.
internal static partial class BuiltinCatalog
{
    private static void RegisterLists(BuiltinRegistry r)
    {
        r.Add("all", 2, static (cx, a) =>
        {
            cx.ForceFunction(a[0]);
            foreach (var x in cx.ForceList(a[1]).Items)
                if (!cx.ForceBool(cx.Call(a[0], x))) return Value.False;
            return Value.True;
        });
        r.Add("any", 2, static (cx, a) =>
        {
            cx.ForceFunction(a[0]);
            foreach (var x in cx.ForceList(a[1]).Items)
                if (cx.ForceBool(cx.Call(a[0], x))) return Value.True;
            return Value.False;
        });
        r.Add("concatLists", 1, static (cx, a) =>
        {
            var lists = cx.ForceList(a[0]);
            var result = new List<Value>();
            foreach (var l in lists.Items) result.AddRange(cx.ForceList(l).Items);
            return Value.FromList(new NixList([.. result]));
        });
        r.Add("concatMap", 2, static (cx, a) =>
        {
            cx.ForceFunction(a[0]);
            var result = new List<Value>();
            foreach (var x in cx.ForceList(a[1]).Items) result.AddRange(cx.ForceList(cx.Call(a[0], x)).Items);
            return Value.FromList(new NixList([.. result]));
        });
        r.Add("elem", 2, static (cx, a) =>
        {
            foreach (var x in cx.ForceList(a[1]).Items)
                if (cx.SlotsEqual(a[0], x)) return Value.True;
            return Value.False;
        });
        r.Add("elemAt", 2, static (cx, a) =>
        {
            var list = cx.ForceList(a[0]);
            var i = cx.ForceInt(a[1]);
            if (i < 0 || i >= list.Count) throw cx.Error($"'builtins.elemAt' called with index {i} on a list of size {list.Count}");
            return list.Items[i];
        });
        r.Add("filter", 2, static (cx, a) =>
        {
            cx.ForceFunction(a[0]);
            var list = cx.ForceList(a[1]);
            var result = new List<Value>(list.Count);
            foreach (var x in list.Items)
                if (cx.ForceBool(cx.Call(a[0], x))) result.Add(x);
            return result.Count == list.Count ? Value.FromList(list) : Value.FromList(new NixList([.. result]));
        });
        r.Add("foldl'", 3, static (cx, a) =>
        {
            var op = cx.ForceFunction(a[0]);
            var acc = a[1];
            var list = cx.ForceList(a[2]);
            foreach (var x in list.Items) acc = cx.Call(op, acc, x);
            return acc;
        });
        r.Add("genList", 2, static (cx, a) =>
        {
            var n = cx.ForceInt(a[1]);
            if (n < 0) throw cx.Error($"cannot create list of size {n}");
            var items = new Value[n];
            for (var i = 0; i < n; i++) items[i] = cx.CallLazy(a[0], Value.FromInt(i));
            return Value.FromList(new NixList(items));
        });
        r.Add("groupBy", 2, static (cx, a) =>
        {
            cx.ForceFunction(a[0]);
            var groups = new Dictionary<int, List<Value>>();
            foreach (var x in cx.ForceList(a[1]).Items)
            {
                var key = cx.Symbols.Intern(cx.ForceString(cx.Call(a[0], x)).Bytes);
                if (!groups.TryGetValue(key, out var g)) groups[key] = g = [];
                g.Add(x);
            }
            var builder = cx.CreateAttrsBuilder(groups.Count);
            foreach (var (k, g) in groups) builder.Add(k, Value.FromList(new NixList([.. g])));
            return Value.FromAttrs(builder.Build());
        });
        r.Add("head", 1, static (cx, a) =>
        {
            var list = cx.ForceList(a[0]);
            if (list.Count == 0) throw cx.Error("'builtins.head' called on an empty list");
            return list.Items[0];
        });
        r.Add("tail", 1, static (cx, a) =>
        {
            var list = cx.ForceList(a[0]);
            if (list.Count == 0) throw cx.Error("'builtins.tail' called on an empty list");
            return Value.FromList(new NixList(list.Items[1..]));
        });
        r.Add("length", 1, static (cx, a) => Value.FromInt(cx.ForceList(a[0]).Count));
        r.Add("map", 2, static (cx, a) =>
        {
            var list = cx.ForceList(a[1]);
            if (list.Count == 0) return Value.FromList(list);
            cx.ForceFunction(a[0]);
            var items = new Value[list.Count];
            for (var i = 0; i < items.Length; i++) items[i] = cx.CallLazy(a[0], list.Items[i]);
            return Value.FromList(new NixList(items));
        }, global: true);
        r.Add("partition", 2, static (cx, a) =>
        {
            cx.ForceFunction(a[0]);
            var right = new List<Value>();
            var wrong = new List<Value>();
            foreach (var x in cx.ForceList(a[1]).Items)
                (cx.ForceBool(cx.Call(a[0], x)) ? right : wrong).Add(x);
            var builder = cx.CreateAttrsBuilder(2);
            builder.Add(cx.SymRight, Value.FromList(new NixList([.. right])));
            builder.Add(cx.SymWrong, Value.FromList(new NixList([.. wrong])));
            return Value.FromAttrs(builder.Build());
        });
        r.Add("sort", 2, static (cx, a) =>
        {
            var list = cx.ForceList(a[1]);
            var cmp = cx.ForceFunction(a[0]);
            if (list.Count <= 1) return Value.FromList(list);
            var items = (Value[])list.Items.Clone();
            MergeSort(items, new Value[items.Length], 0, items.Length, (x, y) => cx.ForceBool(cx.Call(cmp, x, y)));
            return Value.FromList(new NixList(items));
        });
        r.Add("genericClosure", 1, static (cx, a) => GenericClosure(cx, cx.ForceAttrs(a[0])));
    }

    /// <summary>Stable merge sort with a "less than" predicate (Nix's sort is stable).</summary>
    private static void MergeSort(Value[] a, Value[] tmp, int lo, int hi, Func<Value, Value, bool> less)
    {
        if (hi - lo < 2) return;
        if (hi - lo <= 8)
        {
            for (var i = lo + 1; i < hi; i++)
            {
                var x = a[i];
                var j = i - 1;
                while (j >= lo && less(x, a[j])) { a[j + 1] = a[j]; j--; }
                a[j + 1] = x;
            }
            return;
        }
        var mid = (lo + hi) >>> 1;
        MergeSort(a, tmp, lo, mid, less);
        MergeSort(a, tmp, mid, hi, less);
        int l = lo, r = mid, k = lo;
        while (l < mid && r < hi) tmp[k++] = less(a[r], a[l]) ? a[r++] : a[l++];
        while (l < mid) tmp[k++] = a[l++];
        while (r < hi) tmp[k++] = a[r++];
        Array.Copy(tmp, lo, a, lo, hi - lo);
    }

    private static Value GenericClosure(EvalContext cx, NixAttrs args)
    {
        var startSet = cx.ForceList(cx.GetAttrOrThrow(args, cx.SymStartSet));
        var op = cx.GetAttrOrThrow(args, cx.SymOperator);
        var work = new Queue<Value>(startSet.Items);
        var seen = new List<Value>();
        var result = new List<Value>();
        while (work.Count > 0)
        {
            var item = work.Dequeue();
            var e = cx.ForceAttrs(item);
            var key = cx.Force(cx.GetAttrOrThrow(e, cx.SymKey));
            // Keys are kept sorted with Nix's ordering, so membership is a binary search.
            int lo = 0, hi = seen.Count - 1, found = -1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                var c = cx.Compare(key, seen[mid]);
                if (c == 0) { found = mid; break; }
                if (c > 0) lo = mid + 1; else hi = mid - 1;
            }
            if (found >= 0) continue;
            seen.Insert(lo, key);
            result.Add(item);
            foreach (var next in cx.ForceList(cx.Call(op, item)).Items) work.Enqueue(next);
        }
        return Value.FromList(new NixList([.. result]));
    }
}
