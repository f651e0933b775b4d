using System.Runtime.CompilerServices;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Runtime;

// Basic expression nodes: constants, variables, strings, lists, control flow, application.
// The compiler resolves every variable to an environment slot (depth, index), a global, or
// (only under `with`) a dynamic lookup through the enclosing `with` namespaces.

internal sealed class ConstNode(SourceText source, TextSpan span, Value value) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.Const;

    public readonly Value Value = value;
    internal override bool KeepsEnv(bool delayed) => false;
}

/// <summary>Slot <see cref="Index"/> of the environment <see cref="Depth"/> levels up.</summary>
internal sealed class LocalNode(SourceText source, TextSpan span, int depth, int index) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.Local;

    public readonly int Depth = depth;
    public readonly int Index = index;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Env Target(Env env)
    {
        for (var d = Depth; d > 0; d--) env = env.Parent;
        return env;
    }

    /// <summary>The slot's value if it is already known (a forced value, or an evaluated thunk's result), without forcing anything; otherwise a thunk or an invalid value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Value Peek(Env env)
    {
        var v = Target(env)[Index];
        if (v.Kind == ValueKind.Thunk) return v.Settled;
        return v;
    }

    // A slot is uninitialised (Invalid) only while its scope's bindings are being delayed, which
    // never calls a function, so code that runs in a call reads initialised slots: it neither
    // defers the read (keeping the environment) nor stores anything.
    internal override bool KeepsEnv(bool delayed) => false;

    /// <summary>The slot's value for a lazy position: as it is, or, for a slot of a recursive scope not initialised yet, a thunk that reads it later.</summary>
    public Value Delay(EvalContext cx, Env env)
    {
        var v = Target(env)[Index];
        // A slot of a recursive scope that is not initialised yet: defer the read itself.
        return v.Kind == ValueKind.Invalid ? Value.FromThunk(new Thunk(new DeferredLocalNode(this), env)) : v;
    }

    private sealed class DeferredLocalNode(LocalNode local) : Code(local.Source, local.Span)
    {
        public override Value Eval(EvalContext cx, Env env)
        {
            var v = local.Target(env)[local.Index];
            // `let a = a;`: the slot holds this very thunk. Nix reports the binding's expression.
            if (v.Kind == ValueKind.Invalid || (v.Kind == ValueKind.Thunk && v.RawThunk.IsBlackholed)) throw Error("infinite recursion encountered");
            return cx.Force(v);
        }
    }
}

/// <summary>A global name (a builtin): its value is known when the code is compiled.</summary>
internal sealed class GlobalNode(SourceText source, TextSpan span, Value value) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.Global;

    public readonly Value Value = value;
    internal override bool KeepsEnv(bool delayed) => false;
}

/// <summary>A name only a <c>with</c> can provide: searched in the namespaces, innermost first.</summary>
internal sealed class WithLookupNode(SourceText source, TextSpan span, string name, int sym, int[] withDepths, int[] withSlots) : Code(source, span)
{
    internal override NodeKind Kind => NodeKind.WithLookup;

    // One per enclosing `with`: where the name was in the namespace this lookup last searched
    // there. Made on the first lookup: most lookups nixpkgs compiles never run.
    private LookupCache[]? _caches;

    public override Value Eval(EvalContext cx, Env env)
    {
        try { return Lookup(cx, env); }
        catch (NixEvalException ex) when (ex.AtPosition(Source, Span)) { throw; }
    }

    /// <summary>
    /// The variable's value, forced. An error raised while forcing it has no position yet: the
    /// caller gives it this node's (<see cref="Eval"/>, or <c>Chunk.Annotate</c> for the
    /// <c>WithLookup</c> instruction).
    /// </summary>
    public Value Lookup(EvalContext cx, Env env)
    {
        var depths = withDepths;
        var caches = _caches ??= new LookupCache[depths.Length];
        var e = env;
        var level = 0;
        for (var i = 0; i < depths.Length; i++)
        {
            for (; level < depths[i]; level++) e = e.Parent;
            var ns = cx.Force(e[withSlots[i]]);
            if (ns.Kind != ValueKind.Attrs) throw cx.TypeError("a set", ns).WithPosition(Source, Span);
            var attrs = ns.RawAttrs;
            var index = caches[i].IndexOf(attrs, sym, out var owner);
            if (index >= 0) return cx.ForceInPlace(ref owner.Values[index]);
        }
        throw Error($"undefined variable '{name}'");
    }

    internal override bool KeepsEnv(bool delayed) => delayed;
}

