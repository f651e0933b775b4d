using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Tvix.NixCompat.Derivations;

/// <summary>
/// Writes derivations in Nix's ATerm syntax straight into a buffer. An ATerm is written as three
/// sections so that the variants Nix hashes (the real one, the one with input derivations replaced
/// by their hashes, the masked one) can share the expensive part:
/// <list type="bullet">
/// <item><see cref="WriteOutputs"/>: <c>Derive([OUTPUTS],[</c></item>
/// <item><see cref="WriteInputDerivations"/> or <see cref="WriteReplacedInputs"/>: the input derivations</item>
/// <item><see cref="WriteRest"/>: <c>],[SOURCES],SYSTEM,BUILDER,[ARGS],[ENV])</c></item>
/// </list>
/// </summary>
internal static class AtermWriter
{
    /// <summary>The whole ATerm as Nix writes it into a <c>.drv</c>.</summary>
    public static void Write(ByteBuilder w, Derivation drv, StoreDirectory store)
    {
        WriteOutputs(w, drv, store, maskOutputs: false);
        WriteInputDerivations(w, drv, store);
        WriteRest(w, drv, store, maskOutputs: false, masked: null);
    }

    /// <summary>
    /// <c>Derive([OUTPUTS],[</c>; with <paramref name="maskOutputs"/> every output path is empty.
    /// </summary>
    public static void WriteOutputs(ByteBuilder w, Derivation drv, StoreDirectory store, bool maskOutputs)
    {
        w.Append("Derive(["u8);
        var outputs = drv.Outputs;
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs.OutputAt(i);
            if (i > 0) w.Append((byte)',');
            w.Append((byte)'(');
            String(w, outputs.NameAt(i));
            w.Append((byte)',');
            if (maskOutputs || output.Path is null) w.Append("\"\""u8);
            else StorePathString(w, store, output.Path);
            w.Append((byte)',');
            String(w, output.HashAlgorithmField);
            w.Append((byte)',');
            if (output.Hash is { } hash) HexString(w, hash.Digest);
            else w.Append("\"\""u8);
            w.Append((byte)')');
        }
        w.Append("],["u8);
    }

    /// <summary>The input derivations as <c>("PATH",["OUT",…])</c> entries.</summary>
    public static void WriteInputDerivations(ByteBuilder w, Derivation drv, StoreDirectory store)
    {
        var inputs = drv.InputDerivations;
        for (var i = 0; i < inputs.Count; i++)
        {
            if (i > 0) w.Append((byte)',');
            w.Append((byte)'(');
            StorePathString(w, store, inputs.PathAt(i));
            w.Append(",["u8);
            StringList(w, inputs.OutputsAt(i));
            w.Append("])"u8);
        }
    }

    /// <summary>The input derivations replaced by their hashes: <c>("HEX",["OUT",…])</c>, in the given (sorted) order.</summary>
    public static void WriteReplacedInputs(ByteBuilder w, ReplacedInput[] inputs, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (i > 0) w.Append((byte)',');
            w.Append((byte)'(');
            HexString(w, inputs[i].HashModulo.Hash);
            w.Append(",["u8);
            StringList(w, inputs[i].Outputs);
            w.Append("])"u8);
        }
    }

    /// <summary>
    /// <c>],[SOURCES],SYSTEM,BUILDER,[ARGS],[ENV])</c>. With <paramref name="maskOutputs"/> the
    /// environment variables named like outputs are written as <c>""</c>; when
    /// <paramref name="masked"/> is given, where each such <c>""</c> starts (an offset into
    /// <paramref name="w"/>) and its key are recorded, so the real values can be put in later
    /// without writing the environment again (<see cref="Unmask"/>).
    /// </summary>
    public static void WriteRest(ByteBuilder w, Derivation drv, StoreDirectory store, bool maskOutputs, MaskedValues? masked)
    {
        w.Append("],["u8);
        var sources = drv.InputSources;
        for (var i = 0; i < sources.Count; i++)
        {
            if (i > 0) w.Append((byte)',');
            StorePathString(w, store, sources[i]);
        }
        w.Append("],"u8);
        String(w, drv.System.Span);
        w.Append((byte)',');
        String(w, drv.Builder.Span);
        w.Append(",["u8);
        var first = true;
        foreach (var arg in drv.Arguments)
        {
            if (!first) w.Append((byte)',');
            first = false;
            String(w, arg.Span);
        }
        w.Append("],["u8);
        var environment = drv.Environment;
        for (var i = 0; i < environment.Count; i++)
        {
            var key = environment.KeyAt(i);
            if (i > 0) w.Append((byte)',');
            w.Append((byte)'(');
            String(w, key.Span);
            w.Append((byte)',');
            if (maskOutputs && IsOutputName(drv.Outputs, key.Span))
            {
                masked?.Add(w.Length, key);
                w.Append("\"\""u8);
            }
            else String(w, environment.ValueAt(i).Span);
            w.Append((byte)')');
        }
        w.Append("])"u8);
    }

    /// <summary>
    /// Copies a section written by <see cref="WriteRest"/> with masking (starting at
    /// <paramref name="sectionStart"/> in <paramref name="source"/>) to <paramref name="w"/>, with
    /// each masked <c>""</c> replaced by the environment's current value for its key.
    /// </summary>
    public static void Unmask(ByteBuilder w, Derivation drv, ReadOnlySpan<byte> source, int sectionStart, MaskedValues masked)
    {
        var from = sectionStart;
        for (var i = 0; i < masked.Count; i++)
        {
            var offset = masked.Offsets[i];
            w.Append(source[from..offset]);
            String(w, drv.Environment[masked.Keys[i]].Span);
            from = offset + 2;
        }
        w.Append(source[from..]);
    }

    private static bool IsOutputName(DerivationOutputs outputs, ReadOnlySpan<byte> key)
    {
        // Output names are short ASCII; compare without allocating.
        for (var n = 0; n < outputs.Count; n++)
        {
            var name = outputs.NameAt(n);
            if (name.Length != key.Length) continue;
            var equal = true;
            for (var i = 0; i < key.Length && equal; i++) equal = name[i] == key[i];
            if (equal) return true;
        }
        return false;
    }

    private static void StringList(ByteBuilder w, OutputNameSet items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) w.Append((byte)',');
            String(w, items[i]);
        }
    }

    private static void StorePathString(ByteBuilder w, StoreDirectory store, StorePath path)
    {
        if (!store.IsPlainAscii)
        {
            String(w, store.Print(path));
            return;
        }
        var span = w.GetSpan(store.Path.Length + path.BaseName.Length + 3);
        span[0] = (byte)'"';
        var length = store.WritePrinted(path, span[1..]);
        span[length + 1] = (byte)'"';
        w.Advance(length + 2);
    }

    private static void HexString(ByteBuilder w, ReadOnlySpan<byte> digest)
    {
        w.Append((byte)'"');
        w.AppendHexLower(digest);
        w.Append((byte)'"');
    }

    private static void String(ByteBuilder w, string text)
    {
        var max = System.Text.Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> scratch = max <= 512 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        var count = System.Text.Encoding.UTF8.GetBytes(text, scratch);
        String(w, scratch[..count]);
        if (rented != null) ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>
    /// The index of the first byte of <c>" \ \n \r \t</c> in <paramref name="value"/>, or -1: 16
    /// bytes at a time. This package's own code, so it is precompiled, where CoreLib's
    /// <c>IndexOfAny</c> over bytes (with five values or <c>SearchValues</c>) is JIT-compiled
    /// at the first derivation of every process.
    /// </summary>
    internal static int FirstToEscape(ReadOnlySpan<byte> value)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated && value.Length >= Vector128<byte>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(value);
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var newline = Vector128.Create((byte)'\n');
            var cr = Vector128.Create((byte)'\r');
            var tab = Vector128.Create((byte)'\t');
            for (; i <= value.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var v = Vector128.LoadUnsafe(ref start, (nuint)i);
                var hits = Vector128.Equals(v, quote) | Vector128.Equals(v, backslash) | Vector128.Equals(v, newline)
                    | Vector128.Equals(v, cr) | Vector128.Equals(v, tab);
                if (hits != Vector128<byte>.Zero) return i + BitOperations.TrailingZeroCount(hits.ExtractMostSignificantBits());
            }
        }
        var escapes = EscapeLetters;
        for (; i < value.Length; i++)
        {
            if (escapes[value[i]] != 0) return i;
        }
        return -1;
    }

    /// <summary>A quoted string with Nix's escapes for <c>" \ \n \r \t</c>; every other byte is copied.</summary>
    private static void String(ByteBuilder w, ReadOnlySpan<byte> value)
    {
        var plain = FirstToEscape(value);
        if (plain < 0)
        {
            // The common case: nothing to escape, one copy.
            var direct = w.GetSpan(value.Length + 2);
            direct[0] = (byte)'"';
            value.CopyTo(direct[1..]);
            direct[value.Length + 1] = (byte)'"';
            w.Advance(value.Length + 2);
            return;
        }
        var span = w.GetSpan(value.Length * 2 + 2);
        var i = 0;
        span[i++] = (byte)'"';
        value[..plain].CopyTo(span[i..]);
        i += plain;
        // From each escape to the next: the plain run between them is found 16 bytes at a time
        // and copied in one go (build scripts have an escape every few dozen bytes).
        var escapes = EscapeLetters;
        var rest = value[plain..];
        while (true)
        {
            span[i++] = (byte)'\\';
            span[i++] = escapes[rest[0]];
            rest = rest[1..];
            var run = FirstToEscape(rest);
            if (run < 0) break;
            rest[..run].CopyTo(span[i..]);
            i += run;
            rest = rest[run..];
        }
        rest.CopyTo(span[i..]);
        i += rest.Length;
        span[i++] = (byte)'"';
        w.Advance(i);
    }

    /// <summary>For each byte, the letter after the backslash that escapes it, or 0 when it is written as is.</summary>
    private static ReadOnlySpan<byte> EscapeLetters =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)'t', (byte)'n', 0, 0, (byte)'r', 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, (byte)'"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)'\\', 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
}

