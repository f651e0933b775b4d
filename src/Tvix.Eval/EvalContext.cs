using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Tvix.Eval.Runtime;
using Tvix.Eval.Syntax;

namespace Tvix.Eval;

/// <summary>
/// The state of one evaluator as builtins and hosts see it: forcing, calling, coercing,
/// comparing and printing values, building attribute sets and lists, raising Nix errors and
/// reaching the world through <see cref="IO"/>. One context belongs to one
/// evaluator; it is not thread-safe (evaluation runs on the evaluator's thread).
/// </summary>
public sealed partial class EvalContext
{
    internal readonly SymbolTable Symbols = new();
    internal readonly EvaluatorOptions Options;
    internal int CallDepth;
    internal int MaxCallDepth;
    internal CancellationToken Cancellation;

    internal readonly int SymOutPath, SymToString, SymFunctor, SymType, SymDrvPath, SymName, SymValue,
        SymKey, SymOperator, SymStartSet, SymRight, SymWrong, SymSuccess, SymPath, SymPrefix, SymFile,
        SymLine, SymColumn, SymOverrides, SymBody, SymOutputs, SymOutputName, SymAllOutputs;

    internal EvalContext(EvaluatorOptions options)
    {
        Options = options;
        IO = options.IO;
        MaxCallDepth = options.MaxCallDepth;
        SymOutPath = Symbols.Intern("outPath");
        SymToString = Symbols.Intern("__toString");
        SymFunctor = Symbols.Intern("__functor");
        SymType = Symbols.Intern("type");
        SymDrvPath = Symbols.Intern("drvPath");
        SymName = Symbols.Intern("name");
        SymValue = Symbols.Intern("value");
        SymKey = Symbols.Intern("key");
        SymOperator = Symbols.Intern("operator");
        SymStartSet = Symbols.Intern("startSet");
        SymRight = Symbols.Intern("right");
        SymWrong = Symbols.Intern("wrong");
        SymSuccess = Symbols.Intern("success");
        SymPath = Symbols.Intern("path");
        SymPrefix = Symbols.Intern("prefix");
        SymFile = Symbols.Intern("file");
        SymLine = Symbols.Intern("line");
        SymColumn = Symbols.Intern("column");
        SymOverrides = Symbols.Intern("__overrides");
        SymBody = Symbols.Intern("body");
        SymOutputs = Symbols.Intern("outputs");
        SymOutputName = Symbols.Intern("outputName");
        SymAllOutputs = Symbols.Intern("all");
    }

    /// <summary>The I/O seam of this evaluator.</summary>
    public IEvalIO IO { get; }

    /// <summary>Where <c>builtins.trace</c> and warnings go (standard error by default).</summary>
    public TextWriter Log => Options.Log ?? Console.Error;

    /// <summary>The store directory (<c>builtins.storeDir</c>), e.g. <c>/nix/store</c>.</summary>
    public string StoreDir => Options.StoreDir;

    /// <summary>The <c>builtins</c> attribute set of this evaluator.</summary>
    public NixAttrs Builtins { get; internal set; } = null!;

    // ---------------------------------------------------------------- forcing

    /// <summary>Forces a value to weak head normal form (evaluates a thunk; other values are returned as they are).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Value Force(Value v) => v.Kind == ValueKind.Thunk ? Unsafe.As<Thunk>(v.Obj!).Force(this, v.Bits) : v;

    /// <summary>
    /// Forces the value in <paramref name="slot"/> (an environment slot, or a set's or a list's
    /// value) and puts an atom result in place of its thunk (<see cref="Value.IsAtom"/>): later
    /// reads skip the thunk, and a thunk nothing else holds is garbage at once instead of a
    /// survivor every collection marks and copies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Value ForceInPlace(ref Value slot)
    {
        var v = slot;
        if (v.Kind != ValueKind.Thunk) return v;
        var result = Unsafe.As<Thunk>(v.Obj!).Force(this, v.Bits);
        if (result.IsAtom) slot = result;
        return result;
    }

