using Tvix.Eval.Runtime;
using Tvix.Eval.Support.Json;

namespace Tvix.Eval.Builtins;

/// <summary><c>toJSON</c> and <c>fromJSON</c>.</summary>
internal static class SupportJsonBuiltins
{
    public static void Register(BuiltinRegistry registry)
    {
        registry.Add("toJSON", 1, ToJson);
        registry.Add("fromJSON", 1, FromJson);
    }

    // ------------------------------------------------------------------ fromJSON

    private static Value FromJson(EvalContext cx, ReadOnlySpan<Value> args)
    {
        var text = SupportArgs.StringNoContext(cx, args[0], 0, "fromJSON");
        try
        {
            return NixJsonReader<Value, int, ValueFactory>.Parse(text.Bytes, new ValueFactory(cx));
        }
        catch (NixJsonException e)
        {
            var error = cx.Error(e.Message);
            error.AddTrace("while decoding a JSON string", null, default);
            throw error;
        }
    }

    /// <summary>Builds Nix values straight from the parser; member names become symbols.</summary>
    private readonly struct ValueFactory(EvalContext cx) : INixJsonFactory<Value, int>
    {
        public Value Null() => Value.Null;

        public Value Boolean(bool value) => Value.FromBool(value);

        public Value Integer(long value) => Value.FromInt(value);

        public Value Float(double value) => Value.FromFloat(value);

        public Value String(ReadOnlySpan<byte> utf8) => SupportArgs.Str(utf8);

        public int Key(ReadOnlySpan<byte> utf8) => cx.Symbols.Intern(utf8);

        public Value Array(ReadOnlySpan<Value> items) => Value.FromList(items.IsEmpty ? NixList.Empty : new NixList(items.ToArray()));

        public Value Object(ReadOnlySpan<int> keys, ReadOnlySpan<Value> values) =>
            Value.FromAttrs(keys.IsEmpty ? cx.EmptyAttrs : AttrsFromMembers(cx, keys, values));
    }

    /// <summary>
    /// An attribute set from members in document order: sorted by symbol, and of duplicate names
    /// the last one wins, as in Nix. Each member is sorted as (symbol, position) packed in one
    /// long, so the sort needs no comparer and keeps duplicates in document order.
    /// </summary>
    private static NixAttrs AttrsFromMembers(EvalContext cx, ReadOnlySpan<int> keys, ReadOnlySpan<Value> values)
    {
        var n = keys.Length;
        long[]? rented = null;
        var order = n <= 64 ? stackalloc long[n] : (rented = System.Buffers.ArrayPool<long>.Shared.Rent(n)).AsSpan(0, n);
        try
        {
            var sorted = true;
            for (var i = 0; i < n; i++)
            {
                order[i] = ((long)keys[i] << 32) | (uint)i;
                if (i > 0 && keys[i] <= keys[i - 1]) sorted = false;
            }
            if (sorted) return new NixAttrs(cx.Symbols, keys.ToArray(), values.ToArray());
            order.Sort();
            var distinct = 1;
            for (var i = 1; i < n; i++)
                if ((int)(order[i] >> 32) != (int)(order[i - 1] >> 32)) distinct++;
            var outKeys = new int[distinct];
            var outValues = new Value[distinct];
            var m = -1;
            for (var i = 0; i < n; i++)
            {
                var key = (int)(order[i] >> 32);
                if (m < 0 || outKeys[m] != key) m++;
                // A later duplicate sorts after an earlier one and overwrites it.
                outKeys[m] = key;
                outValues[m] = values[(int)(uint)order[i]];
            }
            return new NixAttrs(cx.Symbols, outKeys, outValues);
        }
        finally
        {
            if (rented != null) System.Buffers.ArrayPool<long>.Shared.Return(rented);
        }
    }

    // ------------------------------------------------------------------ toJSON

    /// <summary>
    /// Forces the value deeply and writes it as JSON; the result carries the context of every
    /// string written (and of paths, which are copied to the store when the host can).
    /// </summary>
    private static Value ToJson(EvalContext cx, ReadOnlySpan<Value> args)
    {
        using var writer = new NixJsonWriter();
        var state = new JsonState();
        Write(cx, args[0], writer, state);
        if (state.Utf8Error != null) throw cx.Error("JSON serialization error: " + state.Utf8Error.Message);
        return Value.FromString(new NixString(writer.ToArray(), state.Context.Build()));
    }

