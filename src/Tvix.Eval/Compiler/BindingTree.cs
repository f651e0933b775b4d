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
    public BindingEntry[] Static = capacity == 0 ? [] : new BindingEntry[capacity];
    public int StaticCount;
    private Dictionary<int, int>? _index;
    public List<(AttrName Name, BindingEntry Entry)>? Dynamic;
    public List<Expr>? InheritSources;

    public int DynamicCount => Dynamic?.Count ?? 0;

    public int InheritSourceCount => InheritSources?.Count ?? 0;

    /// <summary>The static entry named <paramref name="sym"/>, or null.</summary>
    public BindingEntry? Find(int sym)
    {
        if (_index is not null) return _index.TryGetValue(sym, out var i) ? Static[i] : null;
        var entries = Static;
        for (var i = 0; i < StaticCount; i++)
            if (entries[i].Sym == sym) return entries[i];
        return null;
    }

    public void AddStatic(BindingEntry entry)
    {
        if (StaticCount == Static.Length) Array.Resize(ref Static, Math.Max(4, StaticCount * 2));
        Static[StaticCount] = entry;
        if (_index is not null) _index[entry.Sym] = StaticCount;
        else if (StaticCount + 1 > IndexThreshold)
        {
            // Sized for all the bindings the tree was made for (a package set's ten thousand),
            // not grown by doubling from here.
            _index = new Dictionary<int, int>(Math.Max(StaticCount * 2, Static.Length));
            for (var i = 0; i <= StaticCount; i++) _index[Static[i].Sym] = i;
        }
        StaticCount++;
    }

    /// <summary>
    /// Lets <see cref="Static"/> be reordered (the compiler sorts it by name in place): the index
    /// of positions is dropped, so a later <see cref="Find"/> still finds by scanning.
    /// </summary>
    public void Unindex() => _index = null;

    public void AddDynamic(AttrName name, BindingEntry entry) => (Dynamic ??= []).Add((name, entry));

    public int AddInheritSource(Expr from)
    {
        InheritSources ??= [];
        InheritSources.Add(from);
        return InheritSources.Count - 1;
    }
}

internal enum InheritKind : byte { None, Plain, From }

/// <summary>One binding: its name (a symbol id, or -1 for a dynamic name), where it is, and what it is bound to.</summary>
/// <remarks>48 bytes: how the name is inherited and from which source share one int (a package set has thousands of these).</remarks>
internal sealed class BindingEntry(int sym, TextSpan span, int inheritSource = BindingEntry.NotInherited)
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

    public InheritKind Inherit => _inheritSource switch
    {
        NotInherited => InheritKind.None,
        FromScope => InheritKind.Plain,
        _ => InheritKind.From,
    };

    /// <summary>For <see cref="InheritKind.From"/>: the index of the source in <see cref="BindingTree.InheritSources"/>.</summary>
    public int InheritSource => _inheritSource;
}
