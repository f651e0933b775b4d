using System.Text;
using Tvix.Eval.Support;
using Tvix.Eval.Runtime;

namespace Tvix.Eval.Builtins;

// String and string-context builtins.
internal static partial class BuiltinCatalog
{
    /// <summary>
    /// What <c>substring start len s</c> takes of <c>s</c>: forces the start and the length and
    /// coerces the string, in Nix's order, and checks the start; the result is the string and the
    /// bytes from <paramref name="start"/> to <paramref name="end"/> (both at most its length).
    /// Shared by the builtin and <c>substring … == …</c>, which compares without making the substring.
    /// </summary>
    internal static NixString SubstringBounds(EvalContext cx, Value startValue, Value lengthValue, Value stringValue, out int start, out int end)
    {
        var from = cx.ForceInt(startValue);
        var len = cx.ForceInt(lengthValue);
        var s = cx.CoerceToString(stringValue, StringCoercion.Interpolation);
        if (from < 0) throw cx.Error("negative start position in 'substring'");
        start = (int)Math.Min(from, s.Length);
        end = len < 0 || len > s.Length - start ? s.Length : start + (int)len;
        return s;
    }

    private static void RegisterStrings(BuiltinRegistry r)
    {
        r.AddConsuming("baseNameOf", 1, static (cx, a) =>
        {
            var v = cx.Force(a[0]);
            var s = cx.CoerceToString(v, StringCoercion.NoCopy);
            var bytes = s.Bytes;
            var end = bytes.Length;
            if (end > 0 && bytes[end - 1] == '/') end--;
            var start = bytes[..end].LastIndexOf((byte)'/') + 1;
            return Value.FromString(NixString.Copy(bytes[start..end], s.Context));
        }, global: true);
        r.AddConsuming("dirOf", 1, static (cx, a) =>
        {
            var v = cx.Force(a[0]);
            if (v.Kind == ValueKind.Path) return Value.FromPath(NixPath.DirOf(v.RawPath));
            var s = cx.CoerceToString(v, StringCoercion.NoCopy);
            var bytes = s.Bytes;
            var i = bytes.LastIndexOf((byte)'/');
            var result = i < 0 ? "."u8 : i == 0 ? "/"u8 : bytes[..i];
            return Value.FromString(NixString.Copy(result, s.Context));
        }, global: true);
        r.AddConsuming("concatStringsSep", 2, static (cx, a) => ConcatStringsSep(cx, cx.ForceString(a[0]), cx.ForceList(a[1]).Items));
        r.AddConsuming("replaceStrings", 3, static (cx, a) => ReplaceStrings(cx, a[0], a[1], a[2]));
        r.AddConsuming("stringLength", 1, static (cx, a) => Value.FromInt(cx.CoerceToString(a[0], StringCoercion.Interpolation).Length));
        r.AddConsuming("substring", 3, static (cx, a) =>
        {
            var s = SubstringBounds(cx, a[0], a[1], a[2], out var start, out var end);
            if (start >= s.Length) return Value.FromString(s.Context is null ? NixString.Empty : new NixString([], s.Context));
            if (start == 0 && end == s.Length) return Value.FromString(s);
            if (end - start == 1 && s.Context is null) return Value.FromString(NixString.OfByte(s.Bytes[start]));
            return Value.FromString(NixString.Copy(s.Bytes[start..end], s.Context));
        });
        r.AddConsuming("toString", 1, static (cx, a) => Value.FromString(cx.CoerceToString(a[0], StringCoercion.ToString)), global: true);
    }

