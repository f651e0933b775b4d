using System.Runtime.CompilerServices;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Runtime;

/// <summary>An attribute name in code: a static symbol, or an expression evaluated at runtime.</summary>
internal readonly record struct AttrKey(int Sym, Node? Dynamic)
{
}

/// <summary><c>e.a.b</c> and <c>e.a.b or d</c> (the default is taken without exceptions).</summary>
internal sealed class SelectNode(SourceText source, TextSpan span, Node target, AttrKey[] path, Node? orDefault) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.Select;

    internal Node Target => target;
    internal AttrKey[] Path => path;
    internal Node? OrDefault => orDefault;

    internal override bool KeepsEnv(bool delayed) =>
        delayed || target.KeepsEnv(false) || (orDefault?.KeepsEnv(false) ?? false) || KeysKeepEnv(path);

    internal static bool KeysKeepEnv(AttrKey[] path)
    {
        foreach (var key in path)
            if (key.Dynamic is { } d && d.KeepsEnv(false)) return true;
        return false;
    }

    /// <summary>Whether <see cref="TryPeek"/> can ever succeed: no default, a variable or builtin target, static names.</summary>
    internal bool Peekable => orDefault is null && (target is LocalNode or GlobalNode) && !Array.Exists(path, k => k.Dynamic is not null);

    /// <summary>
    /// <c>x.a.b</c> in a lazy position, where <c>x</c> is a variable or builtin whose value and
    /// every set along the path are already evaluated and hold the names, and the attribute is an
    /// evaluated scalar, string or path: that value is the result, without a thunk. Anything that
    /// could fail or force (a missing name, an unevaluated step, a dynamic name, an <c>or</c>)
    /// keeps Nix's lazy thunk, and so do functions, sets, lists and unevaluated attributes,
    /// because Nix's <c>==</c> tells a value slot from a fresh thunk for those
    /// (<c>[ s.f ] == [ s.f ]</c> is false for a function <c>s.f</c>).
    /// </summary>
    internal bool TryPeek(Env env, out Value result)
    {
        if (orDefault is null)
        {
            var v = target switch
            {
                LocalNode local => local.Peek(env),
                GlobalNode global => global.Value,
                _ => default,
            };
            // No inline caches here: nixpkgs has a hundred thousand peekable selections
            // (`inherit (x) a b;`), and a cache each would cost more memory than a lookup costs time.
            for (var i = 0; i < path.Length; i++)
            {
                if (v.Kind != ValueKind.Attrs || path[i].Dynamic is not null) break;
                if (!v.RawAttrs.TryGet(path[i].Sym, out var next)) break;
                if (next.Kind == ValueKind.Thunk) next = next.Settled;
                if (i == path.Length - 1)
                {
                    if (next.Kind is ValueKind.Null or ValueKind.Bool or ValueKind.Int or ValueKind.Float or ValueKind.String or ValueKind.Path) { result = next; return true; }
                    break;
                }
                v = next;
            }
        }
        result = default;
        return false;
    }
}

/// <summary><c>e ? a.b</c>.</summary>
internal sealed class HasAttrNode(SourceText source, TextSpan span, Node target, AttrKey[] path) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.HasAttr;

    internal Node Target => target;
    internal AttrKey[] Path => path;

    internal override bool KeepsEnv(bool delayed) => delayed || target.KeepsEnv(false) || SelectNode.KeysKeepEnv(path);
}

/// <summary>A dynamic attribute <c>${name} = value;</c>: its name and value code, and where it is defined (for <c>unsafeGetAttrPos</c>).</summary>
internal readonly record struct DynamicEntry(Node Name, Node Value, AttrPos Position);

/// <summary>Adds the dynamic attributes of a set (<c>${e} = v;</c>) to the static ones.</summary>
internal static class DynamicAttrs
{
    // Up to this many dynamic names live on the stack and are checked for repeats by a scan of
    // the ones before; a set literal rarely has more than a few.
    private const int ScannedNames = 32;

