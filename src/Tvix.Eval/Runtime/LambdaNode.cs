using System.Runtime.CompilerServices;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Runtime;

/// <summary>A formal of a pattern lambda: its symbol, slot and optional default, and where its name is (for <c>functionArgs</c>' positions).</summary>
internal sealed record FormalInfo(int Sym, string Name, Node? Default, int Offset);

/// <summary>
/// A curried lambda <c>x: y: z: body</c> compiled as one function of several parameters: the
/// parameters share one environment (slots 0..n-1, in order), so applying all of them at once,
/// as <c>f a b</c>, <c>foldl'</c> or <c>mapAttrs</c> do, allocates one environment instead of one
/// per level. Applying fewer arguments yields a closure that carries them (see
/// <see cref="Closure.Bound"/>) and behaves exactly like the inner lambda Nix would return.
/// </summary>
internal sealed class LambdaChain(LambdaNode[] levels)
{
    /// <summary>The lambdas from outermost to innermost; level i binds slot i.</summary>
    public readonly LambdaNode[] Levels = levels;
    /// <summary>The innermost lambda's body.</summary>
    public Node Body = null!;
    /// <summary>Slots of the shared environment: the parameters, then hoisted <c>let</c> bindings.</summary>
    public int EnvSize;
    /// <summary>Whether the body keeps no reference to its environment, so a call's environment is reused (see <see cref="Node.KeepsEnv"/>).</summary>
    public bool ReusesEnv;
    /// <summary>What running the body does besides allocating (see <see cref="BodyEffects"/>).</summary>
    public BodyEffects Effects;

    public int Arity => Levels.Length;
}

/// <summary>
/// A lambda. Its environment has one slot per formal (or one for a plain parameter), then
/// one for the <c>@</c> name. Evaluating the node makes a closure over the current environment.
/// A level of a <see cref="LambdaChain"/> has no body of its own: the chain's innermost body runs
/// once every level has its argument.
/// </summary>
internal sealed class LambdaNode(SourceText source, TextSpan span) : Node(source, span)
{
    internal override NodeKind Kind => NodeKind.Lambda;

    public Node Body = null!;
    public int EnvSize;
    public string? Name;
    /// <summary>Null for <c>x: …</c>; the formals sorted by symbol for a pattern.</summary>
    public FormalInfo[]? Formals;
    public int[]? FormalSyms;
    public bool HasEllipsis;
    public int AtSlot = -1;
    public string? ParamName;
    /// <summary>The curried chain this lambda is a level of, or null.</summary>
    public LambdaChain? Chain;
    /// <summary>This lambda's level in <see cref="Chain"/> (how many arguments a closure of it carries).</summary>
    public int Level;
    /// <summary>
    /// Whether neither the body nor a default keeps a reference to the call's environment, so
    /// that environment goes back to the context's pool when the call returns: calls of small
    /// functions like <c>a: b: a + b</c> then allocate nothing (see <see cref="Node.KeepsEnv"/>).
    /// </summary>
    public bool ReusesEnv;
    /// <summary>What running the body does besides allocating (see <see cref="BodyEffects"/>); for a chain level, see <see cref="LambdaChain.Effects"/>.</summary>
    public BodyEffects Effects;

    public string DisplayName => Name is null ? "anonymous lambda" : Name;

    /// <summary>
    /// Whether applying <paramref name="closure"/> (of this lambda) to <paramref name="count"/>
    /// arguments evaluates nothing: it only builds a value (a closure carrying them, or a body of
    /// <see cref="BodyEffects.BuildsOnly"/>), or its body calls a function of an enclosing scope
    /// that is already evaluated and applies without effects itself (<c>n: x: mkIf c x</c>), so
    /// the call may as well be made at once. <paramref name="nesting"/> bounds the latter's chain.
    /// </summary>
    public bool AppliesWithoutEffects(Closure closure, int count, int nesting = 0)
    {
        BodyEffects effects;
        if (Chain is { } chain)
        {
            var left = chain.Arity - Level;
            if (count != left) return count < left;
            effects = chain.Effects;
        }
        else
        {
            if (count != 1 || Formals is not null) return false;
            effects = Effects;
        }
        if (effects.BuildsOnly) return true;
        if (effects.CalleeArguments == 0 || nesting >= MaxCalleeNesting) return false;
        // The body's depth 0 is the call's environment (made later); depth 1 the closure's.
        var env = closure.Env;
        for (var d = 1; d < effects.CalleeDepth; d++) env = env.Parent;
        var callee = env[effects.CalleeIndex];
        if (callee.Kind == ValueKind.Thunk) callee = callee.Settled;
        return callee.Obj is { } o && o.GetType() == typeof(Closure)
            && Unsafe.As<Closure>(o).Code.AppliesWithoutEffects(Unsafe.As<Closure>(o), effects.CalleeArguments, nesting + 1);
    }

