namespace Tvix.Eval.Support;

/// <summary>
/// An unstable sort of 64-bit keys, optionally carrying an <c>int</c> per key, written out
/// without generics. <c>Array.Sort&lt;ulong, int&gt;</c> and <c>Array.Sort&lt;long&gt;</c>
/// are framework instantiations over primitive types that ReadyToRun cannot put in our images,
/// so the first attribute-name sort or <c>builtins.sort</c> of integers JIT-compiled about
/// twenty methods; this code is precompiled with the rest of the assembly. Introsort as the
/// framework does it: median-of-three quicksort, insertion sort for short ranges, heapsort once
/// the recursion is deeper than twice the logarithm of the length.
/// </summary>
internal static class KeySort
{
    private const int InsertionSortLimit = 16;

    /// <summary>Orders <paramref name="keys"/> ascending.</summary>
    public static void Sort(Span<ulong> keys) => Sort(keys, []);

    /// <summary>
    /// Orders <paramref name="keys"/> ascending and moves each of <paramref name="items"/> (as
    /// long as the keys, or empty) with its key. Equal keys keep no particular order.
    /// </summary>
    public static void Sort(Span<ulong> keys, Span<int> items) => Sort(keys, items, 2 * (Log2(keys.Length) + 1));

    /// <summary>
    /// <see cref="Sort(Span{ulong}, Span{int})"/> switching to heapsort after
    /// <paramref name="depthLimit"/> partitions on a path (tests force the heapsort with 0).
    /// </summary>
    internal static void Sort(Span<ulong> keys, Span<int> items, int depthLimit)
    {
        if (items.Length != 0 && items.Length != keys.Length)
            throw new ArgumentException("items must be empty or as long as keys", nameof(items));
        if (keys.Length < 2) return;
        IntroSort(keys, items, 0, keys.Length - 1, depthLimit);
    }

    private static int Log2(int n)
    {
        var log = 0;
        while ((n >>= 1) != 0) log++;
        return log;
    }

    /// <summary>Sorts the inclusive range <paramref name="lo"/>..<paramref name="hi"/>.</summary>
    private static void IntroSort(Span<ulong> keys, Span<int> items, int lo, int hi, int depthLimit)
    {
        while (hi - lo >= InsertionSortLimit)
        {
            if (depthLimit-- == 0)
            {
                HeapSort(keys, items, lo, hi);
                return;
            }
            var p = Partition(keys, items, lo, hi);
            // Recurse into the smaller side, loop on the larger: the stack stays logarithmic.
            if (p - lo < hi - p)
            {
                IntroSort(keys, items, lo, p - 1, depthLimit);
                lo = p + 1;
            }
            else
            {
                IntroSort(keys, items, p + 1, hi, depthLimit);
                hi = p - 1;
            }
        }
        InsertionSort(keys, items, lo, hi);
    }

    /// <summary>
    /// Median-of-three partition: afterwards the pivot is at the returned index, everything
    /// left of it is at most the pivot and everything right of it at least the pivot.
    /// </summary>
    private static int Partition(Span<ulong> keys, Span<int> items, int lo, int hi)
    {
        var mid = lo + ((hi - lo) >> 1);
        SwapIfGreater(keys, items, lo, mid);
        SwapIfGreater(keys, items, lo, hi);
        SwapIfGreater(keys, items, mid, hi);
        // keys[lo] <= keys[mid] <= keys[hi]: park the pivot next to the end, both ends act as sentinels.
        var last = hi - 1;
        Swap(keys, items, mid, last);
        var pivot = keys[last];
        int left = lo, right = last;
        while (left < right)
        {
            while (keys[++left] < pivot) { }
            while (pivot < keys[--right]) { }
            if (left >= right) break;
            Swap(keys, items, left, right);
        }
        if (left != last) Swap(keys, items, left, last);
        return left;
    }

    private static void InsertionSort(Span<ulong> keys, Span<int> items, int lo, int hi)
    {
        var withItems = items.Length != 0;
        for (var i = lo; i < hi; i++)
        {
            var key = keys[i + 1];
            var item = withItems ? items[i + 1] : 0;
            var j = i;
            while (j >= lo && key < keys[j])
            {
                keys[j + 1] = keys[j];
                if (withItems) items[j + 1] = items[j];
                j--;
            }
            keys[j + 1] = key;
            if (withItems) items[j + 1] = item;
        }
    }

    private static void HeapSort(Span<ulong> keys, Span<int> items, int lo, int hi)
    {
        var n = hi - lo + 1;
        for (var i = n >> 1; i >= 1; i--) SiftDown(keys, items, i, n, lo);
        for (var i = n; i > 1; i--)
        {
            Swap(keys, items, lo, lo + i - 1);
            SiftDown(keys, items, 1, i - 1, lo);
        }
    }

    /// <summary>Restores the max-heap below 1-based node <paramref name="i"/> of the heap of <paramref name="n"/> at <paramref name="lo"/>.</summary>
    private static void SiftDown(Span<ulong> keys, Span<int> items, int i, int n, int lo)
    {
        var withItems = items.Length != 0;
        var key = keys[lo + i - 1];
        var item = withItems ? items[lo + i - 1] : 0;
        while (i <= n >> 1)
        {
            var child = 2 * i;
            if (child < n && keys[lo + child - 1] < keys[lo + child]) child++;
            if (!(key < keys[lo + child - 1])) break;
            keys[lo + i - 1] = keys[lo + child - 1];
            if (withItems) items[lo + i - 1] = items[lo + child - 1];
            i = child;
        }
        keys[lo + i - 1] = key;
        if (withItems) items[lo + i - 1] = item;
    }

    private static void SwapIfGreater(Span<ulong> keys, Span<int> items, int i, int j)
    {
        if (keys[i] > keys[j]) Swap(keys, items, i, j);
    }

    private static void Swap(Span<ulong> keys, Span<int> items, int i, int j)
    {
        (keys[i], keys[j]) = (keys[j], keys[i]);
        if (items.Length != 0) (items[i], items[j]) = (items[j], items[i]);
    }
}