    /// <summary>
    /// The set <paramref name="attrs"/> (sorted by symbol) plus the dynamic attributes whose name is
    /// not null. Names are evaluated in order, so the first repeated or ill-typed one is the one
    /// reported; values stay lazy. The result is built in one merge of the two sorted runs.
    /// </summary>
    public static NixAttrs Add(EvalContext cx, NixAttrs attrs, DynamicEntry[] dynamics, Env nameEnv, Env valueEnv)
    {
        var staticKeys = attrs.Keys;
        var staticValues = attrs.Values;
        var staticPositions = attrs.Positions;
        var syms = dynamics.Length <= ScannedNames ? stackalloc int[dynamics.Length] : new int[dynamics.Length];
        var entries = dynamics.Length <= ScannedNames ? stackalloc int[dynamics.Length] : new int[dynamics.Length];
        HashSet<int>? many = dynamics.Length > ScannedNames ? new HashSet<int>() : null;
        var count = 0;
        for (var i = 0; i < dynamics.Length; i++)
        {
            var d = dynamics[i];
            // The bytecode back end lowers both parts of a dynamic attribute to code.
            var name = Unsafe.As<Code>(d.Name).Eval(cx, nameEnv);
            if (name.Kind == ValueKind.Null) continue;
            if (name.Kind != ValueKind.String) throw cx.TypeError("a string", name).WithPosition(d.Name.Source, d.Name.Span);
            var sym = cx.Symbols.Intern(name.RawString.Bytes);
            var staticIndex = Array.BinarySearch(staticKeys, sym);
            if (staticIndex >= 0 || (many is null ? Support.IntSpans.Contains(syms[..count], sym) : !many.Add(sym)))
            {
                var first = staticIndex >= 0 ? staticPositions?[staticIndex] ?? default : dynamics[entries[syms[..count].IndexOf(sym)]].Position;
                throw new NixEvalException($"dynamic attribute '{cx.Symbols.Text(sym)}' already defined at {Where(cx, first, d)}")
                    .WithPosition(d.Name.Source, NameSpan(cx, d));
            }
            syms[count] = sym;
            entries[count++] = i;
        }
        if (count == 0) return attrs;
        SortBySymbol(syms[..count], entries[..count]);

        var total = staticKeys.Length + count;
        var keys = new int[total];
        var values = new Value[total];
        var positions = new AttrPos[total];
        int s = 0, k = 0;
        for (var o = 0; o < total; o++)
        {
            if (k < count && (s == staticKeys.Length || syms[k] < staticKeys[s]))
            {
                var d = dynamics[entries[k]];
                keys[o] = syms[k++];
                values[o] = Unsafe.As<Code>(d.Value).Delay(cx, valueEnv);
                positions[o] = d.Position;
            }
            else
            {
                keys[o] = staticKeys[s];
                values[o] = staticValues[s];
                if (staticPositions is not null) positions[o] = staticPositions[s];
                s++;
            }
        }
        return new NixAttrs(cx.Symbols, keys, values) { Positions = positions };
    }

    // Where the attribute defined first is, as Nix names it (the repeated one's place when unknown).
    private static string Where(EvalContext cx, AttrPos first, DynamicEntry repeated)
    {
        var (source, offset) = cx.Symbols.Positions.Resolve(first) ?? (repeated.Name.Source, repeated.Name.Span.Start);
        var (line, col) = source.GetLineColumn(offset);
        return $"{source.Name}:{line}:{col}";
    }

    // The whole name, `${` included (its expression's span starts after it).
    private static TextSpan NameSpan(EvalContext cx, DynamicEntry d) =>
        cx.Symbols.Positions.Resolve(d.Position) is { } p && p.Source == d.Name.Source && p.Offset <= d.Name.Span.Start
            ? TextSpan.FromBounds(p.Offset, d.Name.Span.End)
            : d.Name.Span;

    // Insertion sort: a handful of names (and their entries alongside).
    private static void SortBySymbol(Span<int> syms, Span<int> entries)
    {
        for (var i = 1; i < syms.Length; i++)
        {
            var sym = syms[i];
            var entry = entries[i];
            var j = i - 1;
            for (; j >= 0 && syms[j] > sym; j--)
            {
                syms[j + 1] = syms[j];
                entries[j + 1] = entries[j];
            }
            syms[j + 1] = sym;
            entries[j + 1] = entry;
        }
    }
}

/// <summary>
/// A non-recursive attribute set. Static names are interned and sorted at compile time. When
/// the set has <c>inherit (e)</c>, a hidden environment holds the (lazy) <c>e</c> values.
/// </summary>
internal sealed class AttrSetNode(SourceText source, TextSpan span, int[] keys, Node[] values, DynamicEntry[] dynamics, Node[] hidden, AttrPos[] positions) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.AttrSet;

    internal Node[] Values => values;
    internal DynamicEntry[] Dynamics => dynamics;
    internal Node[] Hidden => hidden;

    /// <summary>The same set literal with other value expressions (see <see cref="Bytecode.ParentScope"/>).</summary>
    internal AttrSetNode WithValues(Node[] newValues) => new(Source, Span, keys, newValues, dynamics, hidden, positions);

    /// <summary>
    /// Whether building this set cannot fail and forces nothing (static names, no <c>inherit (e)</c>;
    /// its values stay lazy). A <c>with</c> then builds its namespace at once instead of through a
    /// thunk: the namespace is no value a program can print, so nothing shows the difference
    /// (elsewhere, printing without --strict shows whether a literal was evaluated yet).
    /// </summary>
    public bool BuildsWithoutEffects => dynamics.Length == 0 && hidden.Length == 0;

    // The values are stored lazily; dynamic names and values, and a hidden environment, are code over this one.
    internal override bool KeepsEnv(bool delayed) => delayed || dynamics.Length > 0 || hidden.Length > 0 || AnyKeepsEnv(values, delayed: true);

    /// <summary>What building the set needs besides its values (all the bytecode keeps of this node).</summary>
    internal SetShape Shape { get; } = new(keys, positions);

}

