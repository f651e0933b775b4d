using Tvix.Eval;

namespace Tvix.Glue.Builtins;

/// <summary>
/// <c>getContext</c> as Tvix (and newer Nix) has it: the argument is coerced like an
/// interpolation, so a derivation set gives its <c>outPath</c>'s context. Tvix.Eval's own
/// version only accepts strings; this replaces it until Eval does the same.
/// </summary>
internal static class ContextBuiltins
{
    public static void Register(BuiltinRegistry registry) =>
        registry.Add("getContext", 1, static (cx, a) => GetContext(cx, cx.CoerceToString(a[0], StringCoercion.Interpolation)));

    private static Value GetContext(EvalContext cx, NixString s)
    {
        var byPath = new SortedDictionary<string, (bool Path, bool All, List<string> Outputs)>(StringComparer.Ordinal);
        foreach (var e in s.Context?.Elements ?? [])
        {
            var path = ContextSet.StripPrefix(e);
            if (!byPath.TryGetValue(path, out var info)) info = (false, false, []);
            if (e[0] == '=') info.All = true;
            else if (e[0] == '!') info.Outputs.Add(e[1..e.IndexOf('!', 1)]);
            else info.Path = true;
            byPath[path] = info;
        }
        var builder = cx.CreateAttrsBuilder(byPath.Count);
        foreach (var (path, info) in byPath)
        {
            var inner = cx.CreateAttrsBuilder(3);
            if (info.All) inner.Add("allOutputs", Value.True);
            if (info.Outputs.Count > 0)
            {
                info.Outputs.Sort(StringComparer.Ordinal);
                var outputs = new Value[info.Outputs.Count];
                for (var i = 0; i < outputs.Length; i++) outputs[i] = Value.FromString(info.Outputs[i]);
                inner.Add("outputs", Value.FromList(new NixList(outputs)));
            }
            if (info.Path) inner.Add("path", Value.True);
            builder.Add(path, Value.FromAttrs(inner.Build()));
        }
        return Value.FromAttrs(builder.Build());
    }
}