    private const int MaxCalleeNesting = 4;

    /// <summary>Which of <paramref name="count"/> arguments a call of a closure of this lambda returns as it is (the body is that parameter), or -1.</summary>
    public int ReturnedArgument(int count)
    {
        if (Chain is { } chain)
            return count == chain.Arity - Level && chain.Effects.Parameter >= Level ? chain.Effects.Parameter - Level : -1;
        return count == 1 && Formals is null && Effects.Parameter == 0 ? 0 : -1;
    }

    /// <summary>Applies the closure <paramref name="closure"/> (whose code is this lambda) to one argument.</summary>
    public Value Invoke(EvalContext cx, Closure closure, Value arg)
    {
        if (Chain is { } chain)
        {
            if (Level + 1 < chain.Arity) return Value.FromClosure(closure.With(chain.Levels[Level + 1], arg));
            if (chain.ReusesEnv) return InvokeChainReusing(cx, closure, arg);
            var env = cx.RentEnv(chain.EnvSize, closure.Env);
            closure.CopyBound(env);
            env[Level] = arg;
            var result = RunBody(cx, chain.Body, env);
            cx.ReturnEnvIfFree(env);
            return result;
        }
        return Invoke(cx, closure.Env, arg);
    }

    /// <summary>Applies this lambda, which is not a chain level, defined in <paramref name="closureEnv"/>, to one argument.</summary>
    public Value Invoke(EvalContext cx, Env closureEnv, Value arg)
    {
        if (ReusesEnv) return InvokeReusing(cx, closureEnv, arg);
        // The body may keep its environment; when this call did not (nothing was made over it),
        // it is reused all the same. A failed call leaves its environment to the collector.
        var env = cx.RentEnv(EnvSize, closureEnv);
        var result = Bind(cx, env, arg);
        cx.ReturnEnvIfFree(env);
        return result;
    }

    private Value InvokeChainReusing(EvalContext cx, Closure closure, Value arg)
    {
        var chain = Chain!;
        var env = cx.RentEnv(chain.EnvSize, closure.Env);
        try
        {
            closure.CopyBound(env);
            env[Level] = arg;
            return RunBody(cx, chain.Body, env);
        }
        finally { cx.ReturnEnv(env); }
    }

    private Value InvokeReusing(EvalContext cx, Env closureEnv, Value arg)
    {
        var env = cx.RentEnv(EnvSize, closureEnv);
        try { return Bind(cx, env, arg); }
        finally { cx.ReturnEnv(env); }
    }

    /// <summary>Binds the argument in <paramref name="env"/>, a fresh environment for this call, and runs the body.</summary>
    private Value Bind(EvalContext cx, Env env, Value arg)
    {
        var formals = Formals;
        if (formals is null)
        {
            env[0] = arg;
            return RunBody(cx, Body, env);
        }

        var forced = cx.Force(arg);
        if (forced.Kind != ValueKind.Attrs)
            throw cx.TypeError("a set", forced).WithPosition(Source, Span);
        var attrs = forced.RawAttrs;
        var used = 0;
        for (var i = 0; i < formals.Length; i++)
        {
            var f = formals[i];
            if (attrs.TryGet(f.Sym, out var v)) { env[i] = v; used++; }
            else if (f.Default is not null) env[i] = Unsafe.As<Code>(f.Default).Delay(cx, env);
            else throw Error($"function '{DisplayName}' called without required argument '{f.Name}'");
        }
        if (!HasEllipsis && used != attrs.Count)
        {
            foreach (var key in attrs.Keys)
            {
                if (Array.BinarySearch(FormalSyms!, key) < 0)
                    throw Error($"function '{DisplayName}' called with unexpected argument '{cx.Symbols.Text(key)}'");
            }
        }
        if (AtSlot >= 0) env[AtSlot] = forced;
        return RunBody(cx, Body, env);
    }

