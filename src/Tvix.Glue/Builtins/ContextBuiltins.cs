using System.Buffers;
using Tvix.Eval;

namespace Tvix.Glue.Builtins;

/// <summary>
/// Replacements for two Tvix.Eval builtins, until Eval has the same behaviour itself:
/// <c>getContext</c> coerces its argument like an interpolation, as Tvix (and newer Nix) do, so a
/// derivation set gives its <c>outPath</c>'s context (Eval's accepts only strings); and
/// <c>concatStringsSep</c> gathers the contexts in one set instead of merging sorted arrays
/// element by element, which is quadratic when thousands of <c>drvPath</c>s are joined.
/// </summary>
internal static class ContextBuiltins
{
    public static void Register(BuiltinRegistry registry)
    {
        registry.Add("getContext", 1, static (cx, a) => GetContext(cx, cx.CoerceToString(a[0], StringCoercion.Interpolation)));
        registry.Add("concatStringsSep", 2, static (cx, a) => ConcatStringsSep(cx, a[0], a[1]));
    }

    private static Value ConcatStringsSep(EvalContext cx, Value separatorValue, Value listValue)
    {
        var separator = cx.ForceString(separatorValue);
        var items = cx.ForceList(listValue).AsSpan();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        NixContext? single = separator.Context;
        ContextSet? many = null;
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0) buffer.Write(separator.Bytes);
            var s = cx.CoerceToString(items[i], StringCoercion.Interpolation);
            buffer.Write(s.Bytes);
            if (s.Context is not { } context || ReferenceEquals(context, single)) continue;
            if (single is null && many is null) { single = context; continue; }
            if (many is null)
            {
                many = new ContextSet();
                foreach (var e in single!.Elements) many.Add(e);
            }
            foreach (var e in context.Elements) many.Add(e);
        }
        NixContext? result = single;
        if (many != null)
        {
            var elements = new List<string>(many.Count);
            foreach (var e in many) elements.Add(e);
            result = NixContext.Of(elements);
        }
        return Value.FromString(new NixString(buffer.WrittenSpan.ToArray(), result));
    }

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
