namespace Tvix.Eval.Compiler;

/// <summary>
/// Sorts items by their symbol ids (distinct integers), the order attribute sets and formals are
/// kept in. Names are usually met in source order and interned in that order, so the input is
/// often sorted already; small inputs use insertion sort, large ones a merge sort. Hand-written
/// because <c>Array.Sort&lt;int, T&gt;</c> is a generic instantiation that start-up would JIT.
/// </summary>
internal static class SymbolOrder
{
    private const int InsertionSortLimit = 24;

    public static void Sort<T>(int[] keys, T[] items)
    {
        var n = keys.Length;
        var sorted = true;
        for (var i = 1; i < n && sorted; i++) sorted = keys[i - 1] < keys[i];
        if (sorted) return;
        if (n <= InsertionSortLimit)
        {
            InsertionSort(keys, items, 0, n);
            return;
        }
        var tmpKeys = new int[n];
        var tmpItems = new T[n];
        MergeSort(keys, items, tmpKeys, tmpItems, 0, n);
    }

    /// <summary>The index of <paramref name="sym"/> in <paramref name="keys"/>, or -1 (Array.IndexOf&lt;int&gt; is JIT-compiled at start-up).</summary>
    public static int IndexOf(int[] keys, int sym)
    {
        for (var i = 0; i < keys.Length; i++)
            if (keys[i] == sym) return i;
        return -1;
    }

    private static void InsertionSort<T>(int[] keys, T[] items, int start, int end)
    {
        for (var i = start + 1; i < end; i++)
        {
            var key = keys[i];
            var item = items[i];
            var j = i - 1;
            while (j >= start && keys[j] > key)
            {
                keys[j + 1] = keys[j];
                items[j + 1] = items[j];
                j--;
            }
            keys[j + 1] = key;
            items[j + 1] = item;
        }
    }

    private static void MergeSort<T>(int[] keys, T[] items, int[] tmpKeys, T[] tmpItems, int start, int end)
    {
        if (end - start <= InsertionSortLimit)
        {
            InsertionSort(keys, items, start, end);
            return;
        }
        var mid = (start + end) >>> 1;
        MergeSort(keys, items, tmpKeys, tmpItems, start, mid);
        MergeSort(keys, items, tmpKeys, tmpItems, mid, end);
        if (keys[mid - 1] < keys[mid]) return;
        Array.Copy(keys, start, tmpKeys, start, end - start);
        Array.Copy(items, start, tmpItems, start, end - start);
        int a = start, b = mid, o = start;
        while (a < mid && b < end)
        {
            if (tmpKeys[a] < tmpKeys[b])
            {
                keys[o] = tmpKeys[a];
                items[o++] = tmpItems[a++];
            }
            else
            {
                keys[o] = tmpKeys[b];
                items[o++] = tmpItems[b++];
            }
        }
        while (a < mid)
        {
            keys[o] = tmpKeys[a];
            items[o++] = tmpItems[a++];
        }
        while (b < end)
        {
            keys[o] = tmpKeys[b];
            items[o++] = tmpItems[b++];
        }
    }
}