    /// <summary>
    /// <c>concatStringsSep</c>, built in one array of the final size. A first pass coerces every
    /// item once, in order (forcing it, calling <c>__toString</c>, …) and sums the lengths; the
    /// second copies. Items that already are strings are read again from their (now evaluated)
    /// slots, so only the results of real coercions need keeping in between.
    /// </summary>
    private static Value ConcatStringsSep(EvalContext cx, NixString separator, Value[] items)
    {
        if (items.Length == 0) return Value.FromString(separator.Context is null ? NixString.Empty : new NixString([], separator.Context));
        var sep = separator.Bytes;
        long total = (long)sep.Length * (items.Length - 1);
        var ctx = new ContextAccumulator(separator.Context);
        List<NixString>? coerced = null;
        NixString? first = null;
        for (var i = 0; i < items.Length; i++)
        {
            var v = cx.ForceInPlace(ref items[i]);
            NixString s;
            if (v.Kind == ValueKind.String) s = v.RawString;
            else (coerced ??= []).Add(s = cx.CoerceToString(v, StringCoercion.Interpolation));
            first ??= s;
            total += s.Length;
            ctx.Add(s.Context);
        }
        var context = ctx.Build();
        if (items.Length == 1 && ReferenceEquals(context, first!.Context)) return Value.FromString(first);
        if (total == 0) return Value.FromString(context is null ? NixString.Empty : new NixString([], context));
        if (total > Array.MaxLength) throw cx.Error("string too long (more than 2 GiB)");
        // A short result (digits joined by "", a word and a suffix) is kept inline, without an array.
        var bytes = total <= NixString.InlineCapacity ? null : PooledByteWriter.NewArray((int)total);
        var span = bytes is null ? stackalloc byte[NixString.InlineCapacity] : bytes.AsSpan();
        var at = 0;
        var next = 0;
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0)
            {
                sep.CopyTo(span[at..]);
                at += sep.Length;
            }
            var v = cx.Force(items[i]);
            var part = v.Kind == ValueKind.String ? v.RawString.Bytes : coerced![next++].Bytes;
            part.CopyTo(span[at..]);
            at += part.Length;
        }
        return Value.FromString(bytes is null ? NixString.Copy(span[..at], context) : new NixString(bytes, context));
    }

    /// <summary>
    /// <c>replaceStrings from to s</c>: at each position the first pattern (in list order) that
    /// matches is replaced and scanning goes on after it; an empty pattern matches everywhere
    /// and then one byte is kept. Replacements are forced only when their pattern matches,
    /// as in current Nix.
    /// </summary>
    private static Value ReplaceStrings(EvalContext cx, Value fromArg, Value toArg, Value subject)
    {
        var from = cx.ForceList(fromArg);
        var to = cx.ForceList(toArg);
        if (from.Count != to.Count) throw cx.Error("'from' and 'to' arguments passed to builtins.replaceStrings have different lengths");
        var froms = new NixString[from.Count];
        var hasEmpty = false;
        for (var i = 0; i < froms.Length; i++)
        {
            froms[i] = cx.ForceString(from.Items[i]);
            hasEmpty |= froms[i].Length == 0;
        }
        var s = cx.ForceString(subject);
        if (froms.Length == 0) return Value.FromString(s);
        var tos = new NixString?[to.Count];
        var ctx = new ContextAccumulator(s.Context);
        var bytes = s.Bytes;
        var buf = new ChunkedByteWriter(bytes.Length + 16);
        try
        {
            if (hasEmpty) ReplaceEverywhere(cx, bytes, froms, to, tos, ref buf, ref ctx);
            else if (!ReplaceAtCandidates(cx, bytes, froms, to, tos, ref buf, ref ctx)) return Value.FromString(s);
            return Value.FromString(new NixString(buf.ToArray(), ctx.Build()));
        }
        finally
        {
            buf.Dispose();
        }
    }

    /// <summary>
    /// Without an empty pattern a match can only start at a byte that starts some pattern, so the
    /// runs between such bytes are copied in one go. Returns false when nothing was replaced.
    /// </summary>
    /// <remarks>
    /// The scan is a plain loop over a 256-entry table rather than <c>IndexOfAny</c>: in real text
    /// the first bytes of the patterns are frequent (letters, '.', ','), so the vectorised search
    /// is restarted every few bytes, and its generic helpers are not precompiled (they run as
    /// unoptimised code until tiered up).
    /// </remarks>
    private static bool ReplaceAtCandidates(EvalContext cx, ReadOnlySpan<byte> bytes, NixString[] froms, NixList to, NixString?[] tos,
        ref ChunkedByteWriter buf, ref ContextAccumulator ctx)
    {
        // For each byte, 1 + the index of the first pattern starting with it (0: none); patterns
        // with the same first byte are tried in list order from there.
        Span<int> firstPattern = stackalloc int[256];
        firstPattern.Clear();
        for (var j = froms.Length - 1; j >= 0; j--) firstPattern[froms[j].Bytes[0]] = j + 1;
        // bytes[..copied] has been dealt with: written to buf once the first match was found.
        var copied = 0;
        var p = 0;
        var n = bytes.Length;
        while (p < n)
        {
            var b = bytes[p];
            var j = firstPattern[b] - 1;
            if (j < 0)
            {
                p++;
                continue;
            }
            var rest = bytes[p..];
            for (; j < froms.Length; j++)
            {
                var f = froms[j].Bytes;
                if (f[0] == b && rest.StartsWith(f)) break;
            }
            if (j == froms.Length)
            {
                p++;
                continue;
            }
            buf.Write(bytes[copied..p]);
            var t = tos[j] ??= cx.ForceString(to.Items[j]);
            buf.Write(t.Bytes);
            ctx.Add(t.Context);
            p += froms[j].Length;
            copied = p;
        }
        if (copied == 0) return false;
        buf.Write(bytes[copied..]);
        return true;
    }

    /// <summary>The general rule, position by position (some pattern is empty, so every position matches).</summary>
    private static void ReplaceEverywhere(EvalContext cx, ReadOnlySpan<byte> bytes, NixString[] froms, NixList to, NixString?[] tos,
        ref ChunkedByteWriter buf, ref ContextAccumulator ctx)
    {
        for (var p = 0; p <= bytes.Length;)
        {
            var found = false;
            for (var j = 0; j < froms.Length; j++)
            {
                var f = froms[j].Bytes;
                if (!bytes[p..].StartsWith(f)) continue;
                found = true;
                var t = tos[j] ??= cx.ForceString(to.Items[j]);
                buf.Write(t.Bytes);
                ctx.Add(t.Context);
                if (f.Length == 0)
                {
                    if (p < bytes.Length) buf.Write(bytes[p]);
                    p++;
                }
                else p += f.Length;
                break;
            }
            if (!found)
            {
                if (p < bytes.Length) buf.Write(bytes[p]);
                p++;
            }
        }
    }

    private static void RegisterContexts(BuiltinRegistry r)
    {
        r.Add("hasContext", 1, static (cx, a) => Value.FromBool(cx.ForceString(a[0]).HasContext));
        r.Add("unsafeDiscardStringContext", 1, static (cx, a) =>
        {
            var s = cx.CoerceToString(a[0], StringCoercion.Interpolation);
            return Value.FromString(s.HasContext ? s.WithContext(null) : s);
        });
        r.Add("unsafeDiscardOutputDependency", 1, static (cx, a) =>
        {
            var s = cx.CoerceToString(a[0], StringCoercion.Interpolation);
            if (s.Context is null) return Value.FromString(s);
            var elems = new List<string>();
            foreach (var e in s.Context.Elements) elems.Add(e.StartsWith('=') ? e[1..] : e);
            return Value.FromString(s.WithContext(NixContext.Of(elems)));
        });
        r.Add("addDrvOutputDependencies", 1, static (cx, a) =>
        {
            var s = cx.CoerceToString(a[0], StringCoercion.Interpolation);
            var elems = s.Context?.Elements ?? [];
            if (elems.Count != 1)
                throw cx.Error($"context of string '{s}' must have exactly one element, but has {elems.Count}");
            var e = elems[0];
            if (e.StartsWith('=')) return Value.FromString(s);
            if (e.StartsWith('!'))
                throw cx.Error($"`addDrvOutputDependencies` can only act on derivations, not on a derivation output such as '{e[1..e.IndexOf('!', 1)]}'");
            if (!e.EndsWith(".drv", StringComparison.Ordinal))
                throw cx.Error($"path '{e}' is not a derivation");
            return Value.FromString(s.WithContext(NixContext.Of("=" + e)));
        });
        r.Add("getContext", 1, static (cx, a) =>
        {
            // Like Tvix (and the ecosystem code relying on it, e.g. `getContext drv`), a set is
            // coerced through `__toString`/`outPath` and a path as in an interpolation; C++ Nix
            // accepts only strings. Other types are rejected with Nix's wording.
            var v = cx.Force(a[0]);
            var s = v.Kind switch
            {
                ValueKind.String => v.RawString,
                ValueKind.Attrs or ValueKind.Path => cx.CoerceToString(v, StringCoercion.Interpolation),
                _ => throw cx.TypeError("a string", v),
            };
            var byPath = new SortedDictionary<string, (bool Path, bool All, List<string> Outputs)>(StringComparer.Ordinal);
            foreach (var e in s.Context?.Elements ?? [])
            {
                string path;
                if (e.StartsWith('=')) path = e[1..];
                else if (e.StartsWith('!')) path = e[(e.IndexOf('!', 1) + 1)..];
                else path = e;
                if (!byPath.TryGetValue(path, out var info)) info = (false, false, []);
                if (e.StartsWith('=')) info.All = true;
                else if (e.StartsWith('!')) info.Outputs.Add(e[1..e.IndexOf('!', 1)]);
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
                    inner.Add("outputs", Value.FromList(new NixList(info.Outputs.ConvertAll(Value.FromString).ToArray())));
                }
                if (info.Path) inner.Add("path", Value.True);
                builder.Add(path, Value.FromAttrs(inner.Build()));
            }
            return Value.FromAttrs(builder.Build());
        });
        r.Add("appendContext", 2, static (cx, a) =>
        {
            var s = cx.ForceString(a[0]);
            var ctx = cx.ForceAttrs(a[1]);
            var elems = new List<string>(s.Context?.Elements ?? []);
            foreach (var (path, v) in ctx.Pairs)
            {
                if (!path.StartsWith(cx.StoreDir + "/", StringComparison.Ordinal))
                    throw cx.Error($"context key '{path}' is not a store path");
                var info = cx.ForceAttrs(v);
                if (info.TryGetValue("path", out var p) && cx.ForceBool(p)) elems.Add(path);
                if (info.TryGetValue("allOutputs", out var all) && cx.ForceBool(all))
                {
                    if (!path.EndsWith(".drv", StringComparison.Ordinal))
                        throw cx.Error($"tried to add all-outputs context of {path}, which is not a derivation, to a string");
                    elems.Add("=" + path);
                }
                if (info.TryGetValue("outputs", out var outs))
                {
                    var list = cx.ForceList(outs);
                    if (list.Count > 0 && !path.EndsWith(".drv", StringComparison.Ordinal))
                        throw cx.Error($"tried to add derivation output context of {path}, which is not a derivation, to a string");
                    foreach (var o in list.Items) elems.Add("!" + cx.ForceString(o) + "!" + path);
                }
            }
            return Value.FromString(s.WithContext(NixContext.Of(elems)));
        });
    }
}
