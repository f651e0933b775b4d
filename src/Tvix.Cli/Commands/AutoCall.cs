using System.Text;
using Tvix.Eval;

namespace Tvix.Cli.Commands;

/// <summary>Nix's <c>autoCallFunction</c> and <c>-A</c> attribute-path selection, shared by <c>tvix eval</c> and <c>tvix instantiate</c>.</summary>
internal static class AutoCall
{
    /// <summary>The <c>--arg</c> (lazily evaluated expressions) and <c>--argstr</c> values as an attribute set.</summary>
    public static NixAttrs BuildArguments(EvalContext cx, EvalArguments args, WorkingDirectory cwd)
    {
        var builder = cx.CreateAttrsBuilder(args.AutoArgs.Count);
        foreach (var (name, value, isString) in args.AutoArgs)
            builder.Add(name, isString ? Value.FromString(value) : cx.LoadExpressionLazily(value, cwd.Path));
        return builder.Build();
    }

    /// <summary>Calls a top-level function with the <c>--arg</c>/<c>--argstr</c> values it declares.</summary>
    public static Value Apply(EvalContext cx, Value v, NixAttrs autoArgs)
    {
        v = cx.Force(v);
        if (v.Kind == ValueKind.Attrs && v.AsAttrs.TryGetValue("__functor", out var functor))
            return Apply(cx, cx.Call(functor, v), autoArgs);
        if (v.Kind != ValueKind.Lambda) return v;
        var formals = cx.GetFormals(v);
        if (formals is null) return v;
        var builder = cx.CreateAttrsBuilder();
        if (formals.HasEllipsis)
        {
            foreach (var (name, value) in autoArgs.Pairs) builder.Add(name, value);
        }
        else
        {
            foreach (var (name, hasDefault) in formals.Formals)
            {
                if (autoArgs.TryGetValue(name, out var value)) builder.Add(name, value);
                else if (!hasDefault)
                    throw new NixEvalException($"cannot evaluate a function that has an argument without a value ('{name}')\n       Nix attempted to evaluate a function as a top level expression; in this case it must have its arguments supplied either by default values, or passed explicitly with '--arg' or '--argstr'. See https://nixos.org/manual/nix/stable/language/constructs.html#functions.");
            }
        }
        return cx.Call(v, Value.FromAttrs(builder.Build()));
    }

    /// <summary>Follows an attribute path (<c>a.b."c.d".0</c>), auto-calling functions on the way.</summary>
    public static Value Select(EvalContext cx, Value v, string path, NixAttrs autoArgs)
    {
        foreach (var part in Split(path))
        {
            v = Apply(cx, v, autoArgs);
            if (long.TryParse(part, out var index) && v.Kind == ValueKind.List)
            {
                var list = v.AsList;
                if (index < 0 || index >= list.Count) throw new NixEvalException($"list index {index} in selection path '{path}' is out of range");
                v = cx.Force(list[(int)index]);
                continue;
            }
            if (v.Kind != ValueKind.Attrs)
                throw new NixEvalException($"the expression selected by the selection path '{path}' should be a set but is {EvalContext.DescribeType(v)}");
            if (!v.AsAttrs.TryGetValue(part, out var next))
                throw new NixEvalException($"attribute '{part}' in selection path '{path}' not found");
            v = cx.Force(next);
        }
        return v;
    }

    private static List<string> Split(string path)
    {
        var parts = new List<string>();
        var sb = new StringBuilder();
        var quoted = false;
        foreach (var c in path)
        {
            if (c == '"') { quoted = !quoted; continue; }
            if (c == '.' && !quoted) { parts.Add(sb.ToString()); sb.Clear(); continue; }
            sb.Append(c);
        }
        if (sb.Length > 0 || path.Length == 0) parts.Add(sb.ToString());
        return parts;
    }
}
