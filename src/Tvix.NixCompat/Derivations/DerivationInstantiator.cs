namespace Tvix.NixCompat.Derivations;

/// <summary>
/// What <c>derivationStrict</c> computes once the attributes are read, in one pass over the
/// ATerm. Nix hashes up to three variants of it: the masked one (output paths and output
/// variables empty, inputs replaced by their hashes) for the output paths, the unmasked one with
/// replaced inputs for the hash modulo dependents use, and the real one for the <c>.drv</c> path.
/// They differ only in the outputs, the input derivations and the few output variables, so the
/// sources, arguments and environment (nearly all of the bytes) are serialised once and the
/// variants are assembled from that section with the output values put in place.
/// </summary>
internal static class DerivationInstantiator
{
    /// <summary>Instantiates <paramref name="drv"/>; <paramref name="aterm"/> is the real ATerm, valid until the derivation is instantiated again.</summary>
    public static InstantiatedDerivation Instantiate(Derivation drv, string name, StoreDirectory store,
        Func<StorePath, DerivationHashModulo> lookup, out ReadOnlySpan<byte> aterm)
    {
        var scratch = drv.InstantiationScratch;
        scratch.Prepare(drv.Outputs.Count, drv.InputDerivations.Count);
        var real = scratch.Real;
        DerivationHashModulo hashModulo;
        if (FillFixedOutput(drv, name, store))
        {
            // A fixed-output derivation's hash does not depend on its inputs at all.
            AtermWriter.Write(real, drv, store);
            hashModulo = DerivationHasher.FixedHashModulo(drv, store);
        }
        else hashModulo = FillOtherOutputs(drv, name, store, lookup, scratch);

        Span<byte> atermHash = stackalloc byte[32];
        Sha256Digest.HashData(real.WrittenSpan, atermHash);
        var references = SortedReferences(drv);
        var path = store.MakeTextPathSorted(name, ".drv", atermHash, references);
        aterm = real.WrittenSpan;
        return new InstantiatedDerivation(path, hashModulo, references);
    }

    /// <summary>Fills in the output paths only (<see cref="Derivation.CalculateOutputPaths"/>).</summary>
    public static void FillOutputs(Derivation drv, string name, StoreDirectory store, Func<StorePath, DerivationHashModulo> lookup)
    {
        if (FillFixedOutput(drv, name, store)) return;
        var scratch = drv.InstantiationScratch;
        scratch.Prepare(drv.Outputs.Count, drv.InputDerivations.Count);
        FillOtherOutputs(drv, name, store, lookup, scratch);
    }

    /// <summary>A fixed output gets its content-addressed path; returns false when the derivation is not fixed-output.</summary>
    private static bool FillFixedOutput(Derivation drv, string name, StoreDirectory store)
    {
        if (!drv.Outputs.TryGetValue("out", out var output) || !output.IsFixed) return false;
        if (drv.Outputs.Count != 1) throw new NixFormatException("multiple outputs are not supported in fixed-output derivations");
        if (output.HashMode == OutputHashMode.Text) throw new NotSupportedException("text-hashed fixed outputs are not supported (Nix 2.8 has none)");
        var path = store.MakeFixedOutputPath(name, output.Hash!, output.HashMode == OutputHashMode.Recursive);
        drv.Outputs["out"] = output.WithPath(path);
        drv.Environment[OutKey] = new ByteString(store.PrintUtf8(path));
        return true;
    }

    /// <summary>
    /// Floating content-addressed, deferred or input-addressed outputs: fills them in, writes the
    /// real ATerm into the scratch's <see cref="InstantiationScratch.Real"/> and returns the hash modulo.
    /// </summary>
    private static DerivationHashModulo FillOtherOutputs(Derivation drv, string name, StoreDirectory store,
        Func<StorePath, DerivationHashModulo> lookup, InstantiationScratch scratch)
    {
        var outputs = drv.Outputs;
        var keys = scratch.Keys;
        for (var i = 0; i < outputs.Count; i++)
        {
            var outputName = outputs.NameAt(i);
            if (outputs.OutputAt(i).IsFixed)
                throw new NixFormatException($"output '{outputName}' is fixed, but a fixed-output derivation may only have the output 'out'");
            keys[i] = scratch.Key(i, outputName);
        }
        var floating = DerivationHasher.HasFloatingOutputs(drv);
        var replaced = DerivationHasher.ReplaceInputs(drv, store, lookup, out var replacedCount, out var inputDeferred, scratch.Replaced);
        try
        {
            return FillOtherOutputs(drv, name, store, scratch, keys, floating, replaced, replacedCount, inputDeferred);
        }
        finally
        {
            scratch.Release(replacedCount);
        }
    }