/// <summary>The static names and positions of a set literal.</summary>
internal sealed class SetShape(int[] keys, AttrPos[] positions)
{
    /// <summary>The set, given its static values (in key order), with <paramref name="dyn"/> added in <paramref name="scope"/>.</summary>
    public Value Build(EvalContext cx, Value[] vals, DynamicEntry[] dyn, Env scope)
    {
        var attrs = new NixAttrs(cx.Symbols, keys, vals) { Positions = positions };
        if (dyn.Length > 0) attrs = DynamicAttrs.Add(cx, attrs, dyn, scope, scope);
        return Value.FromAttrs(attrs);
    }
}

/// <summary>
/// A recursive scope: <c>let</c>, <c>rec { }</c> or the legacy <c>let { }</c>. Slots
/// 0..keys.Length-1 hold the attributes in key order, further slots hold <c>inherit (e)</c>
/// sources; all are initialised lazily in the new environment.
/// </summary>
internal sealed class RecScopeNode(SourceText source, TextSpan span, int[] keys, Node[] inits, int envSize, DynamicEntry[] dynamics, Node? body, bool legacyLet, bool hasOverrides, AttrPos[] positions) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.RecScope;

    internal Node[] Inits => inits;
    /// <summary>How many of <see cref="Inits"/> are the attributes; the <c>inherit (e)</c> sources follow them.</summary>
    internal int NamedCount => keys.Length;
    internal int EnvSize => envSize;
    internal DynamicEntry[] Dynamics => dynamics;
    internal Node? Body => body;
    internal bool HasOverrides => _hasOverrides;

    private readonly bool _hasOverrides = hasOverrides;

    /// <summary>What building the set needs besides its slots (all the bytecode keeps of this node).</summary>
    internal RecShape Shape { get; } = new(source, span, keys, positions, legacyLet);

}

/// <summary>The names and positions of a recursive set (or legacy <c>let</c>), and where it is for errors.</summary>
internal sealed class RecShape(SourceText source, TextSpan span, int[] keys, AttrPos[] positions, bool legacyLet)
{
    /// <summary>The set (or the legacy <c>let</c>'s body) of a recursive scope without a body, once its slots are initialised.</summary>
    public Value BuildAttrs(EvalContext cx, Env scope, DynamicEntry[] dyn)
    {
        var vals = scope.CopySlots(keys.Length);
        var attrs = new NixAttrs(cx.Symbols, keys, vals) { Positions = positions };
        if (attrs.TryGet(cx.SymOverrides, out var overrides))
        {
            NixAttrs o;
            try { o = cx.ForceAttrs(overrides); }
            catch (NixEvalException e) when (e.Traced("while evaluating the `__overrides` attribute", source, span)) { throw; }
            for (var i = 0; i < o.Keys.Length; i++)
            {
                var idx = attrs.IndexOf(o.Keys[i]);
                if (idx >= 0) scope[idx] = o.Values[i];
            }
            attrs = attrs.Update(o);
        }
        if (dyn.Length > 0) attrs = DynamicAttrs.Add(cx, attrs, dyn, scope, scope);
        if (legacyLet)
        {
            if (!attrs.TryGet(cx.SymBody, out var b)) throw new NixEvalException("attribute 'body' missing").WithPosition(source, span);
            return cx.Force(b);
        }
        return Value.FromAttrs(attrs);
    }
}

/// <summary>
/// A <c>let</c> whose bindings live in the enclosing lambda's environment, in consecutive slots
/// from <c>firstSlot</c> (names first, then <c>inherit (e)</c> sources): no environment of its own.
/// </summary>
internal sealed class HoistedLetNode(SourceText source, TextSpan span, int firstSlot, Node[] inits, int namedCount, Node body) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.HoistedLet;

    internal int FirstSlot => firstSlot;
    internal Node[] Inits => inits;

    // The bindings go into slots of the current environment (which keeps nothing by itself),
    // lazily. A binding that names another of the let may find that slot not filled yet and
    // then defers the read with a thunk over the environment (LocalNode.Delay).
    internal override bool KeepsEnv(bool delayed) =>
        delayed || AnyKeepsEnv(inits, delayed: true) || body.KeepsEnv(false)
        || Array.Exists(inits, n => n is LocalNode { Depth: 0 } l && l.Index >= firstSlot && l.Index < firstSlot + inits.Length);
    /// <summary>How many of <see cref="Inits"/> are the names; the <c>inherit (e)</c> sources follow them.</summary>
    internal int NamedCount => namedCount;
    internal Node Body => body;

}
