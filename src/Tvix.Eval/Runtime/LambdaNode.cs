using Tvix.Eval.Syntax;

namespace Tvix.Eval.Runtime;

/// <summary>A formal of a pattern lambda: its symbol, slot and optional default, and where its name is (for <c>functionArgs</c>' positions).</summary>
internal sealed record FormalInfo(int Sym, string Name, Node? Default, int Offset);

/// <summary>
/// A lambda. Its environment has one slot per formal (or one for a plain parameter), then
/// one for the <c>@</c> name. Evaluating the node makes a closure over the current environment.
/// </summary>
internal sealed class LambdaNode(SourceText source, TextSpan span) : Node(source, span)
{
    public Node Body = null!;
    public int EnvSize;
    public string? Name;
    /// <summary>Null for <c>x: …</c>; the formals sorted by symbol for a pattern.</summary>
    public FormalInfo[]? Formals;
    public int[]? FormalSyms;
    public bool HasEllipsis;
    public int AtSlot = -1;
    public string? ParamName;

    public string DisplayName => Name is null ? "anonymous lambda" : Name;

    public override Value Eval(EvalContext cx, Env env) => Value.FromClosure(new Closure(this, env));

    public override Value Delay(EvalContext cx, Env env) => Value.FromClosure(new Closure(this, env));

    public Value Invoke(EvalContext cx, Env closureEnv, Value arg)
    {
        var env = new Env(EnvSize, closureEnv);
        var formals = Formals;
        if (formals is null)
        {
            env[0] = arg;
            try { return Body.Eval(cx, env); }
            catch (NixEvalException e) when (e.WantsTrace && e.Traced($"while calling '{DisplayName}'", Source, Span)) { throw; }
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
            else if (f.Default is not null) env[i] = f.Default.Delay(cx, env);
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
        try { return Body.Eval(cx, env); }
        catch (NixEvalException e) when (e.WantsTrace && e.Traced($"while calling '{DisplayName}'", Source, Span)) { throw; }
    }
}
