using System.Buffers;
using Tvix.Eval.Runtime;
using Tvix.Eval.Support;

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
        r.Add("concatLists", 1, static (cx, a) => ConcatLists(cx, cx.ForceList(a[0]).Items));
        r.Add("concatMap", 2, static (cx, a) =>
        {
            cx.ForceFunction(a[0]);
            var items = cx.ForceList(a[1]).Items;
            if (items.Length == 0) return Value.FromList(NixList.Empty);
            var lists = ArrayPool<NixList>.Shared.Rent(items.Length);
            try
            {
                long total = 0;
                for (var i = 0; i < items.Length; i++)
                {
                    var l = cx.ForceList(cx.Call(a[0], items[i]));
                    lists[i] = l;
                    total += l.Count;
                }
                return Value.FromList(Concatenate(cx, lists.AsSpan(0, items.Length), total));
            }
            finally
            {
                Array.Clear(lists, 0, items.Length);
                ArrayPool<NixList>.Shared.Return(lists);
            }
        });
        r.AddConsuming("elem", 2, static (cx, a) =>
        {
            foreach (var x in cx.ForceList(a[1]).Items)
                if (cx.SlotsEqual(a[0], x)) return Value.True;
            return Value.False;
        });
        r.AddConsuming("elemAt", 2, static (cx, a) =>
        {
            var list = cx.ForceList(a[0]);
            var i = cx.ForceInt(a[1]);
            if (i < 0 || i >= list.Count) throw cx.Error($"'builtins.elemAt' called with index {i} on a list of size {list.Count}");
            return list.Items[i];
        });
        r.Add("filter", 2, static (cx, a) =>
        {
            // The list first, and an empty one is returned without looking at the predicate,
            // as current Nix does (`filter 1 "foo"` reports the string).
            var list = cx.ForceList(a[1]);
            if (list.Count == 0) return Value.FromList(list);
            cx.ForceFunction(a[0]);
            var items = list.Items;
            // Which items stay, one bit each; the result is then copied once at its final size.
            var keep = new ItemBits(items.Length);
            try
            {
                var kept = 0;
                for (var i = 0; i < items.Length; i++)
                    if (cx.ForceBool(cx.Call(a[0], items[i]))) { keep.Set(i); kept++; }
                if (kept == items.Length) return Value.FromList(list);
                return Value.FromList(kept == 0 ? NixList.Empty : new NixList(keep.Select(items, kept, true)));
            }
            finally
            {
                keep.Dispose();
            }
        });
        r.Add("foldl'", 3, static (cx, a) =>
        {
            var op = cx.ForceFunction(a[0]);
            var acc = a[1];
            var list = cx.ForceList(a[2]);
            var items = list.Items;
            for (var i = 0; i < items.Length; i++)
            {
                acc = cx.Call(op, acc, items[i]);
                NixList.Settle(items, i);
            }
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
            var items = cx.ForceList(a[1]).Items;
            // First the group of every item, then each group's items in one array of its final size.
            var groupOf = ArrayPool<int>.Shared.Rent(items.Length);
            try
            {
                var groupIndex = new Dictionary<int, int>();
                var keys = new List<int>();
                var sizes = new List<int>();
                for (var i = 0; i < items.Length; i++)
                {
                    var key = cx.Symbols.Intern(cx.ForceString(cx.Call(a[0], items[i])).Bytes);
                    if (!groupIndex.TryGetValue(key, out var g))
                    {
                        g = keys.Count;
                        groupIndex.Add(key, g);
                        keys.Add(key);
                        sizes.Add(0);
                    }
                    sizes[g]++;
                    groupOf[i] = g;
                }
                var groups = new Value[keys.Count][];
                for (var g = 0; g < groups.Length; g++) groups[g] = new Value[sizes[g]];
                var filled = new int[groups.Length];
                for (var i = 0; i < items.Length; i++)
                {
                    var g = groupOf[i];
                    groups[g][filled[g]++] = items[i];
                }
                var builder = cx.CreateAttrsBuilder(groups.Length);
                for (var g = 0; g < groups.Length; g++) builder.Add(keys[g], Value.FromList(new NixList(groups[g])));
                return Value.FromAttrs(builder.Build());
            }
            finally
            {
                ArrayPool<int>.Shared.Return(groupOf);
            }
        });
        r.AddConsuming("head", 1, static (cx, a) =>
        {
            var list = cx.ForceList(a[0]);
            if (list.Count == 0) throw cx.Error("'builtins.head' called on an empty list");
            return list.Items[0];
        });
        // Keeps the argument's elements, never the argument itself.
        r.AddConsuming("tail", 1, static (cx, a) =>
        {
            var list = cx.ForceList(a[0]);
            if (list.Count == 0) throw cx.Error("'builtins.tail' called on an empty list");
            return Value.FromList(new NixList(NixList.TailOf(list.Items)));
        });
        r.AddConsuming("length", 1, static (cx, a) => Value.FromInt(cx.ForceList(a[0]).Count));
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
            var items = cx.ForceList(a[1]).Items;
            var isRight = new ItemBits(items.Length);
            try
            {
                var rights = 0;
                for (var i = 0; i < items.Length; i++)
                    if (cx.ForceBool(cx.Call(a[0], items[i]))) { isRight.Set(i); rights++; }
                var right = rights == 0 ? NixList.Empty : new NixList(isRight.Select(items, rights, true));
                var wrongs = items.Length - rights;
                var wrong = wrongs == 0 ? NixList.Empty : new NixList(isRight.Select(items, wrongs, false));
                var builder = cx.CreateAttrsBuilder(2);
                builder.Add(cx.SymRight, Value.FromList(right));
                builder.Add(cx.SymWrong, Value.FromList(wrong));
                return Value.FromAttrs(builder.Build());
            }
            finally
            {
                isRight.Dispose();
            }
        });
        r.Add("sort", 2, static (cx, a) => Sort(cx, a[0], a[1]));
        r.Add("genericClosure", 1, static (cx, a) => GenericClosure(cx, cx.ForceAttrs(a[0])));
    }

    /// <summary>
    /// <c>concatLists</c>: as in Nix, when only one of the lists is non-empty it is the result
    /// itself; otherwise the items are copied once into an array of the final size.
    /// </summary>
    private static Value ConcatLists(EvalContext cx, Value[] items)
    {
        if (items.Length == 0) return Value.FromList(NixList.Empty);
        var lists = ArrayPool<NixList>.Shared.Rent(items.Length);
        try
        {
            long total = 0;
            NixList? nonEmpty = null;
            for (var i = 0; i < items.Length; i++)
            {
                var l = cx.ForceList(items[i]);
                lists[i] = l;
                total += l.Count;
                if (l.Count > 0) nonEmpty = l;
            }
            if (nonEmpty is null) return Value.FromList(NixList.Empty);
            if (total == nonEmpty.Count) return Value.FromList(nonEmpty);
            return Value.FromList(Concatenate(cx, lists.AsSpan(0, items.Length), total));
        }
        finally
        {
            Array.Clear(lists, 0, items.Length);
            ArrayPool<NixList>.Shared.Return(lists);
        }
    }

    private static NixList Concatenate(EvalContext cx, ReadOnlySpan<NixList> lists, long total)
    {
        if (total == 0) return NixList.Empty;
        if (total > Array.MaxLength) throw cx.Error("list too long");
        var result = new Value[total];
        var at = 0;
        foreach (var l in lists)
        {
            ValueCopy.Copy(l.Items, result.AsSpan(at));
            at += l.Count;
        }
        return new NixList(result);
    }

    /// <summary>
    /// One bit per list item (filter, partition). A plain array (a 64th of the list's length):
    /// <c>ArrayPool&lt;ulong&gt;</c> is a framework generic JIT-compiled at first use (12 methods).
    /// </summary>
    private struct ItemBits : IDisposable
    {
        private ulong[]? _words;

        public ItemBits(int count)
        {
            var words = (count + 63) >> 6;
            if (words == 0) return;
            _words = new ulong[words];
        }

        public readonly void Set(int i) => _words![i >> 6] |= 1UL << i;

        /// <summary>The <paramref name="count"/> items whose bit is <paramref name="bit"/>, in order.</summary>
        public readonly Value[] Select(Value[] items, int count, bool bit)
        {
            var result = new Value[count];
            var n = 0;
            for (var i = 0; i < items.Length; i++)
                if (((_words![i >> 6] >> i) & 1) != 0 == bit) result[n++] = items[i];
            return result;
        }

        public void Dispose() => _words = null;
    }

    /// <summary>The body of <c>lessThan</c>; <c>sort</c> recognises it to compare without calls.</summary>
    private static readonly BuiltinImplementation LessThan = static (cx, a) => Value.FromBool(cx.LessThan(a[0], a[1]));

    /// <summary>
    /// <c>sort</c>, stable like Nix's <c>std::stable_sort</c>. As in Nix the function is forced
    /// first, then the list, then every item in order, and <c>builtins.lessThan</c> as the
    /// comparator compares directly instead of being called.
    /// </summary>
    private static Value Sort(EvalContext cx, Value comparator, Value listArg)
    {
        // The list first, and an empty one is returned without looking at the comparator,
        // as current Nix does.
        var list = cx.ForceList(listArg);
        if (list.Count == 0) return Value.FromList(list);
        var cmp = cx.ForceFunction(comparator);
        var items = (Value[])list.Items.Clone();
        var allInts = true;
        for (var i = 0; i < items.Length; i++)
        {
            var v = cx.Force(items[i]);
            allInts &= v.Kind == ValueKind.Int;
        }
        if (items.Length <= 1) return Value.FromList(items.Length == 0 ? NixList.Empty : new NixList(items));
        if (cmp.Kind == ValueKind.PrimOp && ReferenceEquals(((Builtin)cmp.Obj!).Impl, LessThan))
        {
            if (allInts) return Value.FromList(new NixList(SortInts(cx, items)));
            try { MergeSort(items, new Value[items.Length], 0, items.Length, new CompareLess(cx)); }
            catch (NixEvalException e) when (e.Traced("while calling the 'lessThan' builtin", null, default)) { throw; }
        }
        else
        {
            MergeSort(items, new Value[items.Length], 0, items.Length, new CallLess(cx, cmp));
        }
        return Value.FromList(new NixList(items));
    }

    /// <summary>
    /// Integers are sorted as numbers: equal ones cannot be told apart, so stability is moot.
    /// Flipping the sign bit maps signed order onto unsigned order for <see cref="KeySort"/>
    /// (the framework's <c>Array.Sort&lt;long&gt;</c> is JIT-compiled at first use).
    /// </summary>
    private static Value[] SortInts(EvalContext cx, Value[] items)
    {
        const ulong signBit = 1UL << 63;
        var keys = items.Length <= 256 ? stackalloc ulong[items.Length] : new ulong[items.Length];
        for (var i = 0; i < items.Length; i++) keys[i] = (ulong)cx.Force(items[i]).RawInt ^ signBit;
        KeySort.Sort(keys);
        for (var i = 0; i < items.Length; i++) items[i] = Value.FromInt((long)(keys[i] ^ signBit));
        return items;
    }

    private interface ILess
    {
        bool Less(Value x, Value y);
    }

    private readonly struct CompareLess(EvalContext cx) : ILess
    {
        public bool Less(Value x, Value y) => cx.Compare(x, y) < 0;
    }

    private readonly struct CallLess(EvalContext cx, Value cmp) : ILess
    {
        public bool Less(Value x, Value y) => cx.ForceBool(cx.Call(cmp, x, y));
    }

    /// <summary>Stable merge sort with a "less than" predicate (Nix's sort is stable).</summary>
    private static void MergeSort<TLess>(Value[] a, Value[] tmp, int lo, int hi, TLess less) where TLess : struct, ILess
    {
        if (hi - lo < 2) return;
        if (hi - lo <= 8)
        {
            for (var i = lo + 1; i < hi; i++)
            {
                var x = a[i];
                var j = i - 1;
                while (j >= lo && less.Less(x, a[j])) { a[j + 1] = a[j]; j--; }
                a[j + 1] = x;
            }
            return;
        }
        var mid = (lo + hi) >>> 1;
        MergeSort(a, tmp, lo, mid, less);
        MergeSort(a, tmp, mid, hi, less);
        int l = lo, r = mid, k = lo;
        while (l < mid && r < hi) tmp[k++] = less.Less(a[r], a[l]) ? a[r++] : a[l++];
        while (l < mid) tmp[k++] = a[l++];
        while (r < hi) tmp[k++] = a[r++];
        Array.Copy(tmp, lo, a, lo, hi - lo);
    }

    private sealed class KeyComparer(EvalContext cx) : IComparer<Value>
    {
        public int Compare(Value x, Value y) => cx.Compare(x, y);
    }

    private static Value GenericClosure(EvalContext cx, NixAttrs args)
    {
        var startSet = cx.ForceList(cx.GetAttrOrThrow(args, cx.SymStartSet));
        var op = cx.GetAttrOrThrow(args, cx.SymOperator);
        // Enqueued one by one: the queue's constructor from a collection goes through the
        // array's generic interface methods, which are JIT-compiled at first use.
        var work = new Queue<Value>(startSet.Items.Length);
        foreach (var start in startSet.Items) work.Enqueue(start);
        // Keys seen so far, ordered as Nix orders values (a balanced tree: membership and
        // insertion in O(log n), where a sorted list would shift half its items per insertion).
        var seen = new SortedSet<Value>(new KeyComparer(cx));
        // An array grown by hand, not a List<Value> (see catAttrs).
        var result = new Value[Math.Max(4, startSet.Items.Length)];
        var count = 0;
        while (work.Count > 0)
        {
            var item = work.Dequeue();
            var e = cx.ForceAttrs(item);
            var key = cx.Force(cx.GetAttrOrThrow(e, cx.SymKey));
            if (!seen.Add(key)) continue;
            if (count == result.Length)
            {
                var bigger = new Value[count * 2];
                Array.Copy(result, bigger, count);
                result = bigger;
            }
            result[count++] = item;
            foreach (var next in cx.ForceList(cx.Call(op, item)).Items) work.Enqueue(next);
        }
        return Value.FromList(new NixList(NixList.PrefixOf(result, count)));
    }
}