/// <summary>A string with interpolations: parts are literal bytes or expressions.</summary>
internal sealed class InterpolationNode : Node
{
    internal override NodeKind Kind => NodeKind.Interpolation;

    internal NixString?[] Literals => _literals;
    internal Node?[] Parts => _parts;

    // The literal pieces as ready strings (null where an expression goes), so the parts of one
    // evaluation are all NixStrings and the result is built in one array of its final size.
    private readonly NixString?[] _literals;
    private readonly Node?[] _parts;

    public InterpolationNode(SourceText source, TextSpan span, byte[]?[] literals, Node?[] parts) : base(source, span)
    {
        _literals = new NixString?[literals.Length];
        for (var i = 0; i < literals.Length; i++)
            if (literals[i] is { } lit) _literals[i] = new NixString(lit);
        _parts = parts;
    }

    private InterpolationNode(SourceText source, TextSpan span, NixString?[] literals, Node?[] parts) : base(source, span)
    {
        _literals = literals;
        _parts = parts;
    }

    /// <summary>The same string with other expressions in the same places (see <see cref="Bytecode.ParentScope"/>).</summary>
    internal InterpolationNode WithParts(Node?[] parts) => new(Source, Span, _literals, parts);

    internal override bool KeepsEnv(bool delayed) => delayed || AnyKeepsEnv(_parts);

}

/// <summary>
/// Stack room for the pieces of a string interpolation with up to 16 parts (literal runs and
/// expressions), which covers almost all of them; longer ones rent an array.
/// </summary>
[System.Runtime.CompilerServices.InlineArray(Capacity)]
internal struct InterpolationPieces
{
    public const int Capacity = 16;
    private NixString _first;
}

/// <summary>A path with interpolations, resolved against a base directory when relative.</summary>
internal sealed class PathInterpolationNode(SourceText source, TextSpan span, string prefix, byte[]?[] literals, Node?[] parts) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.PathInterpolation;

    internal Node?[] Parts => parts;

    /// <summary>What building the path needs besides the parts' values (all the bytecode keeps of this node).</summary>
    internal PathShape Shape { get; } = new(source, span, prefix, literals);
}

/// <summary>The literal pieces of an interpolated path and where it is.</summary>
internal sealed class PathShape(SourceText source, TextSpan span, string prefix, byte[]?[] literals)
{
    /// <summary>The path, given the forced value of each expression part (at the part's index; literal indices are ignored).</summary>
    public Value Build(EvalContext cx, Value[] values)
    {
        var buffer = new ArrayBufferWriter();
        for (var i = 0; i < literals.Length; i++)
        {
            if (literals[i] is { } lit) { buffer.Write(lit); continue; }
            var s = cx.CoerceToString(values[i], StringCoercion.NoCopy);
            if (s.HasContext) throw new NixEvalException("a string that refers to a store path cannot be appended to a path").WithPosition(source, span);
            buffer.Write(s.RawBytes);
        }
        var text = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        return Value.FromPath(NixPath.Canonicalize(prefix + text));
    }
}

/// <summary>A small growable byte buffer.</summary>
internal sealed class ArrayBufferWriter
{
    private byte[] _buf = new byte[64];
    private int _len;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (_len + bytes.Length > _buf.Length) Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + bytes.Length));
        bytes.CopyTo(_buf.AsSpan(_len));
        _len += bytes.Length;
    }

    public byte[] ToArray() => _buf.AsSpan(0, _len).ToArray();
}

internal sealed class ListNode(SourceText source, TextSpan span, Node[] items) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.List;

    internal Node[] Items => items;

    internal override bool KeepsEnv(bool delayed) => delayed || AnyKeepsEnv(items, delayed: true);
}

internal sealed class IfNode(SourceText source, TextSpan span, Node cond, Node then, Node @else) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.If;

    internal Node Cond => cond;
    internal Node Then => then;
    internal Node Else => @else;

    internal override bool KeepsEnv(bool delayed) => delayed || cond.KeepsEnv(false) || then.KeepsEnv(false) || @else.KeepsEnv(false);
}

internal sealed class AssertNode(SourceText source, TextSpan span, Node cond, Node body, AssertionText text) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.Assert;

    internal Node Cond => cond;
    internal Node Body => body;

    /// <summary>What checking the condition needs (all the bytecode keeps of this node).</summary>
    internal AssertShape Shape { get; } = new(source, span, cond.Span, text);

    internal override bool KeepsEnv(bool delayed) => delayed || cond.KeepsEnv(false) || body.KeepsEnv(false);
}

