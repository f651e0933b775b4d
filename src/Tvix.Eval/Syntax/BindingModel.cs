namespace Tvix.Eval.Syntax;

/// <summary>
/// The static names one attribute set (or <c>let</c>) defines, built while its bindings are
/// parsed, so that duplicates are found the way C++ Nix's parser finds them: nested paths
/// (<c>a.b = 1; a.c = 2;</c>) create implicit nested sets, and an attribute-set literal merges
/// with them; anything else defined twice is an error.
/// </summary>
/// <remarks>
/// Keys are names as Latin-1 strings, a lossless stand-in for the name's bytes. Identifiers
/// are interned per parse, so the linear search of small sets mostly compares references.
/// </remarks>
internal sealed class BindingModel
{
    private const int IndexThreshold = 8;

    private string[]? _keys;
    private BindingEntry[]? _entries;
    // A name index once there are more than IndexThreshold names; kept (cleared) when the model
    // is reset, so that a pooled model reuses its table for the next big set.
    private Dictionary<string, int>? _index;
    private bool _indexed;

    /// <summary>Whether a binding's first name here is dynamic (<c>${e} = …</c>).</summary>
    public bool HasDynamic { get; set; }

    public int Count { get; private set; }

    public string KeyAt(int i) => _keys![i];

    public BindingEntry EntryAt(int i) => _entries![i];

    /// <summary>Empties the model so that it can be reused.</summary>
    public void Reset()
    {
        if (_keys != null)
        {
            Array.Clear(_keys, 0, Count);
            Array.Clear(_entries!, 0, Count);
        }
        if (_indexed) _index!.Clear();
        _indexed = false;
        Count = 0;
        HasDynamic = false;
    }

    public void SetNested(int i, BindingModel nested) => _entries![i].Nested = nested;

    /// <summary>The index of <paramref name="key"/>, or -1.</summary>
    public int Find(string key)
    {
        if (_indexed) return _index!.TryGetValue(key, out var i) ? i : -1;
        for (var i = 0; i < Count; i++)
        {
            var k = _keys![i];
            if ((object)k == key || string.Equals(k, key, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    public void Add(string key, BindingEntry entry)
    {
        if (_keys == null || Count == _keys.Length)
        {
            var size = _keys == null ? 4 : _keys.Length * 2;
            Array.Resize(ref _keys, size);
            // Array.Copy, not Array.Resize<BindingEntry>: a generic method over this struct is JIT-compiled at start-up.
            var entries = new BindingEntry[size];
            if (_entries != null) Array.Copy(_entries, entries, Count);
            _entries = entries;
        }
        _keys[Count] = key;
        _entries![Count] = entry;
        if (_indexed)
        {
            _index![key] = Count;
        }
        else if (Count + 1 > IndexThreshold)
        {
            _index ??= new Dictionary<string, int>(Count * 2, StringComparer.Ordinal);
            for (var i = 0; i <= Count; i++) _index[_keys[i]] = i;
            _indexed = true;
        }
        Count++;
    }
}

/// <summary>One name in a <see cref="BindingModel"/>: where it was defined and with what.</summary>
internal struct BindingEntry(TextSpan position, Expr? value, bool inherited)
{
    /// <summary>Nix's position of the definition: the start of the attribute path, or the inherited name.</summary>
    public readonly TextSpan Position = position;

    /// <summary>The value expression, or null for implicit nested sets and inherited names.</summary>
    public readonly Expr? Value = value;

    public readonly bool Inherited = inherited;

    /// <summary>The names inside, once known: for implicit nested sets, or an attribute-set literal that took part in a merge.</summary>
    public BindingModel? Nested;
}
