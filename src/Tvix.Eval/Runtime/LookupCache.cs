namespace Tvix.Eval.Runtime;

/// <summary>
/// An inline cache for one code site that looks one name up (<c>x.name</c>, a <c>with</c> lookup):
/// the set it last searched and where the name was (-1: absent). Sets are immutable, so meeting the
/// same set again (a module body run once per module, <c>lib.foo</c> in a function called per
/// package) costs a reference comparison. Only the evaluator's thread touches its compiled nodes.
/// </summary>
internal struct LookupCache
{
    private NixAttrs? _set;
    private int _index;

    /// <summary>The index of <paramref name="sym"/> in <paramref name="attrs"/>, or -1.</summary>
    public int IndexOf(NixAttrs attrs, int sym)
    {
        if (ReferenceEquals(attrs, _set)) return _index;
        _index = attrs.IndexOfFast(sym);
        _set = attrs;
        return _index;
    }
}
