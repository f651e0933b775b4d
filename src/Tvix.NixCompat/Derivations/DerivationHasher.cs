using System.Security.Cryptography;

namespace Tvix.NixCompat.Derivations;

/// <summary>Nix's <c>hashDerivationModulo</c> and the masked ATerm behind output paths.</summary>
internal static class DerivationHasher
{
    public static byte[] HashModulo(Derivation drv, StoreDirectory store, Func<StorePath, ReadOnlyMemory<byte>> lookup, bool maskOutputs)
    {
        if (drv.IsFixedOutput)
        {
            var output = drv.Outputs["out"];
            var path = output.Path ?? throw new InvalidOperationException("the fixed output has no path yet; call CalculateOutputPaths first");
            using var text = new ByteBuilder(256);
            text.Append("fixed:out:"u8);
            text.Append(output.HashAlgorithmField);
            text.Append((byte)':');
            text.AppendHexLower(output.Hash!.Digest);
            text.Append((byte)':');
            text.Append(store.Print(path));
            return SHA256.HashData(text.WrittenSpan);
        }
        using var buffer = new ByteBuilder(4096);
        WriteReplaced(buffer, drv, store, lookup, maskOutputs);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    public static byte[] MaskedAterm(Derivation drv, StoreDirectory store, Func<StorePath, ReadOnlyMemory<byte>> lookup)
    {
        using var buffer = new ByteBuilder(4096);
        WriteReplaced(buffer, drv, store, lookup, maskOutputs: true);
        return buffer.ToArray();
    }

    private static void WriteReplaced(ByteBuilder buffer, Derivation drv, StoreDirectory store, Func<StorePath, ReadOnlyMemory<byte>> lookup, bool maskOutputs)
    {
        foreach (var output in drv.Outputs.Values)
        {
            if (output.HashAlgorithm != null && !output.IsFixed)
                throw new NotSupportedException("hashing floating content-addressed derivations (ca-derivations) is not supported yet");
        }
        var replaced = new List<KeyValuePair<string, SortedSet<string>>>(drv.InputDerivations.Count);
        foreach (var (path, outputs) in drv.InputDerivations)
        {
            var hash = lookup(path);
            if (hash.Length != 32) throw new InvalidOperationException($"the hash modulo of '{store.Print(path)}' must be 32 bytes, not {hash.Length}");
            replaced.Add(new(Convert.ToHexStringLower(hash.Span), outputs));
        }
        replaced.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        // Two fixed-output inputs with the same hash collapse into one entry with both output sets.
        var write = 0;
        for (var read = 0; read < replaced.Count; read++)
        {
            if (write > 0 && replaced[write - 1].Key == replaced[read].Key)
            {
                var merged = new SortedSet<string>(replaced[write - 1].Value, StringComparer.Ordinal);
                merged.UnionWith(replaced[read].Value);
                replaced[write - 1] = new(replaced[read].Key, merged);
            }
            else replaced[write++] = replaced[read];
        }
        replaced.RemoveRange(write, replaced.Count - write);
        AtermWriter.Write(buffer, drv, store, maskOutputs, replaced);
    }
}
