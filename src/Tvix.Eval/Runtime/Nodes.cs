using System.Runtime.CompilerServices;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Runtime;

// Basic expression nodes: constants, variables, strings, lists, control flow, application.
// The compiler resolves every variable to an environment slot (depth, index), a global, or
// (only under `with`) a dynamic lookup through the enclosing `with` namespaces.

internal sealed class ConstNode(SourceText source, TextSpan span, Value value) : Node(source, span)
{
    public readonly Value Value = value;
    public override Value Eval(EvalContext cx, Env env) => cx.Force(Value);
    public override Value Delay(EvalContext cx, Env env) => Value;

    internal override bool KeepsEnv(bool delayed) => false;
}

/// <summary>Slot <see cref="Index"/> of the environment <see cref="Depth"/> levels up.</summary>
internal sealed class LocalNode(SourceText source, TextSpan span, int depth, int index) : Node(source, span)
{
    public readonly int Depth = depth;
    public readonly int Index = index;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Env Target(Env env)
    {
        for (var d = Depth; d > 0; d--) env = env.Parent;
        return env;
    }

    public override Value Eval(EvalContext cx, Env env)
    {
        var v = Target(env)[Index];
        if (v.Kind == ValueKind.Thunk)
        {
            try { return v.RawThunk.Force(cx); }
            catch (NixEvalException e) when (e.AtPosition(Source, Span)) { throw; }
        }
        if (v.Kind == ValueKind.Invalid) return Delay(cx, env).RawThunk.Force(cx);
        return v;
    }

    /// <summary>The slot's value if it is already known (a forced value, or an evaluated thunk's result), without forcing anything; otherwise a thunk or an invalid value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Value Peek(Env env)
    {
        var v = Target(env)[Index];
        if (v.Kind == ValueKind.Thunk && v.RawThunk.IsEvaluated) return v.RawThunk.Result;
        return v;
    }

    // A slot is uninitialised (Invalid) only while its scope's bindings are being delayed, which
    // never calls a function, so code that runs in a call reads initialised slots: it neither
    // defers the read (keeping the environment) nor stores anything.
    internal override bool KeepsEnv(bool delayed) => false;

    public override Value Delay(EvalContext cx, Env env)
    {
        var v = Target(env)[Index];
        // A slot of a recursive scope that is not initialised yet: defer the read itself.
        return v.Kind == ValueKind.Invalid ? Value.FromThunk(new Thunk(new DeferredLocalNode(this), env)) : v;
    }

    private sealed class DeferredLocalNode(LocalNode local) : Node(local.Source, local.Span)
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
    public readonly Value Value = value;
    public override Value Eval(EvalContext cx, Env env) => cx.Force(Value);
    public override Value Delay(EvalContext cx, Env env) => Value;

    internal override bool KeepsEnv(bool delayed) => false;
}

/// <summary>A name only a <c>with</c> can provide: searched in the namespaces, innermost first.</summary>
internal sealed class WithLookupNode(SourceText source, TextSpan span, string name, int sym, int[] withDepths, int[] withSlots) : Node(source, span)
{

    // One per enclosing `with`: the namespace this lookup last searched there.
    private readonly LookupCache[] _caches = new LookupCache[withDepths.Length];

    public override Value Eval(EvalContext cx, Env env)
    {
        var depths = withDepths;
        var e = env;
        var level = 0;
        for (var i = 0; i < depths.Length; i++)
        {
            for (; level < depths[i]; level++) e = e.Parent;
            var ns = cx.Force(e[withSlots[i]]);
            if (ns.Kind != ValueKind.Attrs) throw cx.TypeError("a set", ns).WithPosition(Source, Span);
            var attrs = ns.RawAttrs;
            var index = _caches[i].IndexOf(attrs, sym);
            if (index >= 0)
            {
                var v = attrs.Values[index];
                try { return cx.Force(v); }
                catch (NixEvalException ex) when (ex.AtPosition(Source, Span)) { throw; }
            }
        }
        throw Error($"undefined variable '{name}'");
    }

    internal override bool KeepsEnv(bool delayed) => delayed;
}

/// <summary>A string with interpolations: parts are literal bytes or expressions.</summary>
internal sealed class InterpolationNode : Node
{
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

    public override Value Eval(EvalContext cx, Env env)
    {
        if (_parts.Length <= InterpolationPieces.Capacity)
        {
            var pieces = new InterpolationPieces();
            Span<NixString> span = pieces;
            return Build(cx, env, span[.._parts.Length]);
        }
        var rented = System.Buffers.ArrayPool<NixString>.Shared.Rent(_parts.Length);
        try { return Build(cx, env, rented.AsSpan(0, _parts.Length)); }
        finally
        {
            Array.Clear(rented, 0, _parts.Length);
            System.Buffers.ArrayPool<NixString>.Shared.Return(rented);
        }
    }

    internal override bool KeepsEnv(bool delayed) => delayed || AnyKeepsEnv(_parts);