    private static DerivationHashModulo FillOtherOutputs(Derivation drv, string name, StoreDirectory store, InstantiationScratch scratch,
        ByteString[] keys, bool floating, ReplacedInput[] replaced, int replacedCount, bool inputDeferred)
    {
        var outputs = drv.Outputs;
        var real = scratch.Real;
        var work = scratch.Work;

        if (floating)
        {
            // Nix gives each floating output's variable its placeholder; the paths stay empty.
            for (var i = 0; i < outputs.Count; i++) drv.Environment[keys[i]] = ByteString.FromUtf8(Placeholders.Output(outputs.NameAt(i)));
            AtermWriter.WriteOutputs(work, drv, store, maskOutputs: false);
            var outputsEnd = work.Length;
            AtermWriter.WriteReplacedInputs(work, replaced, replacedCount);
            var floatingRestStart = work.Length;
            AtermWriter.WriteRest(work, drv, store, maskOutputs: false, masked: null);
            var hash = Sha256Digest.HashData(work.WrittenSpan);
            real.Append(work.WrittenSpan[..outputsEnd]);
            AtermWriter.WriteInputDerivations(real, drv, store);
            real.Append(work.WrittenSpan[floatingRestStart..]);
            return new DerivationHashModulo(hash, isDeferred: true);
        }

        // Input-addressed: hash the masked ATerm (every output variable empty), then make the
        // paths from it. The rest section is written masked, remembering where the output
        // variables' values go.
        for (var i = 0; i < outputs.Count; i++)
        {
            drv.Environment[keys[i]] = ByteString.Empty;
            outputs.SetAt(i, DerivationOutput.Deferred);
        }
        var masked = scratch.Masked;
        AtermWriter.WriteOutputs(work, drv, store, maskOutputs: true);
        var maskedOutputsEnd = work.Length;
        AtermWriter.WriteReplacedInputs(work, replaced, replacedCount);
        var maskedRestStart = work.Length;
        AtermWriter.WriteRest(work, drv, store, maskOutputs: true, masked);
        Span<byte> maskedHash = stackalloc byte[32];
        Sha256Digest.HashData(work.WrittenSpan, maskedHash);

        if (inputDeferred)
        {
            // Depending on a deferred derivation defers the outputs: no paths, empty variables,
            // so the unmasked ATerm is the masked one and so is its hash.
            real.Append(work.WrittenSpan[..maskedOutputsEnd]);
            AtermWriter.WriteInputDerivations(real, drv, store);
            real.Append(work.WrittenSpan[maskedRestStart..]);
            return new DerivationHashModulo(maskedHash.ToArray(), isDeferred: true);
        }

        for (var i = 0; i < outputs.Count; i++)
        {
            var path = store.MakeOutputPath(name, outputs.NameAt(i), maskedHash);
            outputs.SetAt(i, DerivationOutput.InputAddressed(path));
            drv.Environment[keys[i]] = new ByteString(store.PrintUtf8(path));
        }
        // The hash modulo: real outputs, replaced inputs, real variables.
        var modulo = scratch.Modulo;
        AtermWriter.WriteOutputs(modulo, drv, store, maskOutputs: false);
        var realOutputsEnd = modulo.Length;
        AtermWriter.WriteReplacedInputs(modulo, replaced, replacedCount);
        var restStart = modulo.Length;
        AtermWriter.Unmask(modulo, drv, work.WrittenSpan, maskedRestStart, masked);
        var hashModulo = Sha256Digest.HashData(modulo.WrittenSpan);
        // The real ATerm: the same with the input derivations' paths.
        real.Append(modulo.WrittenSpan[..realOutputsEnd]);
        AtermWriter.WriteInputDerivations(real, drv, store);
        real.Append(modulo.WrittenSpan[restStart..]);
        return new DerivationHashModulo(hashModulo, isDeferred: false);
    }

    /// <summary>Input sources and input derivations, merged in store path order.</summary>
    public static StorePath[] SortedReferences(Derivation drv)
    {
        var sources = drv.InputSources;
        var inputs = drv.InputDerivations;
        var result = new StorePath[sources.Count + inputs.Count];
        int count = 0, s = 0, d = 0;
        while (s < sources.Count || d < inputs.Count)
        {
            StorePath next;
            if (d == inputs.Count || (s < sources.Count && sources[s].CompareTo(inputs.PathAt(d)) <= 0)) next = sources[s++];
            else next = inputs.PathAt(d++);
            if (count == 0 || !result[count - 1].Equals(next)) result[count++] = next;
        }
        return count == result.Length ? result : result[..count];
    }

    private static ByteString OutKey => InstantiationScratch.OutKey;
}
