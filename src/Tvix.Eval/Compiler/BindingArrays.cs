using Tvix.Eval.Syntax;

namespace Tvix.Eval.Compiler;

/// <summary>
/// Scratch arrays for the compiler's plain bindings in name order, one per nesting level (a
/// set's members' own sets take the next level), kept by the evaluator for all its compiles,
/// which run on its one evaluation thread and nest. Not <c>ArrayPool&lt;T&gt;.Shared</c>: its first
/// use sets up per-core partitions, thread-local buckets, a weak table and a GC callback, about
/// a hundred type loads and calls at the start of every evaluation (docs/performance.md, session 10).
/// </summary>
internal sealed class BindingArrays
{
    private AttrBinding[]?[] _levels = new AttrBinding[]?[4];
    private int _depth;

    /// <summary>An array of at least <paramref name="length"/> for the next level; give it back with <see cref="Return"/>.</summary>
    public AttrBinding[] Rent(int length)
    {
        if (_depth == _levels.Length) Array.Resize(ref _levels, _levels.Length * 2);
        var array = _levels[_depth];
        if (array is null || array.Length < length) _levels[_depth] = array = new AttrBinding[Math.Max(length, 8)];
        _depth++;
        return array;
    }

    /// <summary>Gives back the innermost rented array, cleared (its bindings are syntax trees nothing else needs).</summary>
    public void Return(AttrBinding[] array, int length)
    {
        Array.Clear(array, 0, length);
        _depth--;
    }
}