    private static void Write(EvalContext cx, Value v, NixJsonWriter w, JsonState state)
    {
        if (!cx.HasStack()) throw cx.StackOverflow();
        v = cx.Force(v);
        switch (v.Kind)
        {
            case ValueKind.Null:
                w.WriteNull();
                return;
            case ValueKind.Bool:
                w.WriteBoolean(v.RawBool);
                return;
            case ValueKind.Int:
                w.WriteInteger(v.RawInt);
                return;
            case ValueKind.Float:
                w.WriteFloat(v.RawFloat);
                return;
            case ValueKind.String:
                WriteString(w, v.RawString, state);
                return;
            case ValueKind.Path:
                // Nix copies the path to the store and writes the store path (with its context).
                WriteString(w, cx.CoerceToString(v, StringCoercion.Interpolation), state);
                return;
            case ValueKind.List:
            {
                var items = v.RawList.Items;
                w.StartArray();
                for (var i = 0; i < items.Length; i++)
                {
                    if (i > 0) w.WriteSeparator();
                    try
                    {
                        Write(cx, items[i], w, state);
                    }
                    catch (NixEvalException e)
                    {
                        e.AddTrace($"while evaluating list element at index {i}", null, default);
                        throw;
                    }
                }
                w.EndArray();
                return;
            }
            case ValueKind.Attrs:
                WriteAttrs(cx, v, w, state);
                return;
            default:
                throw cx.Error($"cannot convert {TypeNames.Describe(v)} to JSON");
        }
    }

    private static void WriteAttrs(EvalContext cx, Value v, NixJsonWriter w, JsonState state)
    {
        var attrs = v.RawAttrs;
        if (attrs.TryGet(cx.SymToString, out var toString))
        {
            WriteString(w, ToStringResult(cx, v, toString), state);
            return;
        }
        if (attrs.TryGet(cx.SymOutPath, out var outPath))
        {
            Write(cx, outPath, w, state);
            return;
        }
        w.StartObject();
        // Small sets are ordered on the stack: caching an order array in every set serialised
        // once (most of them) would cost an allocation and a delegate sort each.
        Span<int> small = stackalloc int[SmallSet];
        ReadOnlySpan<int> order = attrs.Count <= SmallSet ? ByteOrder(attrs, small[..attrs.Count]) : attrs.ByteOrder();
        for (var i = 0; i < order.Length; i++)
        {
            if (i > 0) w.WriteSeparator();
            var sym = attrs.Keys[order[i]];
            WriteChecked(w, attrs.Symbols.Bytes(sym), state, name: true);
            try
            {
                Write(cx, attrs.Values[order[i]], w, state);
            }
            catch (NixEvalException e)
            {
                e.AddTrace($"while evaluating attribute '{attrs.Symbols.Text(sym)}'", null, default);
                throw;
            }
        }
        w.EndObject();
    }

    private const int SmallSet = 16;

    /// <summary>Indices of the attributes ordered by their names' bytes (insertion sort: the sets are small).</summary>
    private static ReadOnlySpan<int> ByteOrder(NixAttrs attrs, Span<int> order)
    {
        for (var i = 0; i < order.Length; i++) order[i] = i;
        NixAttrs.InsertionSortByBytes(attrs.Symbols, attrs.Keys, order);
        return order;
    }

    /// <summary>The string a set's <c>__toString</c> returns; anything but a string (or a path) is an error.</summary>
    private static NixString ToStringResult(EvalContext cx, Value set, Value toString)
    {
        var result = cx.Force(cx.Call(toString, set));
        return result.Kind switch
        {
            ValueKind.String => result.RawString,
            ValueKind.Path => NixString.FromUtf8(result.RawPath),
            ValueKind.Attrs => cx.CoerceToString(result, StringCoercion.NoCopy),
            _ => throw cx.Error($"`__toString` should return a string, but got {TypeNames.Describe(result)}: {cx.PrintForError(result)}"),
        };
    }

    private static void WriteString(NixJsonWriter w, NixString s, JsonState state)
    {
        state.Context.Add(s.Context);
        WriteChecked(w, s.Bytes, state, name: false);
    }

    /// <summary>Writes a string or member name, keeping the first UTF-8 error for the end (Nix finds it when dumping).</summary>
    private static void WriteChecked(NixJsonWriter w, ReadOnlySpan<byte> bytes, JsonState state, bool name)
    {
        if (state.Utf8Error == null)
        {
            try
            {
                NixJsonWriter.ValidateUtf8(bytes);
            }
            catch (NixJsonException e)
            {
                state.Utf8Error = e;
            }
        }
        w.WriteStringUnchecked(bytes);
        if (name) w.WriteNameSeparator();
    }

    /// <summary>What a toJSON call accumulates besides the text.</summary>
    private sealed class JsonState
    {
        public ContextAccumulator Context;
        public NixJsonException? Utf8Error;
    }
}
