namespace Tvix.Eval.Syntax;

/// <summary>
/// The static names one attribute set (or <c>let</c>) defines, built while its bindings are
/// parsed, so that duplicates are found the way C++ Nix's parser finds them: nested paths
/// (<c>a.b = 1; a.c = 2;</c>) create implicit nested sets, and an attribute-set literal merges
/// with them; anything else defined twice is an error.
/// </summary>
/// <remarks>
/// Keys are symbol ids of the parse's symbol table: identifiers arrive interned, and the few
/// static string names (<c>"a b" = …;</c>) are interned when they are met. A set of more than
/// <see cref="IndexThreshold"/> names is indexed by an open-addressing table of ints, not a
/// dictionary of strings: a package set has thousands of names (all-packages.nix 10,900), and
/// hashing symbol ids allocates nothing per name and needs no string per key.
/// </remarks>
internal sealed class BindingModel
{
    private const int IndexThreshold = 8;

    private int[]? _keys;
    private BindingEntry[]? _entries;
    // Index + 1 of the entry whose key hashes to the slot (linear probing), 0 for a free slot.
    // Only the first _tableSize slots are in use; the array is kept (cleared) when the model is
    // reset, so that a pooled model reuses its table for the next big set.
    private int[]? _table;
    private int _tableSize;

    /// <summary>Whether a binding's first name here is dynamic (<c>${e} = …</c>).</summary>
    public bool HasDynamic { get; set; }

    public int Count { get; private set; }

    public int KeyAt(int i) => _keys![i];

    public BindingEntry EntryAt(int i) => _entries![i];

    /// <summary>Empties the model so that it can be reused.</summary>
    public void Reset()
    {
        if (_entries != null) Array.Clear(_entries, 0, Count);
        if (_tableSize > 0) Array.Clear(_table!, 0, _tableSize);
        _tableSize = 0;
        Count = 0;
        HasDynamic = false;
    }

    public void SetNested(int i, BindingModel nested) => _entries![i].Nested = nested;

    /// <summary>The index of the name <paramref name="sym"/>, or -1.</summary>
    public int Find(int sym)
    {
        if (_tableSize > 0)
        {
            var table = _table!;
            var mask = _tableSize - 1;
            for (var slot = Slot(sym, mask); ; slot = (slot + 1) & mask)
            {
                var entry = table[slot];
                if (entry == 0) return -1;
                if (_keys![entry - 1] == sym) return entry - 1;
            }
        }
        var keys = _keys;
        for (var i = 0; i < Count; i++)
        {
            if (keys![i] == sym) return i;
        }
        return -1;
    }

    /// <summary>Adds the name <paramref name="sym"/> (not yet present).</summary>
    public void Add(int sym, BindingEntry entry)
    {
        if (_keys == null || Count == _keys.Length)
        {
            var size = _keys == null ? 4 : _keys.Length * 2;
            // Array.Copy, not Array.Resize<T>: a generic method over these is JIT-compiled at start-up.
            var keys = new int[size];
            var entries = new BindingEntry[size];
            if (_keys != null)
            {
                Array.Copy(_keys, keys, Count);
                Array.Copy(_entries!, entries, Count);
            }
            _keys = keys;
            _entries = entries;
        }
        _keys[Count] = sym;
        _entries![Count] = entry;
        Count++;
        if (_tableSize > 0 && Count * 2 <= _tableSize) Insert(Count - 1);
        else if (Count > IndexThreshold) Reindex();
    }

    // Fibonacci hashing: symbol ids are consecutive, so spread them over the table.
    private static int Slot(int sym, int mask) => (int)(((uint)sym * 2654435769u) >> 7) & mask;

    private void Insert(int index)
    {
        var mask = _tableSize - 1;
        var slot = Slot(_keys![index], mask);
        while (_table![slot] != 0) slot = (slot + 1) & mask;
        _table[slot] = index + 1;
    }

    /// <summary>Builds the index for the current names, at most half full.</summary>
    private void Reindex()
    {
        var size = 32;
        while (size < Count * 4) size *= 2;
        if (_table == null || _table.Length < size) _table = new int[size];
        else Array.Clear(_table, 0, _tableSize);
        _tableSize = size;
        for (var i = 0; i < Count; i++) Insert(i);
    }
}

/// <summary>One name in a <see cref="BindingModel"/>: where it was defined and with what.</summary>
/// <remarks>
/// 24 bytes: whether the name was inherited is not a field of its own but follows from the
/// other two (an inherited name has no value and never gets nested names; an implicit nested
/// set is created with its <see cref="Nested"/> model; a definition always has a value). A
/// package set's model holds thousands of these (all-packages.nix: 10,900 names).
/// </remarks>
internal struct BindingEntry(TextSpan position, Expr? value)
{
    /// <summary>An inherited name, defined at <paramref name="position"/>.</summary>
    public static BindingEntry Inherit(TextSpan position) => new(position, null);

    /// <summary>Nix's position of the definition: the start of the attribute path, or the inherited name.</summary>
    public readonly TextSpan Position = position;

    /// <summary>The value expression, or null for implicit nested sets and inherited names.</summary>
    public readonly Expr? Value = value;

    /// <summary>The names inside, once known: for implicit nested sets, or an attribute-set literal that took part in a merge.</summary>
    public BindingModel? Nested;

    /// <summary>Whether the name was inherited (<c>inherit a;</c>).</summary>
    public readonly bool Inherited => Value is null && Nested is null;
}