    private Value Build(EvalContext cx, Env env, Span<NixString> pieces)
    {
        for (var i = 0; i < pieces.Length; i++)
        {
            if (_literals[i] is { } lit) { pieces[i] = lit; continue; }
            var node = _parts[i]!;
            try { pieces[i] = cx.CoerceToString(node.Eval(cx, env), StringCoercion.Interpolation); }
            catch (NixEvalException e) when (e.AtPosition(node.Source, node.Span) || e.Traced("while evaluating a path segment", Source, node.Span)) { throw; }
        }
        return Value.FromString(NixString.Concat(pieces));
    }
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
    internal Node?[] Parts => parts;

    public override Value Eval(EvalContext cx, Env env)
    {
        var values = new Value[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (parts[i] is { } node) values[i] = node.Eval(cx, env);
        return Build(cx, values);
    }

    /// <summary>What building the path needs besides the parts' values (all the bytecode keeps of this node).</summary>
    internal PathShape Shape { get; } = new(source, span, prefix, literals);

    internal Value Build(EvalContext cx, Value[] values) => Shape.Build(cx, values);
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
    internal Node[] Items => items;

    public override Value Eval(EvalContext cx, Env env)
    {
        if (items.Length == 0) return Value.FromList(NixList.Empty);
        var values = new Value[items.Length];
        for (var i = 0; i < values.Length; i++) values[i] = items[i].Delay(cx, env);
        return Value.FromList(new NixList(values));
    }

    internal override bool KeepsEnv(bool delayed) => delayed || AnyKeepsEnv(items, delayed: true);
}

internal sealed class IfNode(SourceText source, TextSpan span, Node cond, Node then, Node @else) : Node(source, span)
{
    internal Node Cond => cond;
    internal Node Then => then;
    internal Node Else => @else;

    public override Value Eval(EvalContext cx, Env env)
    {
        var c = cond.Eval(cx, env);
        if (c.Kind != ValueKind.Bool) throw cx.TypeError("a Boolean", c).WithPosition(cond.Source, cond.Span);
        return c.RawBool ? then.Eval(cx, env) : @else.Eval(cx, env);
    }

    internal override bool KeepsEnv(bool delayed) => delayed || cond.KeepsEnv(false) || then.KeepsEnv(false) || @else.KeepsEnv(false);
}

internal sealed class AssertNode(SourceText source, TextSpan span, Node cond, Node body, string text) : Node(source, span)
{
    internal Node Cond => cond;
    internal Node Body => body;

    public override Value Eval(EvalContext cx, Env env)
    {
        if (cond is BinaryNode { Op: BinOp.Eq } eq)
        {
            CheckEqual(cx, eq.Left.Eval(cx, env), eq.Right.Eval(cx, env));
            return body.Eval(cx, env);
        }
        Check(cx, cond.Eval(cx, env));
        return body.Eval(cx, env);
    }

    /// <summary>What checking the condition needs (all the bytecode keeps of this node).</summary>
    internal AssertShape Shape { get; } = new(source, span, cond.Span, text);

    internal void Check(EvalContext cx, Value c) => Shape.Check(cx, c);

    internal void CheckEqual(EvalContext cx, Value l, Value r) => Shape.CheckEqual(cx, l, r);

    internal override bool KeepsEnv(bool delayed) => delayed || cond.KeepsEnv(false) || body.KeepsEnv(false);
}

/// <summary>The text and positions of an <c>assert</c>.</summary>
internal sealed class AssertShape(SourceText source, TextSpan span, TextSpan condSpan, string text)
{
    /// <summary>Fails unless <paramref name="c"/>, the forced condition, is true.</summary>
    public void Check(EvalContext cx, Value c)
    {
        if (c.Kind != ValueKind.Bool) throw cx.TypeError("a Boolean", c).WithPosition(source, condSpan);
        if (!c.RawBool) throw new NixEvalException($"assertion '{text}' failed", catchable: true).WithPosition(source, span);
    }

    /// <summary>For <c>assert a == b</c>: fails unless the forced sides are equal.</summary>
    public void CheckEqual(EvalContext cx, Value l, Value r)
    {
        if (cx.ValuesEqual(l, r)) return;
        // Like current Nix, a failed `assert a == b` explains where the two sides differ.
        try { cx.ExplainInequality(l, r, top: true); }
        catch (NixEvalException e) when (e.AtPosition(source, span) || e.Traced($"while evaluating the condition of the assertion '{text}'", source, span)) { throw; }
        throw new NixEvalException($"assertion '{text}' failed", catchable: true).WithPosition(source, span);
    }
}

/// <summary><c>with ns; body</c>: a one-slot environment holding the (lazy) namespace.</summary>
internal sealed class WithNode(SourceText source, TextSpan span, Node ns, Node body) : Node(source, span)
{
    internal Node Namespace => ns;
    internal Node Body => body;

