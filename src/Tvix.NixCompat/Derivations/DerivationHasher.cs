
namespace Tvix.NixCompat.Derivations;

/// <summary>
/// Nix's <c>hashDerivationModulo</c> (Nix 2.8 semantics): a fixed-output derivation hashes to
/// <c>sha256("fixed:out:[r:]ALGO:HEX:PATH")</c>; any other derivation to the SHA-256 of its ATerm
/// with every input derivation replaced by the base16 of that input's own hash modulo (inputs with
/// equal hashes merged). A floating content-addressed derivation is hashed the same way but is
/// deferred, and so is everything depending on a deferred derivation (except fixed-output ones).
/// </summary>
internal static class DerivationHasher
{
    public static DerivationHashModulo HashModulo(Derivation drv, StoreDirectory store, Func<StorePath, DerivationHashModulo> lookup, bool maskOutputs)
    {
        if (drv.IsFixedOutput) return FixedHashModulo(drv, store);
        using var buffer = new ByteBuilder(4096);
        var deferred = WriteReplaced(buffer, drv, store, lookup, maskOutputs);
        return new DerivationHashModulo(Sha256Digest.HashData(buffer.WrittenSpan), deferred);
    }

    public static byte[] MaskedAterm(Derivation drv, StoreDirectory store, Func<StorePath, DerivationHashModulo> lookup)
    {
        using var buffer = new ByteBuilder(4096);
        WriteReplaced(buffer, drv, store, lookup, maskOutputs: true);
        return buffer.ToArray();
    }

    /// <summary>The hash of a fixed-output derivation, from its one output's hash and path.</summary>
    public static DerivationHashModulo FixedHashModulo(Derivation drv, StoreDirectory store)
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
        return new DerivationHashModulo(Sha256Digest.HashData(text.WrittenSpan), isDeferred: false);
    }

    /// <summary>
    /// True when the derivation itself (regardless of its inputs) is deferred: its outputs are
    /// floating content-addressed. Refuses what Nix's <c>Derivation::type</c> refuses for them:
    /// floating outputs mixed with other kinds, or with different hash algorithms.
    /// </summary>
    public static bool HasFloatingOutputs(Derivation drv)
    {
        var floating = 0;
        NixHashAlgorithm? algorithm = null;
        for (var i = 0; i < drv.Outputs.Count; i++)
        {
            var output = drv.Outputs.OutputAt(i);
            if (output.HashAlgorithm is not { } outputAlgorithm || output.IsFixed) continue;
            floating++;
            if (algorithm != null && algorithm != outputAlgorithm) throw new NixFormatException("all floating outputs must use the same hash type");
            algorithm = outputAlgorithm;
        }
        if (floating != 0 && floating != drv.Outputs.Count) throw new NixFormatException("can't mix derivation output types");
        return floating != 0;
    }

    /// <summary>
    /// The input derivations as their hashes modulo, sorted by hash, equal hashes merged (two
    /// fixed-output inputs with the same content); <paramref name="count"/> of the array are used,
    /// and <paramref name="anyDeferred"/> tells whether one of them is deferred. The result is
    /// <paramref name="reuse"/> when that is large enough.
    /// </summary>
    public static ReplacedInput[] ReplaceInputs(Derivation drv, StoreDirectory store, Func<StorePath, DerivationHashModulo> lookup, out int count, out bool anyDeferred,
        ReplacedInput[]? reuse = null)
    {
        anyDeferred = false;
        var replaced = reuse is not null && reuse.Length >= drv.InputDerivations.Count ? reuse : new ReplacedInput[drv.InputDerivations.Count];
        count = 0;
        for (var i = 0; i < drv.InputDerivations.Count; i++)
        {
            var path = drv.InputDerivations.PathAt(i);
            var outputs = drv.InputDerivations.OutputsAt(i);
            var hash = lookup(path);
            if (hash.Hash.Length != 32) throw new InvalidOperationException($"the hash modulo of '{store.Print(path)}' must be 32 bytes, not {hash.Hash.Length}");
            anyDeferred |= hash.IsDeferred;
            // Insertion sort by hash (lowercase base16 sorts like the bytes it encodes); equal
            // hashes (two fixed-output inputs with the same content) merge their output sets.
            var input = new ReplacedInput(hash, outputs);
            var at = count;
            var merged = false;
            while (at > 0)
            {
                var order = replaced[at - 1].HashModulo.Hash.SequenceCompareTo(hash.Hash);
                if (order < 0) break;
                if (order == 0)
                {
                    // A new set: the input's own set belongs to the derivation.
                    var union = new OutputNameSet(replaced[at - 1].Outputs);
                    union.UnionWith(outputs);
                    replaced[at - 1].Outputs = union;
                    merged = true;
                    break;
                }
                at--;
            }
            if (merged) continue;
            Array.Copy(replaced, at, replaced, at + 1, count - at);
            replaced[at] = input;
            count++;
        }
        return replaced;
    }

    /// <summary>Writes the ATerm with replaced inputs; returns whether the derivation is deferred.</summary>
    private static bool WriteReplaced(ByteBuilder buffer, Derivation drv, StoreDirectory store, Func<StorePath, DerivationHashModulo> lookup, bool maskOutputs)
    {
        var deferred = HasFloatingOutputs(drv);
        var replaced = ReplaceInputs(drv, store, lookup, out var count, out var inputDeferred);
        AtermWriter.WriteOutputs(buffer, drv, store, maskOutputs);
        AtermWriter.WriteReplacedInputs(buffer, replaced, count);
        AtermWriter.WriteRest(buffer, drv, store, maskOutputs, masked: null);
        return deferred || inputDeferred;
    }
}
