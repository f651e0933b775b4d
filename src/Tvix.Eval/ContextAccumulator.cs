namespace Tvix.Eval;

/// <summary>
/// Gathers the contexts of many strings into one (concatenation, interpolation, <c>toJSON</c>, …)
/// in time linear in the total number of elements. Merging sorted arrays pairwise, as
/// <see cref="NixContext.Union"/> does, is quadratic when thousands of strings with context are
/// joined. While at most one distinct context has been seen nothing is allocated, so the common
/// context-free case costs two null checks per string.
/// </summary>
/// <remarks>A mutable struct: keep it in a local or field and pass it by reference.</remarks>
internal struct ContextAccumulator
{
    private NixContext? _single;
    private HashSet<string>? _many;

    /// <summary>Starts from a context (for example a separator's), which may be null.</summary>
    public ContextAccumulator(NixContext? initial) => Add(initial);

    /// <summary>Adds the elements of a context; null and empty contexts are ignored.</summary>
    public void Add(NixContext? context)
    {
        if (context is null || context.IsEmpty || ReferenceEquals(context, _single)) return;
        if (_many is null)
        {
            if (_single is null) { _single = context; return; }
            _many = new HashSet<string>(_single.Count + context.Count, StringComparer.Ordinal);
            AddElements(_many, _single);
        }
        AddElements(_many, context);
    }

    /// <summary>The gathered context, or null when no string had one.</summary>
    public readonly NixContext? Build()
    {
        if (_many is null) return _single;
        // Strings sharing one context object are common (many references to one drvPath); when
        // nothing new was added the first context is reused as is.
        if (_many.Count == _single!.Count) return _single;
        var elements = new string[_many.Count];
        _many.CopyTo(elements);
        Array.Sort(elements, StringComparer.Ordinal);
        return NixContext.FromSortedUnique(elements);
    }

    private static void AddElements(HashSet<string> set, NixContext context)
    {
        for (var i = 0; i < context.Count; i++) set.Add(context[i]);
    }
}