    /// <summary>Forces a value and checks that it is an integer.</summary>
    public long ForceInt(Value v)
    {
        v = Force(v);
        if (v.Kind != ValueKind.Int) throw TypeError("an integer", v);
        return v.RawInt;
    }

    /// <summary>Forces a value and checks that it is an integer or a float; returns it as a double.</summary>
    public double ForceNumber(Value v)
    {
        v = Force(v);
        return v.Kind switch
        {
            ValueKind.Int => v.RawInt,
            ValueKind.Float => v.RawFloat,
            _ => throw TypeError("a float", v),
        };
    }

    /// <summary>Forces a value and checks that it is a Boolean.</summary>
    public bool ForceBool(Value v)
    {
        v = Force(v);
        if (v.Kind != ValueKind.Bool) throw TypeError("a Boolean", v);
        return v.RawBool;
    }

    /// <summary>Forces a value and checks that it is a string (no coercion); the context is kept.</summary>
    public NixString ForceString(Value v)
    {
        v = Force(v);
        if (v.Kind != ValueKind.String) throw TypeError("a string", v);
        return v.RawString;
    }

    /// <summary>Forces a value and checks that it is an attribute set.</summary>
    public NixAttrs ForceAttrs(Value v)
    {
        v = Force(v);
        if (v.Kind != ValueKind.Attrs) throw TypeError("a set", v);
        return v.RawAttrs;
    }

    /// <summary>Forces a value and checks that it is a list.</summary>
    public NixList ForceList(Value v)
    {
        v = Force(v);
        if (v.Kind != ValueKind.List) throw TypeError("a list", v);
        return v.RawList;
    }

    /// <summary>Forces a value and checks that it is callable (a function or a set with <c>__functor</c>).</summary>
    public Value ForceFunction(Value v)
    {
        v = Force(v);
        if (v.IsFunction) return v;
        if (v.Kind == ValueKind.Attrs && v.RawAttrs.TryGet(SymFunctor, out _)) return v;
        throw TypeError("a function", v);
    }

    /// <summary>Forces a value and everything inside it (lists, attribute values), as <c>deepSeq</c> and <c>--strict</c> do.</summary>
    public void DeepForce(Value v)
    {
        HashSet<object>? seen = null;
        DeepForce(v, ref seen);
    }

    // The seen set stops cycles and keeps shared structure linear. Only containers that hold
    // another container are entered in it, when the first such child is found (before going
    // into it): a container of leaves (strings, numbers, …) can neither lead back to itself nor
    // make the walk grow, so the set stays small and is not even created for flat values.
    // Children are forced in order and each is walked before the next is forced, as in Nix.
    private void DeepForce(Value v, ref HashSet<object>? seen)
    {
        v = Force(v);
        if (v.Kind == ValueKind.Attrs)
        {
            var a = v.RawAttrs;
            if (a.Count == 0 || seen is not null && seen.Contains(a)) return;
            EnsureStack();
            var vals = a.Values;
            var entered = false;
            for (var i = 0; i < vals.Length; i++)
            {
                var item = vals[i];
                if (IsLeaf(item)) continue;
                try
                {
                    item = ForceInPlace(ref vals[i]);
                    if (!IsContainer(item)) continue;
                    if (!entered && !MarkWalked(a, ref seen)) return;
                    entered = true;
                    DeepForce(item, ref seen);
                }
                catch (NixEvalException e) when (e.Traced($"while evaluating the attribute '{Symbols.Text(a.Keys[i])}'", null, default)) { throw; }
            }
        }
        else if (v.Kind == ValueKind.List)
        {
            var l = v.RawList;
            if (l.Count == 0 || seen is not null && seen.Contains(l)) return;
            EnsureStack();
            var entered = false;
            var items = l.Items;
            for (var i = 0; i < items.Length; i++)
            {
                if (IsLeaf(items[i])) continue;
                var item = ForceInPlace(ref items[i]);
                if (!IsContainer(item)) continue;
                if (!entered && !MarkWalked(l, ref seen)) return;
                entered = true;
                DeepForce(item, ref seen);
            }
        }
    }

    private static bool IsLeaf(Value v) =>
        v.Kind is ValueKind.Int or ValueKind.Bool or ValueKind.Null or ValueKind.Float or ValueKind.String or ValueKind.Path;

