using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Tvix.Eval;
using Tvix.Glue.Import;
using Tvix.NixCompat;

namespace Tvix.Glue.Builtins;

/// <summary>
/// How <c>derivationStrict</c> turns attribute values into bytes: Nix's <c>coerceToString</c>
/// with "coerce more" and "copy to store" (environment variables and arguments), and
/// <c>printValueAsJSON</c> with "copy to store" (structured attributes).
/// </summary>
internal static class DerivationCoercion
{
    private static readonly byte[] One = "1"u8.ToArray();

    /// <summary>
    /// Coerces <paramref name="v"/> to the bytes of an environment variable or argument. A string
    /// (the usual case) shares its bytes — Nix strings are immutable — instead of copying them;
    /// anything else, and a short string, is coerced into <paramref name="scratch"/> and copied
    /// into its arena: valid while the derivation being made refers to it.
    /// </summary>
    public static ByteString CoerceToBytes(EvalContext cx, GlueState state, Value v, PooledByteWriter buffer, DerivationScratch scratch)
    {
        v = cx.Force(v);
        if (v.Kind == ValueKind.String)
        {
            var s = v.AsString;
            scratch.Context.Add(s);
            // A short string may live inside its object, where sharing would need a copy anyway.
            return s.Length <= ShortString ? scratch.Bytes.Copy(s.Bytes) : Share(s);
        }
        buffer.Reset();
        CoerceMore(cx, state, v, buffer, scratch.Context);
        // null, false and empty lists give nothing, true "1": shared instead of copied.
        if (buffer.WrittenCount == 0) return ByteString.Empty;
        if (buffer.WrittenSpan.SequenceEqual(One)) return new ByteString(One);
        return scratch.Bytes.Copy(buffer.WrittenSpan);
    }

    /// <summary>Strings up to this length are copied into the arena rather than shared.</summary>
    private const int ShortString = 16;

    /// <summary>The bytes of a Nix string as a byte string, without a copy when the string's bytes are in an array.</summary>
    public static ByteString Share(NixString s) =>
        MemoryMarshal.TryGetArray(s.Memory, out var segment)
            ? new ByteString(segment.Array!, segment.Offset, segment.Count)
            : ByteString.CopyFrom(s.Bytes);

    /// <summary>Coerces <paramref name="v"/> into <paramref name="output"/>, collecting its context.</summary>
    public static void CoerceMore(EvalContext cx, GlueState state, Value v, PooledByteWriter output, ContextSet context)
    {
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw cx.Error("stack overflow; max-call-depth exceeded");
        v = cx.Force(v);
        switch (v.Kind)
        {
            case ValueKind.String:
            {
                var s = v.AsString;
                output.Write(s.Bytes);
                context.Add(s);
                return;
            }
            case ValueKind.Path:
            {
                var s = PathImporter.CopyPathToStore(state, v.AsPath);
                output.Write(s.Bytes);
                context.Add(s);
                return;
            }
            case ValueKind.Attrs:
            {
                var attrs = v.AsAttrs;
                if (attrs.TryGetValue("__toString"u8, out var toString))
                {
                    CoerceMore(cx, state, cx.Call(toString, v), output, context);
                    return;
                }
                if (attrs.TryGetValue("outPath"u8, out var outPath))
                {
                    CoerceMore(cx, state, outPath, output, context);
                    return;
                }
                break;
            }
            case ValueKind.Null:
                return;
            case ValueKind.Bool:
                if (v.AsBool) output.Write(One);
                return;
            case ValueKind.Int:
            {
                // Formatted in place: an index or a version number per derivation, no string.
                v.AsInt.TryFormat(output.GetSpan(20), out var written, default, CultureInfo.InvariantCulture);
                output.Advance(written);
                return;
            }
            case ValueKind.Float:
                WriteAscii(output, CFloat.ToStdString(v.AsFloat));
                return;
            case ValueKind.List:
            {
                var items = v.AsList.AsSpan();
                for (var i = 0; i < items.Length; i++)
                {
                    CoerceMore(cx, state, items[i], output, context);
                    if (i < items.Length - 1)
                    {
                        // Nix's (admittedly odd) rule: no separator after an empty list.
                        var item = cx.Force(items[i]);
                        if (item.Kind != ValueKind.List || item.AsList.Count != 0) output.Write(" "u8);
                    }
                }
                return;
            }
        }
        // What is left (a set without `outPath` or `__toString`, a function) cannot be coerced:
        // the evaluator's own coercion reports it, with the value, as Nix does.
        cx.CoerceToString(v, StringCoercion.ToString);
        throw cx.Error($"cannot coerce {EvalContext.DescribeType(v)} to a string");
    }