    public override Value Eval(EvalContext cx, Env env)
    {
        var scope = new Env(1, env);
        scope[0] = ns is AttrSetNode { BuildsWithoutEffects: true } ? ns.Eval(cx, env) : ns.Delay(cx, env);
        return body.Eval(cx, scope);
    }
}

/// <summary><c>with ns; body</c> directly in a lambda body: the namespace lives in a slot of the lambda's environment.</summary>
internal sealed class HoistedWithNode(SourceText source, TextSpan span, int slot, Node ns, Node body) : Node(source, span)
{
    internal int Slot => slot;
    internal Node Namespace => ns;
    internal Node Body => body;

    public override Value Eval(EvalContext cx, Env env)
    {
        env[slot] = ns is AttrSetNode { BuildsWithoutEffects: true } ? ns.Eval(cx, env) : ns.Delay(cx, env);
        return body.Eval(cx, env);
    }
}

internal sealed class ApplyNode(SourceText source, TextSpan span, Node function, Node argument) : Node(source, span)
{
    internal Node Function => function;
    internal Node Argument => argument;

    public override Value Eval(EvalContext cx, Env env)
    {
        var f = function.Eval(cx, env);
        var a = argument.Delay(cx, env);
        try { return cx.Call(f, a); }
        catch (NixEvalException e) when (e.AtPosition(Source, Span) || (e.WantsTrace && e.Traced("from call site", Source, Span))) { throw; }
    }

    internal override bool KeepsEnv(bool delayed) => delayed || function.KeepsEnv(false) || argument.KeepsEnv(true);
}

/// <summary><c>f a b …</c>: calls a builtin of exactly that arity directly; otherwise applies one argument at a time.</summary>
internal sealed class ApplyManyNode(SourceText source, TextSpan span, Node function, Node[] arguments) : Node(source, span)
{
    internal Node Function => function;
    internal Node[] Arguments => arguments;

    public override Value Eval(EvalContext cx, Env env)
    {
        var f = function.Eval(cx, env);
        try
        {
            if (f.Kind == ValueKind.PrimOp && Unsafe.As<Builtin>(f.Obj!).Arity == arguments.Length)
                return CallBuiltin(cx, env, Unsafe.As<Builtin>(f.Obj!));
            var i = 0;
            if (f.Kind == ValueKind.Lambda && Unsafe.As<Closure>(f.Obj!).Code.Chain is not null)
                f = ApplyChain(cx, env, Unsafe.As<Closure>(f.Obj!), ref i);
            for (; i < arguments.Length; i++) f = cx.Call(f, arguments[i].Delay(cx, env));
            return cx.Force(f);
        }
        catch (NixEvalException e) when (e.AtPosition(Source, Span)) { throw; }
    }

    internal override bool KeepsEnv(bool delayed) => delayed || function.KeepsEnv(false) || AnyKeepsEnv(arguments, delayed: true);

    /// <summary>
    /// <c>f a b …</c> with <c>f = x: y: …</c> (a <see cref="LambdaChain"/>): the arguments go
    /// straight into the chain's one environment, without the intermediate closures that
    /// <c>f a</c>, <c>f a b</c>, … would return (they are never observable). Advances
    /// <paramref name="i"/> past the arguments consumed.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Value ApplyChain(EvalContext cx, Env env, Closure closure, ref int i)
    {
        var count = Math.Min(arguments.Length, BuiltinArguments.Capacity);
        var buffer = new BuiltinArguments();
        Span<Value> args = buffer;
        for (var k = 0; k < count; k++) args[k] = arguments[k].Delay(cx, env);
        var result = LambdaNode.InvokeMany(cx, closure, args[..count], out var used);
        // Arguments delayed but not consumed (more than the chain takes) are applied one by one.
        for (var k = used; k < count; k++) result = cx.Call(result, args[k]);
        i = count;
        return result;
    }

    // Separate so that Eval, which also applies lambdas, does not zero the stack buffer.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Value CallBuiltin(EvalContext cx, Env env, Builtin b)
    {
        if (arguments.Length <= BuiltinArguments.Capacity)
        {
            var buffer = new BuiltinArguments();
            Span<Value> inline = buffer;
            for (var i = 0; i < arguments.Length; i++) inline[i] = arguments[i].Delay(cx, env);
            return cx.CallBuiltin(b, inline[..arguments.Length]);
        }
        var args = new Value[arguments.Length];
        for (var i = 0; i < args.Length; i++) args[i] = arguments[i].Delay(cx, env);
        return cx.CallBuiltin(b, args);
    }
}

/// <summary>Evaluates its inner node in the parent environment (for <c>inherit x;</c> inside a recursive scope).</summary>
internal sealed class ErrorNode(SourceText source, TextSpan span, string message) : Node(source, span)
{
    public override Value Eval(EvalContext cx, Env env) => throw Error(message);

    internal override bool KeepsEnv(bool delayed) => false;
}