    private static bool IsContainer(Value v) =>
        v.Kind == ValueKind.Attrs && v.RawAttrs.Count > 0 || v.Kind == ValueKind.List && v.RawList.Count > 0;

    /// <summary>Records a container being walked; false when it already was.</summary>
    private static bool MarkWalked(object container, ref HashSet<object>? seen) =>
        (seen ??= new HashSet<object>(ReferenceEqualityComparer.Instance)).Add(container);

    // ---------------------------------------------------------------- calling

    /// <summary>Applies a function (lambda, builtin, or a set with <c>__functor</c>) to one argument and forces the result.</summary>
    public Value Call(Value function, Value argument)
    {
        function = Force(function);
        switch (function.Kind)
        {
            case ValueKind.Lambda:
            {
                var c = Unsafe.As<Closure>(function.Obj!);
                Enter();
                try { return c.Code.Invoke(this, c, argument); }
                finally { CallDepth--; }
            }
            case ValueKind.PrimOp:
            {
                var b = Unsafe.As<Builtin>(function.Obj!);
                if (b.Arity == 1)
                {
                    Enter();
                    try { return Force(b.Impl(this, MemoryMarshal.CreateReadOnlySpan(ref argument, 1))); }
                    catch (NixEvalException e) when (e.Traced($"while calling the '{b.Name}' builtin", null, default)) { throw; }
                    finally { CallDepth--; }
                }
                return Value.FromPartial(new PartialApplication(b, [argument]));
            }
            case ValueKind.PrimOpApp:
            {
                var p = Unsafe.As<PartialApplication>(function.Obj!);
                var count = p.Args.Length + 1;
                if (count < p.Builtin.Arity)
                {
                    var partial = new Value[count];
                    ValueCopy.Copy(p.Args, partial);
                    partial[^1] = argument;
                    return Value.FromPartial(new PartialApplication(p.Builtin, partial));
                }
                return CompletePartial(p, argument);
            }
            case ValueKind.Attrs:
                if (function.RawAttrs.TryGet(SymFunctor, out var functor))
                    return Call(Call(functor, function), argument);
                break;
        }
        throw Error($"attempt to call something which is not a function but {TypeNames.Describe(function)}: {PrintForError(function)}");
    }