    /// <summary>How deep structured attributes may nest (Nix's default <c>max-call-depth</c>, which newer Nix applies here).</summary>
    private const int MaxJsonDepth = 10000;

    /// <summary>Writes <paramref name="v"/> as the JSON of <c>__structuredAttrs</c> (Nix 2.8's JSON writer).</summary>
    public static void WriteJson(EvalContext cx, GlueState state, Value v, PooledByteWriter output, ContextSet context) =>
        WriteJson(cx, state, v, output, context, 0);

    private static void WriteJson(EvalContext cx, GlueState state, Value v, PooledByteWriter output, ContextSet context, int depth)
    {
        if (depth > MaxJsonDepth || !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw cx.Error("stack overflow; max-call-depth exceeded");
        v = cx.Force(v);
        switch (v.Kind)
        {
            case ValueKind.Int:
                WriteAscii(output, v.AsInt.ToString(CultureInfo.InvariantCulture));
                return;
            case ValueKind.Float:
                WriteAscii(output, CFloat.ToG6(v.AsFloat));
                return;
            case ValueKind.Bool:
                output.Write(v.AsBool ? "true"u8 : "false"u8);
                return;
            case ValueKind.Null:
                output.Write("null"u8);
                return;
            case ValueKind.String:
            {
                var s = v.AsString;
                context.Add(s);
                WriteJsonString(output, s.Bytes);
                return;
            }
            case ValueKind.Path:
            {
                var s = PathImporter.CopyPathToStore(state, v.AsPath);
                context.Add(s);
                WriteJsonString(output, s.Bytes);
                return;
            }
            case ValueKind.List:
            {
                output.Write("["u8);
                var items = v.AsList.AsSpan();
                for (var i = 0; i < items.Length; i++)
                {
                    if (i > 0) output.Write(","u8);
                    WriteJson(cx, state, items[i], output, context, depth + 1);
                }
                output.Write("]"u8);
                return;
            }
            case ValueKind.Attrs:
            {
                var attrs = v.AsAttrs;
                if (attrs.TryGetValue("__toString"u8, out _))
                {
                    // tryAttrsToString: coerced without copying paths, context kept.
                    var s = cx.CoerceToString(v, StringCoercion.NoCopy);
                    context.Add(s);
                    WriteJsonString(output, s.Bytes);
                    return;
                }
                if (attrs.TryGetValue("outPath"u8, out var outPath))
                {
                    WriteJson(cx, state, outPath, output, context, depth + 1);
                    return;
                }
                output.Write("{"u8);
                var first = true;
                foreach (var pair in attrs.Pairs)
                {
                    if (!first) output.Write(","u8);
                    first = false;
                    WriteJsonString(output, Encoding.UTF8.GetBytes(pair.Key));
                    output.Write(":"u8);
                    WriteJson(cx, state, pair.Value, output, context, depth + 1);
                }
                output.Write("}"u8);
                return;
            }
        }
        throw cx.Error($"cannot convert {EvalContext.DescribeType(v)} to JSON");
    }

    /// <summary>Nix 2.8's JSON string escaping: quote, backslash, \n \r \t, other controls as \u00XX; other bytes raw.</summary>
    public static void WriteJsonString(PooledByteWriter output, ReadOnlySpan<byte> s)
    {
        output.Write("\""u8);
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var b = s[i];
            if (b >= 32 && b != '"' && b != '\\') continue;
            output.Write(s[start..i]);
            start = i + 1;
            switch (b)
            {
                case (byte)'"': output.Write("\\\""u8); break;
                case (byte)'\\': output.Write("\\\\"u8); break;
                case (byte)'\n': output.Write("\\n"u8); break;
                case (byte)'\r': output.Write("\\r"u8); break;
                case (byte)'\t': output.Write("\\t"u8); break;
                default:
                    WriteAscii(output, "\\u00" + ((int)b).ToString("x2", CultureInfo.InvariantCulture));
                    break;
            }
        }
        output.Write(s[start..]);
        output.Write("\""u8);
    }

    private static void WriteAscii(PooledByteWriter output, string s)
    {
        var span = output.GetSpan(s.Length);
        for (var i = 0; i < s.Length; i++) span[i] = (byte)s[i];
        output.Advance(s.Length);
    }
}
