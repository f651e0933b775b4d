namespace Tvix.Eval.Support;

/// <summary>
/// Searches of short <c>int</c> spans without the framework's vectorised generic helpers:
/// <c>MemoryExtensions.Contains&lt;int&gt;</c> reaches <c>SpanHelpers</c> code whose precompiled
/// form depends on the CPU's vector width and is JIT-compiled (1.4 KB at Tier 0) on machines with
/// AVX-512. For the handful of items searched here a plain loop is as fast.
/// </summary>
internal static class IntSpans
{
    /// <summary>Whether <paramref name="values"/> contains <paramref name="value"/>.</summary>
    public static bool Contains(ReadOnlySpan<int> values, int value)
    {
        foreach (var v in values)
            if (v == value) return true;
        return false;
    }
}
