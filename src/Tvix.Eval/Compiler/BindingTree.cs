using Tvix.Eval.Syntax;

namespace Tvix.Eval.Compiler;

/// <summary>
/// The bindings of a set or <c>let</c> after nested paths are merged
/// (<c>a.b = 1; a.c = 2;</c> becomes <c>a = { b = 1; c = 2; }</c>).
/// </summary>
/// <remarks>
/// Names are symbol ids. Static entries live in one array in definition order and are found
/// by a linear scan of integers, with a hash index only for large sets; the dynamic entries and
/// <c>inherit (e)</c> sources, which most sets lack, are created on first use.
/// </remarks>
internal sealed class BindingTree(bool isRecursive, TextSpan span, int capacity = 0)
{
    private const int IndexThreshold = 16;

    public readonly bool IsRecursive = isRecursive;
    public readonly TextSpan Span = span;
    /// <summary>The static entries, in definition order (structs: a package set has thousands, and the tree lives only while its set is compiled).</summary>
    public BindingEntry[] Static = capacity == 0 ? NoEntries : new BindingEntry[capacity];
    public int StaticCount;
    // For big trees, an open-addressing table of entry index + 1 by symbol (0: empty), half full at most.
    private int[]? _index;
    // The entries with a dynamic name, and their names. Arrays, not a List of tuples: that
    // generic instantiation over this assembly's struct is in no ReadyToRun image (JIT-compiled).
    public AttrName[] DynamicNames = NoNames;
    public BindingEntry[] Dynamic = NoEntries;
    public int DynamicCount;
    public List<Expr>? InheritSources;

    // Empty arrays of their own, not `[]`: Array.Empty over this struct would be JIT-compiled.
    private static readonly BindingEntry[] NoEntries = new BindingEntry[0];
    private static readonly AttrName[] NoNames = new AttrName[0];

    public int InheritSourceCount => InheritSources?.Count ?? 0;

    /// <summary>The index in <see cref="Static"/> of the entry named <paramref name="sym"/>, or -1.</summary>
    public int Find(int sym)
    {
        var entries = Static;
        if (_index is { } index)
        {
            var mask = index.Length - 1;
            for (var slot = Slot(sym, mask); ; slot = (slot + 1) & mask)
            {
                var e = index[slot];
                if (e == 0) return -1;
                if (entries[e - 1].Sym == sym) return e - 1;
            }
        }
        for (var i = 0; i < StaticCount; i++)
            if (entries[i].Sym == sym) return i;
        return -1;
    }

    /// <summary>Adds <paramref name="entry"/> (its name not present yet); returns its index in <see cref="Static"/>.</summary>
    public int AddStatic(in BindingEntry entry)
    {
        if (StaticCount == Static.Length) Array.Resize(ref Static, Math.Max(4, StaticCount * 2));
        var at = StaticCount++;
        Static[at] = entry;
        if (_index is not null)
        {
            if (StaticCount * 2 > _index.Length) BuildIndex(_index.Length * 2);
            else Insert(_index, at);
        }
        else if (StaticCount > IndexThreshold)
        {
            // Sized for all the bindings the tree was made for (a package set's ten thousand),
            // not grown by doubling from here.
            BuildIndex((int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(StaticCount, Static.Length) * 2));
        }
        return at;
    }

    private void BuildIndex(int size)
    {
        _index = new int[size];
        for (var i = 0; i < StaticCount; i++) Insert(_index, i);
    }

    private void Insert(int[] index, int at)
    {
        var mask = index.Length - 1;
        var slot = Slot(Static[at].Sym, mask);
        while (index[slot] != 0) slot = (slot + 1) & mask;
        index[slot] = at + 1;
    }

    // Symbol ids are small consecutive numbers: a multiplicative hash spreads them.
    private static int Slot(int sym, int mask) => (int)(((uint)sym * 0x9E3779B1u) >> 8) & mask;

    /// <summary>
    /// Lets <see cref="Static"/> be reordered (the compiler sorts it by name in place): the index
    /// of positions is dropped, so a later <see cref="Find"/> still finds by scanning.
    /// </summary>
    public void Unindex() => _index = null;

    public void AddDynamic(AttrName name, in BindingEntry entry)
    {
        if (DynamicCount == Dynamic.Length)
        {
            var size = Math.Max(2, DynamicCount * 2);
            Array.Resize(ref DynamicNames, size);
            var bigger = new BindingEntry[size];
            Array.Copy(Dynamic, bigger, DynamicCount);
            Dynamic = bigger;
        }
        DynamicNames[DynamicCount] = name;
        Dynamic[DynamicCount++] = entry;
    }

    /// <summary>Drops the entries with a dynamic name (reported as errors where they are not allowed).</summary>
    public void ClearDynamic() => DynamicCount = 0;

    public int AddInheritSource(Expr from)
    {
        InheritSources ??= [];
        InheritSources.Add(from);
        return InheritSources.Count - 1;
    }
}

internal enum InheritKind : byte { None, Plain, From }

/// <summary>One binding: its name (a symbol id, or -1 for a dynamic name), where it is, and what it is bound to.</summary>
/// <remarks>
/// A struct in its tree's array (32 bytes), not an object per binding: compiling nixpkgs' files
/// for hello made 16,000 of them, all garbage once their set was compiled. How the name is
/// inherited and from which source share one int.
/// </remarks>
internal struct BindingEntry(int sym, TextSpan span, int inheritSource = BindingEntry.NotInherited)
{
    /// <summary>The value of <c>inheritSource</c> for a binding that is not inherited.</summary>
    public const int NotInherited = -2;

    /// <summary>The value of <c>inheritSource</c> for <c>inherit x;</c> (from the enclosing scope).</summary>
    public const int FromScope = -1;

    public readonly int Sym = sym;
    public readonly TextSpan Span = span;
    public Expr? Value;
    public BindingTree? Nested;
    // NotInherited, FromScope, or the index of the `inherit (e)` source.
    private readonly int _inheritSource = inheritSource;

    public readonly InheritKind Inherit => _inheritSource switch
    {
        NotInherited => InheritKind.None,
        FromScope => InheritKind.Plain,
        _ => InheritKind.From,
    };

    /// <summary>For <see cref="InheritKind.From"/>: the index of the source in <see cref="BindingTree.InheritSources"/>.</summary>
    public readonly int InheritSource => _inheritSource;
}
