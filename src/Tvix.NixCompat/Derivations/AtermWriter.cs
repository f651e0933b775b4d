using System.Buffers;

namespace Tvix.NixCompat.Derivations;

/// <summary>Writes derivations in Nix's ATerm syntax straight into a buffer.</summary>
internal static class AtermWriter
{
    public static void Write(ByteBuilder w, Derivation drv, StoreDirectory store, bool maskOutputs,
        List<KeyValuePair<string, SortedSet<string>>>? replacedInputs)
    {
        Raw(w, "Derive(["u8);
        var first = true;
        foreach (var (name, output) in drv.Outputs)
        {
            if (!first) Raw(w, ","u8);
            first = false;
            Raw(w, "("u8);
            String(w, name);
            Raw(w, ","u8);
            if (maskOutputs || output.Path is null) Raw(w, "\"\""u8);
            else StorePathString(w, store, output.Path);
            Raw(w, ","u8);
            String(w, output.HashAlgorithmField);
            Raw(w, ","u8);
            if (output.Hash is { } hash) HexString(w, hash.Digest);
            else Raw(w, "\"\""u8);
            Raw(w, ")"u8);
        }
        Raw(w, "],["u8);
        first = true;
        if (replacedInputs != null)
        {
            foreach (var (key, outputs) in replacedInputs)
            {
                if (!first) Raw(w, ","u8);
                first = false;
                Raw(w, "("u8);
                String(w, key);
                Raw(w, ",["u8);
                StringList(w, outputs);
                Raw(w, "])"u8);
            }
        }
        else
        {
            foreach (var (path, outputs) in drv.InputDerivations)
            {
                if (!first) Raw(w, ","u8);
                first = false;
                Raw(w, "("u8);
                StorePathString(w, store, path);
                Raw(w, ",["u8);
                StringList(w, outputs);
                Raw(w, "])"u8);
            }
        }
        Raw(w, "],["u8);
        first = true;
        foreach (var path in drv.InputSources)
        {
            if (!first) Raw(w, ","u8);
            first = false;
            StorePathString(w, store, path);
        }
        Raw(w, "],"u8);
        String(w, drv.System.Span);
        Raw(w, ","u8);
        String(w, drv.Builder.Span);
        Raw(w, ",["u8);
        first = true;
        foreach (var arg in drv.Arguments)
        {
            if (!first) Raw(w, ","u8);
            first = false;
            String(w, arg.Span);
        }
        Raw(w, "],["u8);
        first = true;
        foreach (var (key, value) in drv.Environment)
        {
            if (!first) Raw(w, ","u8);
            first = false;
            Raw(w, "("u8);
            String(w, key.Span);
            Raw(w, ","u8);
            if (maskOutputs && IsOutputName(drv, key.Span)) Raw(w, "\"\""u8);
            else String(w, value.Span);
            Raw(w, ")"u8);
        }
        Raw(w, "])"u8);
    }

    private static bool IsOutputName(Derivation drv, ReadOnlySpan<byte> key)
    {
        // Output names are short ASCII; compare without allocating.
        foreach (var name in drv.Outputs.Keys)
        {
            if (name.Length != key.Length) continue;
            var equal = true;
            for (var i = 0; i < key.Length && equal; i++) equal = name[i] == key[i];
            if (equal) return true;
        }
        return false;
    }

    private static void StringList(ByteBuilder w, SortedSet<string> items)
    {
        var first = true;
        foreach (var item in items)
        {
            if (!first) Raw(w, ","u8);
            first = false;
            String(w, item);
        }
    }

    private static void Raw(ByteBuilder w, ReadOnlySpan<byte> bytes) => w.Append(bytes);

    private static void StorePathString(ByteBuilder w, StoreDirectory store, StorePath path)
    {
        if (!store.IsPlainAscii)
        {
            String(w, store.Print(path));
            return;
        }
        // Store directory (checked plain ASCII) and base name (always ASCII): narrow the chars directly.
        var dir = store.Path;
        var baseName = path.BaseName;
        var span = w.GetSpan(dir.Length + baseName.Length + 3);
        span[0] = (byte)'"';
        var i = 1 + System.Text.Encoding.Latin1.GetBytes(dir, span[1..]);
        span[i++] = (byte)'/';
        i += System.Text.Encoding.Latin1.GetBytes(baseName, span[i..]);
        span[i++] = (byte)'"';
        w.Advance(i);
    }

    private static void HexString(ByteBuilder w, ReadOnlySpan<byte> digest)
    {
        const string digits = "0123456789abcdef";
        var span = w.GetSpan(digest.Length * 2 + 2);
        span[0] = (byte)'"';
        for (var i = 0; i < digest.Length; i++)
        {
            span[1 + 2 * i] = (byte)digits[digest[i] >> 4];
            span[2 + 2 * i] = (byte)digits[digest[i] & 15];
        }
        span[digest.Length * 2 + 1] = (byte)'"';
        w.Advance(digest.Length * 2 + 2);
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

    /// <summary>A quoted string with Nix's escapes for <c>" \ \n \r \t</c>; every other byte is copied.</summary>
    private static readonly SearchValues<byte> NeedsEscape = SearchValues.Create("\"\\\n\r\t"u8);

    private static void String(ByteBuilder w, ReadOnlySpan<byte> value)
    {
        var plain = value.IndexOfAny(NeedsEscape);
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
        foreach (var b in value[plain..])
        {
            switch (b)
            {
                case (byte)'"': span[i++] = (byte)'\\'; span[i++] = (byte)'"'; break;
                case (byte)'\\': span[i++] = (byte)'\\'; span[i++] = (byte)'\\'; break;
                case (byte)'\n': span[i++] = (byte)'\\'; span[i++] = (byte)'n'; break;
                case (byte)'\r': span[i++] = (byte)'\\'; span[i++] = (byte)'r'; break;
                case (byte)'\t': span[i++] = (byte)'\\'; span[i++] = (byte)'t'; break;
                default: span[i++] = b; break;
            }
        }
        span[i++] = (byte)'"';
        w.Advance(i);
    }
}
