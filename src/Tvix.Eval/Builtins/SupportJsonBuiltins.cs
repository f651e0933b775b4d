using Tvix.Eval.Runtime;
using Tvix.Eval.Support.Json;

namespace Tvix.Eval.Builtins;

/// <summary><c>toJSON</c> and <c>fromJSON</c>.</summary>
internal static class SupportJsonBuiltins
{
    public static void Register(BuiltinRegistry registry, JsonFloatStyle floatStyle)
    {
        registry.Add("toJSON", 1, (cx, args) => ToJson(cx, args, floatStyle));
        registry.Add("fromJSON", 1, FromJson);
    }

    // ------------------------------------------------------------------ fromJSON

    private static Value FromJson(EvalContext cx, ReadOnlySpan<Value> args)
    {
        var text = SupportArgs.StringNoContext(cx, args[0], 0, "fromJSON");
        try
        {
            return NixJsonReader<Value, int, ValueFactory>.Parse(text.Bytes, new ValueFactory(cx, new ObjectLayouts()));
        }
        catch (NixJsonException e)
        {
            var error = cx.Error(e.Message);
            error.AddTrace("while decoding a JSON string", null, default);
            throw error;
        }
    }

    /// <summary>Builds Nix values straight from the parser; member names become symbols.</summary>
    private readonly struct ValueFactory(EvalContext cx, ObjectLayouts layouts) : INixJsonFactory<Value, int>
    {
        public Value Null() => Value.Null;

        public Value Boolean(bool value) => Value.FromBool(value);

        public Value Integer(long value) => Value.FromInt(value);

        public Value Float(double value) => Value.FromFloat(value);

        public Value String(ReadOnlySpan<byte> utf8) => SupportArgs.Str(utf8);

        public int Key(ReadOnlySpan<byte> utf8) => cx.Symbols.Intern(utf8);

        public Value Array(ReadOnlySpan<Value> items) => Value.FromList(items.IsEmpty ? NixList.Empty : new NixList(items.ToArray()));

        public Value Object(ReadOnlySpan<int> keys, ReadOnlySpan<Value> values) =>
            Value.FromAttrs(keys.IsEmpty ? cx.EmptyAttrs : layouts.Build(cx, keys, values));
    }

    /// <summary>
    /// The key layouts of the objects one <c>fromJSON</c> has built recently. A document is
    /// mostly arrays of records with the same members in the same order; for those, the sorted
    /// name array (immutable, so shared by all their sets) and which member fills each slot are
    /// looked up instead of sorted again.
    /// </summary>
    private sealed class ObjectLayouts
    {
        // Made on the first object: most fromJSON calls parse a number or a string.
        private Layout?[]? _recent;

        /// <summary>Members in document order, the sorted distinct names, and the member giving each name's value.</summary>
        private sealed class Layout(int[] memberKeys, int[] sortedKeys, int[] source)
        {
            public readonly int[] MemberKeys = memberKeys;
            public readonly int[] SortedKeys = sortedKeys;
            public readonly int[] Source = source;
        }

        public NixAttrs Build(EvalContext cx, ReadOnlySpan<int> keys, ReadOnlySpan<Value> values)
        {
            var recent = _recent ??= new Layout?[8];
            for (var i = 0; i < recent.Length; i++)
            {
                if (recent[i] is not { } layout || !keys.SequenceEqual(layout.MemberKeys)) continue;
                // Move to the front: the layouts of the records being read stay in the list.
                for (var j = i; j > 0; j--) recent[j] = recent[j - 1];
                recent[0] = layout;
                var outValues = new Value[layout.SortedKeys.Length];
                for (var k = 0; k < outValues.Length; k++) outValues[k] = values[layout.Source[k]];
                return new NixAttrs(cx.Symbols, layout.SortedKeys, outValues);
            }
            var (sortedKeys, source) = SortMembers(keys);
            for (var j = recent.Length - 1; j > 0; j--) recent[j] = recent[j - 1];
            recent[0] = new Layout(keys.ToArray(), sortedKeys, source);
            var result = new Value[sortedKeys.Length];
            for (var k = 0; k < result.Length; k++) result[k] = values[source[k]];
            return new NixAttrs(cx.Symbols, sortedKeys, result);
        }
    }

    /// <summary>
    /// The layout of a set from members in document order: the names sorted by symbol, and for
    /// each the member whose value it gets (of duplicate names the last one wins, as in Nix).
    /// Each member is sorted as (symbol, position) packed in one long, so the sort needs no
    /// comparer and keeps duplicates in document order.
    /// </summary>
    private static (int[] SortedKeys, int[] Source) SortMembers(ReadOnlySpan<int> keys)
    {
        var n = keys.Length;
        long[]? rented = null;
        var order = n <= 64 ? stackalloc long[n] : (rented = System.Buffers.ArrayPool<long>.Shared.Rent(n)).AsSpan(0, n);
        try
        {
            for (var i = 0; i < n; i++) order[i] = ((long)keys[i] << 32) | (uint)i;
            order.Sort();
            var distinct = 1;
            for (var i = 1; i < n; i++)
                if ((int)(order[i] >> 32) != (int)(order[i - 1] >> 32)) distinct++;
            var outKeys = new int[distinct];
            var source = new int[distinct];
            var m = -1;
            for (var i = 0; i < n; i++)
            {
                var key = (int)(order[i] >> 32);
                if (m < 0 || outKeys[m] != key) m++;
                // A later duplicate sorts after an earlier one and overwrites it.
                outKeys[m] = key;
                source[m] = (int)(uint)order[i];
            }
            return (outKeys, source);
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
    private static Value ToJson(EvalContext cx, ReadOnlySpan<Value> args, JsonFloatStyle floatStyle)
    {
        using var writer = new NixJsonWriter(floatStyle: floatStyle);
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
