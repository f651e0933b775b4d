using Tvix.Eval.Support.FlakeRefs;

namespace Tvix.Eval.Builtins;

/// <summary><c>parseFlakeRef</c> and <c>flakeRefToString</c> (URL-style references; see <see cref="FlakeRef"/>).</summary>
internal static class SupportFlakeRefBuiltins
{
    public static void Register(BuiltinRegistry registry)
    {
        registry.Add("parseFlakeRef", 1, ParseFlakeRef);
        registry.Add("flakeRefToString", 1, FlakeRefToString);
    }

    private static Value ParseFlakeRef(EvalContext cx, ReadOnlySpan<Value> args)
    {
        var text = SupportArgs.StringNoContext(cx, args[0], 0, "parseFlakeRef").ToString();
        SortedDictionary<string, object> attrs;
        try { attrs = FlakeRef.Parse(text); }
        catch (FlakeRefException e) { throw cx.Error(e.Message); }
        var builder = cx.CreateAttrsBuilder(attrs.Count);
        foreach (var (name, value) in attrs)
        {
            builder.Add(name, value switch
            {
                string s => Value.FromString(s),
                long n => Value.FromInt(n),
                bool b => Value.FromBool(b),
                _ => throw new InvalidOperationException($"unexpected flake attribute value {value.GetType()}"),
            });
        }
        return Value.FromAttrs(builder.Build());
    }

    private static Value FlakeRefToString(EvalContext cx, ReadOnlySpan<Value> args)
    {
        NixAttrs set;
        try { set = cx.ForceAttrs(args[0]); }
        catch (NixEvalException e)
        {
            e.AddTrace(SupportArgs.ArgumentFrame(0, "flakeRefToString"), null, default);
            throw;
        }
        var attrs = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, raw) in set.Pairs)
        {
            var v = cx.Force(raw);
            attrs[name] = v.Kind switch
            {
                // Nix keeps the text and drops any context here.
                ValueKind.String => v.RawString.ToString(),
                ValueKind.Int => v.RawInt >= 0 ? v.RawInt : throw cx.Error($"negative value given for flake ref attr {name}: {v.RawInt}"),
                ValueKind.Bool => v.RawBool,
                _ => throw cx.Error($"flake reference attribute sets may only contain integers, Booleans, and strings, but attribute '{name}' is {EvalContext.DescribeType(v)}"),
            };
        }
        try { return Value.FromString(FlakeRef.Print(attrs)); }
        catch (FlakeRefException e) { throw cx.Error(e.Message); }
    }
}