    // The stack buffers live in separate methods so that Call, hot for lambdas, does not zero them.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Value CompletePartial(PartialApplication p, Value argument)
    {
        // The last argument completes the call: the arguments only need to live for it.
        var count = p.Args.Length + 1;
        if (count <= BuiltinArguments.Capacity)
        {
            var buffer = new BuiltinArguments();
            Span<Value> all = buffer;
            ValueCopy.Copy(p.Args, all);
            all[p.Args.Length] = argument;
            return CallBuiltin(p.Builtin, all[..count]);
        }
        var args = new Value[count];
        ValueCopy.Copy(p.Args, args);
        args[^1] = argument;
        return CallBuiltin(p.Builtin, args);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal Value CallBuiltin(Builtin b, Value argument1, Value argument2)
    {
        var buffer = new BuiltinArguments();
        buffer[0] = argument1;
        buffer[1] = argument2;
        return CallBuiltin(b, ((ReadOnlySpan<Value>)buffer)[..2]);
    }

    internal Value CallBuiltin(Builtin b, ReadOnlySpan<Value> args)
    {
        Enter();
        try { return Force(b.Impl(this, args)); }
        catch (NixEvalException e) when (e.Traced($"while calling the '{b.Name}' builtin", null, default)) { throw; }
        finally { CallDepth--; }
    }

    /// <summary>Applies a function to two arguments (curried) and forces the result.</summary>
    public Value Call(Value function, Value argument1, Value argument2)
    {
        function = Force(function);
        // A two-argument builtin (lessThan as a sort comparator, …) is called without a partial application.
        if (function.Kind == ValueKind.PrimOp && Unsafe.As<Builtin>(function.Obj!).Arity == 2)
            return CallBuiltin(Unsafe.As<Builtin>(function.Obj!), argument1, argument2);
        // `a: b: …` (foldl' and sort callbacks, mapAttrs functions): both arguments go straight
        // into the chain's environment, without the closure `f a` would return (never observable).
        if (function.Kind == ValueKind.Lambda && Unsafe.As<Closure>(function.Obj!) is { Code.Chain: { } chain } c && chain.Arity - c.Code.Level >= 2)
        {
            var buffer = new BuiltinArguments();
            buffer[0] = argument1;
            buffer[1] = argument2;
            return Force(LambdaNode.InvokeMany(this, c, ((ReadOnlySpan<Value>)buffer)[..2], out _));
        }
        return Call(Call(function, argument1), argument2);
    }

    /// <summary>
    /// A thunk that applies <paramref name="function"/> to <paramref name="argument"/> when forced.
    /// A call that can only build a value (a lambda whose body is a set or list literal, say) is
    /// made at once instead and its result kept in an evaluated thunk: nothing observable changes,
    /// and no thunk has to hold the function and its argument.
    /// </summary>
    public Value CallLazy(Value function, Value argument)
    {
        // A function in an evaluated thunk (a let binding) is looked at without forcing anything.
        if (function.Kind == ValueKind.Thunk) function = function.Settled;
        // A call that only builds a value is made now (see BodyEffects).
        if (function.Obj is { } f && f.GetType() == typeof(Closure))
        {
            var code = Unsafe.As<Closure>(f).Code;
            if (code.AppliesWithoutEffects(Unsafe.As<Closure>(f), 1)) return Value.FromThunk(Thunk.Ready(Call(function, argument)));
            if (code.ReturnedArgument(1) == 0 && IsSettledNonFunction(argument)) return Value.FromThunk(Thunk.Ready(argument));
        }
        return Value.FromThunk(new CallThunk(function, argument));
    }

    /// <summary>
    /// Whether <paramref name="v"/> is evaluated and no function: a call that returns it may hand
    /// it on without a thunk's value slot of its own, since <c>==</c> only compares functions by
    /// slot, and sets and lists by content (their members' slots being the same ones).
    /// </summary>
    private static bool IsSettledNonFunction(Value v) =>
        v.Kind is not (ValueKind.Thunk or ValueKind.Lambda or ValueKind.PrimOp or ValueKind.PrimOpApp or ValueKind.Invalid);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Enter()
    {
        if (++CallDepth > MaxCallDepth)
        {
            CallDepth--;
            throw new NixEvalException("stack overflow; max-call-depth exceeded");
        }
        if (Cancellation.IsCancellationRequested) ThrowCancelled();
        if (!HasStack())
        {
            CallDepth--;
            throw StackOverflow();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowCancelled() => Cancellation.ThrowIfCancellationRequested();

    internal void EnsureStack()
    {
        if (!HasStack()) throw StackOverflow();
    }

    /// <summary>Lowest stack address evaluation may use (0: unknown, rely on the runtime's check).</summary>
    internal nuint StackLimit;

    /// <summary>
    /// Whether there is stack left for one more level of recursion. On the evaluator's own thread
    /// this is a pointer comparison that leaves a generous reserve for exception dispatch and
    /// error reporting; elsewhere it asks the runtime.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe bool HasStack()
    {
        byte marker;
        var limit = StackLimit;
        return limit != 0 ? (nuint)(&marker) > limit : RuntimeHelpers.TryEnsureSufficientExecutionStack();
    }

    internal NixEvalException StackOverflow() => new("stack overflow (possible infinite recursion)");

    // ---------------------------------------------------------------- errors

    /// <summary>A non-catchable evaluation error to throw.</summary>
    public NixEvalException Error(string message) => new(message);

    /// <summary>The error for a value of the wrong type: <c>expected a set but found an integer: 1</c>.</summary>
    public NixEvalException TypeError(string expected, Value actual) =>
        new($"expected {expected} but found {TypeNames.Describe(actual)}: {PrintForError(actual)}");

    /// <summary>Nix's name for the type of a value: <c>an integer</c>, <c>a set</c>, ….</summary>
    public static string DescribeType(Value v) => TypeNames.Describe(v);

    // ---------------------------------------------------------------- building values

    /// <summary>A builder for a new attribute set of this evaluator.</summary>
    public NixAttrsBuilder CreateAttrsBuilder(int capacity = 8) => new(Symbols, capacity);

    /// <summary>The empty attribute set.</summary>
    public NixAttrs EmptyAttrs => _emptyAttrs ??= NixAttrs.Empty(Symbols);
    private NixAttrs? _emptyAttrs;

    /// <summary>Looks up an attribute by name (the value may be a thunk).</summary>
    public bool TryGetAttr(NixAttrs attrs, string name, out Value value) => attrs.TryGetValue(name, out value);

    internal Value GetAttrOrThrow(NixAttrs attrs, int sym)
    {
        if (attrs.TryGet(sym, out var v)) return v;
        throw Error($"attribute '{Symbols.Text(sym)}' missing");
    }

    /// <summary>A path value from an absolute path (canonicalised).</summary>
    public static Value MakePath(string absolutePath) => Value.FromPath(NixPath.Canonicalize(absolutePath));

    // ---------------------------------------------------------------- printing

    /// <summary>
    /// Prints a value as <c>nix-instantiate --eval</c> does. With <paramref name="strict"/>
    /// the value is forced deeply first; otherwise unforced thunks print as <c>&lt;CODE&gt;</c>.
    /// </summary>
    /// <remarks>
    /// A string holding bytes that are not UTF-8 comes out as U+FFFD here; <see cref="PrintUtf8"/>
    /// gives the exact bytes Nix prints.
    /// </remarks>
    public string Print(Value v, bool strict = false) => PrintTo(v, strict).ToString();

    /// <summary>
    /// Prints a value as <c>nix-instantiate --eval</c> does, as the exact bytes Nix writes
    /// (strings are printed byte for byte, valid UTF-8 or not).
    /// </summary>
    public byte[] PrintUtf8(Value v, bool strict = false) => PrintTo(v, strict).ToArray();

    private Utf8Builder PrintTo(Value v, bool strict)
    {
        if (strict) DeepForce(v);
        var sb = new Utf8Builder();
        new Printer(this, sb, forError: false).Print(Force(v));
        return sb;
    }

    /// <summary>Prints a value for an error message (never forces; long output is cut).</summary>
    internal string PrintForError(Value v)
    {
        var sb = new Utf8Builder();
        try { new Printer(this, sb, forError: true).Print(v); }
        catch (NixEvalException) { sb.Append("«error»"); }
        return sb.ToString();
    }
}

public sealed partial class EvalContext
{
    /// <summary>A thunk that applies <paramref name="function"/> to two arguments when forced (or at once, as <see cref="CallLazy(Value, Value)"/> says).</summary>
    public Value CallLazy2(Value function, Value argument1, Value argument2)
    {
        // A function in an evaluated thunk (a let binding) is looked at without forcing anything.
        if (function.Kind == ValueKind.Thunk) function = function.Settled;
        // A call that only builds a value, or returns an argument, is made now (see BodyEffects).
        if (function.Obj is { } f && f.GetType() == typeof(Closure))
        {
            var code = Unsafe.As<Closure>(f).Code;
            if (code.AppliesWithoutEffects(Unsafe.As<Closure>(f), 2)) return Value.FromThunk(Thunk.Ready(Call(function, argument1, argument2)));
            switch (code.ReturnedArgument(2))
            {
                case 0 when IsSettledNonFunction(argument1): return Value.FromThunk(Thunk.Ready(argument1));
                case 1 when IsSettledNonFunction(argument2): return Value.FromThunk(Thunk.Ready(argument2));
            }
        }
        return Value.FromThunk(new CallThunk2(function, argument1, argument2));
    }
}

/// <summary>
/// Stack room for the arguments of a builtin called with all of them at once (<c>f a b</c>), so the
/// call allocates neither a partial application nor an argument array. A builtin only sees them as a
/// span for the duration of the call.
/// </summary>
[InlineArray(Capacity)]
internal struct BuiltinArguments
{
    public const int Capacity = 4;
    private Value _first;
}