/// <summary>The text and positions of an <c>assert</c>.</summary>
internal sealed class AssertShape(SourceText source, TextSpan span, TextSpan condSpan, AssertionText text)
{
    /// <summary>Fails unless <paramref name="c"/>, the forced condition, is true.</summary>
    public void Check(EvalContext cx, Value c)
    {
        if (c.Kind != ValueKind.Bool) throw cx.TypeError("a Boolean", c).WithPosition(source, condSpan);
        if (!c.RawBool) throw new NixEvalException($"assertion '{text.Text}' failed", catchable: true).WithPosition(source, span);
    }

    /// <summary>For <c>assert a == b</c>: fails unless the forced sides are equal.</summary>
    public void CheckEqual(EvalContext cx, Value l, Value r)
    {
        if (cx.ValuesEqual(l, r)) return;
        // Like current Nix, a failed `assert a == b` explains where the two sides differ.
        try { cx.ExplainInequality(l, r, top: true); }
        catch (NixEvalException e) when (e.AtPosition(source, span) || e.Traced($"while evaluating the condition of the assertion '{text.Text}'", source, span)) { throw; }
        throw new NixEvalException($"assertion '{text.Text}' failed", catchable: true).WithPosition(source, span);
    }
}

/// <summary><c>with ns; body</c>: a one-slot environment holding the (lazy) namespace.</summary>
internal sealed class WithNode(SourceText source, TextSpan span, Node ns, Node body) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.With;

    internal Node Namespace => ns;
    internal Node Body => body;

}

/// <summary><c>with ns; body</c> directly in a lambda body: the namespace lives in a slot of the lambda's environment.</summary>
internal sealed class HoistedWithNode(SourceText source, TextSpan span, int slot, Node ns, Node body) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.HoistedWith;

    internal int Slot => slot;
    internal Node Namespace => ns;
    internal Node Body => body;

}

internal sealed class ApplyNode(SourceText source, TextSpan span, Node function, Node argument) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.Apply;

    internal Node Function => function;
    internal Node Argument => argument;

    internal override bool KeepsEnv(bool delayed) => delayed || function.KeepsEnv(false) || argument.KeepsEnv(!ConsumedBy(function, 1));

    /// <summary>
    /// Whether a call of <paramref name="function"/> with <paramref name="count"/> arguments is
    /// a complete call of a builtin that keeps none of them (<see cref="Builtin.ConsumesArguments"/>):
    /// the thunks made for the arguments are forced or dropped within the call, so they keep the
    /// environment no longer than evaluating the arguments in place would.
    /// </summary>
    internal static bool ConsumedBy(Node function, int count) => ConsumingBuiltin(function, count) is not null;

    /// <summary>The builtin <paramref name="function"/> is known to be when a call with <paramref name="count"/> arguments is such a complete call (<see cref="ConsumedBy"/>), else null.</summary>
    internal static Builtin? ConsumingBuiltin(Node function, int count)
    {
        var value = function switch
        {
            GlobalNode g => g.Value,
            // `builtins.substring`: an attribute of a global set is fixed when the code is compiled.
            SelectNode { Target: GlobalNode { Value.Kind: ValueKind.Attrs } g, OrDefault: null, Path: [{ Dynamic: null } key] }
                when g.Value.RawAttrs.TryGet(key.Sym, out var attr) => attr,
            _ => default,
        };
        return value is { Kind: ValueKind.PrimOp, Obj: Builtin { ConsumesArguments: true } b } && b.Arity == count ? b : null;
    }
}

/// <summary><c>f a b …</c>: calls a builtin of exactly that arity directly; otherwise applies one argument at a time.</summary>
internal sealed class ApplyManyNode(SourceText source, TextSpan span, Node function, Node[] arguments) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.ApplyMany;

    internal Node Function => function;
    internal Node[] Arguments => arguments;

    internal override bool KeepsEnv(bool delayed) => delayed || function.KeepsEnv(false) || AnyKeepsEnv(arguments, delayed: !ApplyNode.ConsumedBy(function, arguments.Length));

}

/// <summary>Evaluates its inner node in the parent environment (for <c>inherit x;</c> inside a recursive scope).</summary>
internal sealed class ErrorNode(SourceText source, TextSpan span, string message) : Code(source, span)
{
    internal override NodeKind Kind => NodeKind.Error;

    public override Value Eval(EvalContext cx, Env env) => throw Error(message);

    internal override bool KeepsEnv(bool delayed) => false;
}

