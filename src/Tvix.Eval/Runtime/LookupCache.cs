namespace Tvix.Eval.Runtime;

/// <summary>
/// An inline cache for one code site that looks one name up (<c>x.name</c>, a <c>with</c> lookup):
/// the names array of the set it last searched and where the name was in it (-1: absent). Every
/// set a literal builds shares that literal's names array, and so do the objects of one layout
/// that <c>fromJSON</c> reads, so a site that meets a new set from the same literal each time (a
/// function's argument <c>{ file = …; value = …; }</c>, a module's options, each iteration's
/// <c>with { … }</c>) costs a reference comparison, as meeting the same set again does. A names
/// array never changes once a set has it. Keeping the array, not a flat set, also keeps nothing
/// else alive. Only the evaluator's thread touches its compiled code.
/// </summary>
internal struct LookupCache
{
    // The names array of the set last searched, or the set itself while it is a layer (a layer's
    // contents never change either; merged, it has a names array and is cached by that).
    private object? _key;
    // Where the name was: for a flat set its index; for a layer the index in the part that holds
    // it, times two, plus one for the base (see NixAttrs.Locate). -1: absent.
    private int _index;

    /// <summary>
    /// The index of <paramref name="sym"/> in <paramref name="owner"/>: <paramref name="attrs"/>
    /// itself, or the part of a layer that holds the name (a lookup never merges a layer); -1 when absent.
    /// </summary>
    public int IndexOf(NixAttrs attrs, int sym, out NixAttrs owner)
    {
        owner = attrs;
        var names = attrs.FlatKeys;
        if (names is not null)
        {
            if (ReferenceEquals(names, _key)) return _index;
            _index = attrs.IndexOfFast(sym);
            _key = names;
            return _index;
        }
        // A layer (merging one in place gives it names, so it is never met here again).
        if (!ReferenceEquals(attrs, _key))
        {
            var at = attrs.LocateInLayer(sym, out var inBase);
            _key = attrs;
            _index = at < 0 ? -1 : (at << 1) | (inBase ? 1 : 0);
        }
        if (_index < 0) return -1;
        owner = attrs.LayerPart((_index & 1) != 0);
        return _index >> 1;
    }
}
