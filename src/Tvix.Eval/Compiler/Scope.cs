namespace Tvix.Eval.Compiler;

/// <summary>
/// A compile-time scope; each scope is one runtime <c>Env</c> level. Names are symbol ids.
/// </summary>
/// <remarks>
/// Most scopes hold one to a few names (a lambda's parameter, a small <c>let</c>), so names are
/// kept in a small array and found by a linear scan of integers; only a large scope (a package
/// set with thousands of bindings) gets a hash index.
/// </remarks>
internal sealed class Scope(Scope? parent, bool isWith = false, int capacity = 0, bool canHost = false)
{
    private const int IndexThreshold = 16;

    public readonly Scope? Parent = parent;
    public readonly bool IsWith = isWith;
    /// <summary>
    /// Whether a <c>let</c> written directly in this scope may keep its bindings in this scope's
    /// environment instead of a new one (a lambda's, a let's or a recursive set's: a fresh
    /// environment per evaluation, in which each expression runs at most once, so a let's slots
    /// are never reused by another evaluation).
    /// </summary>
    public readonly bool CanHost = canHost;
    /// <summary>
    /// For a <c>with</c> kept in its host's environment (see <see cref="CanHost"/>): the host slot
    /// holding the namespace. Such a scope is no environment level of its own. -1 otherwise.
    /// </summary>
    public int WithSlot = -1;

    /// <summary>The scope whose environment a <c>let</c> or <c>with</c> written in <paramref name="scope"/> can live in, or null.</summary>
    public static Scope? HostOf(Scope? scope)
    {
        while (scope is { IsWith: true, WithSlot: >= 0 }) scope = scope.Parent;
        return scope is { CanHost: true } ? scope : null;
    }
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

    /// <summary>The number of names visible now, for <see cref="Unwind"/>.</summary>
    public int Mark() => _count;

    /// <summary>Hides the names declared since <paramref name="mark"/>; their slots stay allocated.</summary>
    public void Unwind(int mark)
    {
        if (mark == _count) return;
        _count = mark;
        if (_index is null) return;
        if (_count <= IndexThreshold)
        {
            _index = null;
            return;
        }
        // A hidden name may have shadowed an earlier one of the same scope: rebuild in declaration order.
        _index.Clear();
        for (var i = 0; i < _count; i++) _index[_syms[i]] = _slots[i];
    }

    // Slots of a `let` known to hold one builtin function (see NixCompiler.BuiltinConstant), in
    // two arrays searched from the end (a later record wins): a scope has a few of them
    // (`inherit (builtins) …`), and a Dictionary<int, Value> would be JIT-compiled at start-up
    // (nine methods), as a generic instantiation over our struct that ReadyToRun cannot hold.
    private int[]? _constantSlots;
    private Value[]? _constantValues;
    private int _constantCount;

    /// <summary>Records that slot <paramref name="slot"/> holds <paramref name="value"/>, a builtin function fixed at compile time.</summary>
    public void SetConstant(int slot, Value value)
    {
        if (_constantSlots is null || _constantCount == _constantSlots.Length)
        {
            var size = _constantSlots is null ? 4 : _constantSlots.Length * 2;
            var slots = new int[size];
            var values = new Value[size];
            if (_constantSlots is not null)
            {
                Array.Copy(_constantSlots, slots, _constantCount);
                Array.Copy(_constantValues!, values, _constantCount);
            }
            _constantSlots = slots;
            _constantValues = values;
        }
        _constantSlots[_constantCount] = slot;
        _constantValues![_constantCount] = value;
        _constantCount++;
    }

    /// <summary>The builtin function slot <paramref name="slot"/> is known to hold, if any.</summary>
    public bool TryGetConstant(int slot, out Value value)
    {
        var slots = _constantSlots;
        for (var i = _constantCount - 1; i >= 0; i--)
        {
            if (slots![i] == slot)
            {
                value = _constantValues![i];
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>Whether this scope or one around it is a <c>with</c> (then every name resolves).</summary>
    public static bool AnyWith(Scope? scope)
    {
        for (; scope is not null; scope = scope.Parent)
            if (scope.IsWith) return true;
        return false;
    }

    /// <summary>
    /// A copy of this scope and those around it as they are now, in which nothing is hosted:
    /// code compiled later from it (<see cref="DeferredNode"/>) sees the names visible here, and
    /// keeps its lets and withs in environments of its own (the hosts' sizes are fixed by then).
    /// </summary>
    public Scope Freeze()
    {
        var copy = new Scope(Parent?.Freeze(), IsWith) { WithSlot = WithSlot, Size = Size, _count = _count };
        if (_count > 0)
        {
            copy._syms = new int[_count];
            copy._slots = new int[_count];
            Array.Copy(_syms, copy._syms, _count);
            Array.Copy(_slots, copy._slots, _count);
        }
        if (_index is not null)
        {
            copy._index = new Dictionary<int, int>(_count * 2);
            for (var i = 0; i < _count; i++) copy._index[_syms[i]] = _slots[i];
        }
        if (_constantCount > 0)
        {
            // The copy's arrays are its own: the original may record more after freezing.
            copy._constantSlots = new int[_constantCount];
            copy._constantValues = new Value[_constantCount];
            Array.Copy(_constantSlots!, copy._constantSlots, _constantCount);
            Array.Copy(_constantValues!, copy._constantValues, _constantCount);
            copy._constantCount = _constantCount;
        }
        return copy;
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