    /// <summary>
    /// Applies a closure of a chain level to <paramref name="args"/> (at least the levels it still
    /// lacks): fills the shared environment in one go and runs the body; returns how many
    /// arguments it consumed in <paramref name="used"/>. With fewer arguments than levels left it
    /// returns the closure carrying them.
    /// </summary>
    public static Value InvokeMany(EvalContext cx, Closure closure, ReadOnlySpan<Value> args, out int used)
    {
        var code = closure.Code;
        var chain = code.Chain!;
        var missing = chain.Arity - code.Level;
        if (args.Length < missing)
        {
            used = args.Length;
            return Value.FromClosure(closure.With(chain.Levels[code.Level + args.Length], args));
        }
        used = missing;
        var reuse = chain.ReusesEnv;
        var env = cx.RentEnv(chain.EnvSize, closure.Env);
        closure.CopyBound(env);
        for (var i = 0; i < missing; i++) env[code.Level + i] = args[i];
        var last = chain.Levels[^1];
        cx.Enter();
        Value result;
        try { result = last.RunBody(cx, chain.Body, env); }
        finally
        {
            cx.CallDepth--;
            if (reuse) cx.ReturnEnv(env);
        }
        if (!reuse) cx.ReturnEnvIfFree(env);
        return result;
    }

    // Bodies and defaults are lowered to code (CodeNodes) before any closure of the lambda exists
    // (closures are made by that code), so the IR node fields hold them by the time these run.
    private Value RunBody(EvalContext cx, Node body, Env env)
    {
        // The body's loop runs here directly (one frame less per call); the filter positions its
        // errors first, as CodeNode.Eval's would, then adds this call's trace frame.
        var unit = Unsafe.As<Bytecode.CodeNode>(body);
        var at = 0;
        try
        {
            return Bytecode.Vm.Run(unit, cx, env, ref at);
        }
        catch (NixEvalException e) when (unit.Chunk.Annotate(e, unit.Entry + at) || (e.WantsTrace && e.Traced($"while calling '{DisplayName}'", Source, Span))) { throw; }
    }
}

/// <summary>
/// What running a lambda's body does besides allocating, as far as the compiler can tell from its
/// shape. <see cref="EvalContext.CallLazy(Value, Value)"/> and <c>CallLazy2</c> (per element of
/// <c>map</c>, <c>mapAttrs</c>, <c>zipAttrsWith</c>, …) use it to make such a call at once and keep
/// its result in a small thunk, instead of a call thunk that holds the function and the arguments
/// until it is forced: <c>n: v: { inherit (d) file; value = v; }</c> or <c>n: vs: vs</c>.
/// </summary>
/// <param name="BuildsOnly">The body only builds a value.</param>
/// <param name="Parameter">The parameter slot the body is, or -1.</param>
/// <param name="CalleeDepth">For a body that calls a variable of an enclosing scope, its depth (at least 1).</param>
/// <param name="CalleeIndex">That variable's slot.</param>
/// <param name="CalleeArguments">How many arguments the body gives it (0: the body is no such call).</param>
internal readonly record struct BodyEffects(bool BuildsOnly, int Parameter, int CalleeDepth = 0, int CalleeIndex = 0, int CalleeArguments = 0)
{
    /// <summary>A body that may evaluate anything.</summary>
    public static readonly BodyEffects Any = new(false, -1);

    /// <summary>
    /// The effects of <paramref name="body"/>, a lambda's body compiled in a scope whose first
    /// <paramref name="parameters"/> slots are the parameters. A set literal with static names
    /// only (its values, like a list literal's items, are made by the lowering's <c>Delayed</c>,
    /// which never forces), a constant or a lambda only build; a parameter is returned as it is; a
    /// call of a variable of an enclosing scope is looked at when the call would be made.
    /// </summary>
    public static BodyEffects Of(Node body, int parameters) => body.Kind switch
    {
        NodeKind.AttrSet => new(NodeKinds.As<AttrSetNode>(body).Dynamics.Length == 0, -1),
        NodeKind.List or NodeKind.Const or NodeKind.Lambda => new(true, -1),
        NodeKind.Local when NodeKinds.As<LocalNode>(body) is { Depth: 0 } l && l.Index < parameters => new(false, l.Index),
        // A call of an outer variable (its arguments are made lazily): without effects when the
        // variable turns out to hold such a function (LambdaNode.AppliesWithoutEffects).
        NodeKind.Apply when NodeKinds.As<ApplyNode>(body).Function is LocalNode { Depth: > 0 } f => new(false, -1, f.Depth, f.Index, 1),
        NodeKind.ApplyMany when NodeKinds.As<ApplyManyNode>(body) is { Function: LocalNode { Depth: > 0 } f } many => new(false, -1, f.Depth, f.Index, many.Arguments.Length),
        _ => Any,
    };
}
