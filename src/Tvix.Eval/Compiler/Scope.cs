namespace Tvix.Eval.Compiler;

/// <summary>
/// A compile-time scope; each scope is one runtime <c>Env</c> level. Names are symbol ids.
/// </summary>
/// <remarks>
/// Most scopes hold one to a few names (a lambda's parameter, a small <c>let</c>), so names are
/// kept in a small array and found by a linear scan of integers; only a large scope (a package
/// set with thousands of bindings) gets a hash index.
/// </remarks>
internal sealed class Scope(Scope? parent, bool isWith = false, int capacity = 0)
{
    private const int IndexThreshold = 16;

    public readonly Scope? Parent = parent;
    public readonly bool IsWith = isWith;
    /// <summary>Slots used so far; hidden slots (inherit sources) are counted but have no name.</summary>
    public int Size = isWith ? 1 : 0;

    private int[] _syms = capacity == 0 ? [] : new int[capacity];
    private int[] _slots = capacity == 0 ? [] : new int[capacity];
    private int _count;
    private Dictionary<int, int>? _index;

    public int Declare(int sym)
    {
        var slot = Size++;
        if (_count == _syms.Length)
        {
            var size = Math.Max(4, _count * 2);
            Array.Resize(ref _syms, size);
            Array.Resize(ref _slots, size);
        }
        _syms[_count] = sym;
        _slots[_count] = slot;
        _count++;
        if (_index is not null) _index[sym] = slot;
        else if (_count > IndexThreshold)
        {
            _index = new Dictionary<int, int>(_count * 2);
            for (var i = 0; i < _count; i++) _index[_syms[i]] = _slots[i];
        }
        return slot;
    }

    /// <summary>The slot of <paramref name="sym"/> in this scope, or -1 (a later declaration wins).</summary>
    public int Lookup(int sym)
    {
        if (_index is not null) return _index.TryGetValue(sym, out var slot) ? slot : -1;
        var syms = _syms;
        for (var i = _count - 1; i >= 0; i--)
            if (syms[i] == sym) return _slots[i];
        return -1;
    }
}