/// <summary>An input derivation as a dependent's hash sees it: its hash modulo and the outputs used.</summary>
/// <remarks>
/// A class, like the other helpers here: generic code over it (arrays aside) is then the
/// runtime's shared, precompiled code rather than one more instantiation to JIT at run time.
/// </remarks>
internal struct ReplacedInput(DerivationHashModulo hashModulo, OutputNameSet outputs)
{
    public readonly DerivationHashModulo HashModulo = hashModulo;

    public OutputNameSet Outputs = outputs;
}

/// <summary>Where <see cref="AtermWriter.WriteRest"/> wrote each masked output variable's <c>""</c>, and its key.</summary>
internal sealed class MaskedValues
{
    public int Count { get; private set; }

    public int[] Offsets { get; private set; } = new int[4];

    public ByteString[] Keys { get; private set; } = new ByteString[4];

    /// <summary>Empties the list, with room for <paramref name="capacity"/> entries.</summary>
    public void Reset(int capacity)
    {
        Array.Clear(Keys, 0, Count);
        Count = 0;
        if (Offsets.Length < capacity)
        {
            Offsets = new int[capacity];
            Keys = new ByteString[capacity];
        }
    }

    public void Add(int offset, ByteString key)
    {
        Offsets[Count] = offset;
        Keys[Count++] = key;
    }
}
