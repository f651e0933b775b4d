using System.Runtime.InteropServices;
using System.Text;
using Tvix.Eval;
using Tvix.NixCompat;
using Tvix.NixCompat.Derivations;

namespace Tvix.Glue.Builtins;

/// <summary>
/// <c>builtins.derivationStrict</c>: turns the attributes of a <c>derivation</c> call into a
/// <see cref="Derivation"/>, computes its output paths and <c>.drv</c> path exactly as C++ Nix
/// 2.8 does (hash modulo with the inputs' own hashes), writes the <c>.drv</c> to the store and
/// returns <c>{ drvPath; &lt;output&gt; = path; … }</c> with the string contexts Nix gives them.
/// </summary>
internal static class DerivationStrictBuiltin
{
    public static Value Invoke(EvalContext cx, GlueState state, Value argument)
    {
        var attrs = cx.ForceAttrs(argument);
        if (!attrs.TryGetValue("name"u8, out var nameValue))
        {
            var missing = cx.Error("attribute 'name' missing");
            missing.AddTrace("in the attrset passed as argument to builtins.derivationStrict", null, default);
            throw missing;
        }
        string drvName;
        try { drvName = ContextSet.NoContext(cx.ForceString(nameValue)); }
        catch (NixEvalException e) { e.AddTrace("while evaluating the derivation attribute 'name'", null, default); throw; }
        CheckName(cx, drvName);

        var structured = attrs.TryGetValue("__structuredAttrs"u8, out var structuredValue) && cx.ForceBool(structuredValue);
        var ignoreNulls = attrs.TryGetValue("__ignoreNulls"u8, out var ignoreNullsValue) && cx.ForceBool(ignoreNullsValue);

        // Given back at the end; an error leaves it to the collector.
        var drv = state.RentDerivation();
        var scratch = state.RentScratch();
        var context = scratch.Context;
        var buffer = scratch.Buffer;
        using var json = structured ? new PooledByteWriter(1024) : null;
        json?.Write("{"u8);
        // Null for the default, `out` alone (no list per derivation).
        List<string>? outputList = null;
        string? outputHash = null, outputHashAlgo = null, outputHashMode = null;
        var contentAddressed = false;
        var builderSet = false;
        var systemSet = false;

        var attrCount = attrs.Count;
        // Every attribute but a few special ones becomes a variable, plus one per output.
        drv.Environment.EnsureCapacity(attrCount + 1);
        Span<int> order = attrCount <= 256 ? stackalloc int[attrCount] : new int[attrCount];
        cx.NixOrder(attrs, order);
        foreach (var place in order)
        {
            var value = cx.AttrAt(attrs, place, out var key, out var keyBytes);
            if (key == "__ignoreNulls") continue;
            try
            {
                if (ignoreNulls && cx.Force(value).Kind == ValueKind.Null) continue;
                switch (key)
                {
                    case "__contentAddressed":
                        contentAddressed = cx.ForceBool(value);
                        if (contentAddressed && (state.Features & GlueFeatures.CaDerivations) == 0)
                            throw cx.Error("experimental Nix feature 'ca-derivations' is disabled; use '--extra-experimental-features ca-derivations' to override");
                        continue;
                    case "__impure":
                        if (cx.ForceBool(value))
                        {
                            if ((state.Features & GlueFeatures.ImpureDerivations) == 0)
                                throw cx.Error("experimental Nix feature 'impure-derivations' is disabled; use '--extra-experimental-features impure-derivations' to override");
                            throw cx.Error("impure derivations are not supported by this evaluator");
                        }
                        continue;
                    case "args":
                        foreach (var arg in cx.ForceList(value).AsSpan())
                            drv.Arguments.Add(DerivationCoercion.CoerceToBytes(cx, state, arg, buffer, scratch));
                        continue;
                }

                if (json != null)
                {
                    if (key == "__structuredAttrs") continue;
                    if (json.WrittenCount > 1) json.Write(","u8);
                    DerivationCoercion.WriteJsonString(json, keyBytes.Span);
                    json.Write(":"u8);
                    DerivationCoercion.WriteJson(cx, state, value, json, context);
                    switch (key)
                    {
                        case "builder":
                        {
                            var s = cx.ForceString(value);
                            context.Add(s);
                            drv.Builder = ByteString.CopyFrom(s.Bytes);
                            builderSet = s.Length > 0;
                            break;
                        }
                        case "system":
                            drv.System = ByteString.FromUtf8(ContextSet.NoContext(cx.ForceString(value)));
                            systemSet = drv.System.Length > 0;
                            break;
                        case "outputHash": outputHash = ContextSet.NoContext(cx.ForceString(value)); break;
                        case "outputHashAlgo": outputHashAlgo = ContextSet.NoContext(cx.ForceString(value)); break;
                        case "outputHashMode": outputHashMode = CheckHashMode(cx, ContextSet.NoContext(cx.ForceString(value))); break;
                        case "outputs":
                        {
                            var names = scratch.Outputs;
                            names.Clear();
                            foreach (var item in cx.ForceList(value).AsSpan()) names.Add(state.OutputName(ContextSet.NoContext(cx.ForceString(item))));
                            outputList = CheckOutputs(cx, names);
                            break;
                        }
                    }
                }
                else
                {
                    var bytes = DerivationCoercion.CoerceToBytes(cx, state, value, buffer, scratch);
                    // The evaluator's bytes of the name: shared by every derivation, not looked up or copied.
                    drv.Environment[EnvironmentKey(keyBytes)] = bytes;
                    switch (key)
                    {
                        case "builder": drv.Builder = bytes; builderSet = bytes.Length > 0; break;
                        case "system": drv.System = bytes; systemSet = bytes.Length > 0; break;
                        case "outputHash": outputHash = bytes.ToString(); break;
                        case "outputHashAlgo": outputHashAlgo = bytes.ToString(); break;
                        case "outputHashMode": outputHashMode = CheckHashMode(cx, bytes.ToString()); break;
                        case "outputs":
                            outputList = CheckOutputs(cx, Tokenize(state, bytes.Span, scratch.Outputs));
                            drv.Environment.EnsureCapacity(attrCount + outputList.Count);
                            break;
                    }
                }
            }
            catch (NixEvalException e)
            {
                e.AddTrace($"while evaluating the attribute '{key}' of the derivation '{drvName}'", null, default);
                throw;
            }
        }

        if (json != null)
        {
            json.Write("}"u8);
            drv.Environment[state.EnvironmentKey("__json")] = ByteString.CopyFrom(json.WrittenSpan);
        }

        AddInputs(cx, state, drv, context);

        if (!builderSet) throw cx.Error("required attribute 'builder' missing");
        if (!systemSet) throw cx.Error("required attribute 'system' missing");
        if (drvName.EndsWith(".drv", StringComparison.Ordinal)) throw cx.Error("derivation names are not allowed to end in '.drv'");

        try
        {
            ReadOnlySpan<string> outputs = outputList is null ? DefaultOutputs : CollectionsMarshal.AsSpan(outputList);
            if (outputHash != null) SetFixedOutput(drv, outputs, outputHash, outputHashAlgo, outputHashMode);
            else if (contentAddressed) SetFloatingOutputs(drv, outputs, outputHashAlgo, outputHashMode);
            else
            {
                foreach (var name in outputs) drv.Outputs[name] = DerivationOutput.Deferred;
            }
            // Output paths, .drv path and hash modulo in one pass; the ATerm is copied only when it is written.
            var instantiated = drv.Instantiate(drvName, state.InputHashModulo, out var aterm, state.StoreDirectory);
            var drvPath = instantiated.Path;
            var known = state.AddDerivation(KnownDerivation.Created(drv, instantiated, state.StoreDirectory));
            if (state.WriteDerivations && !state.Store.IsValid(drvPath)) state.Store.AddText(drvPath, aterm.ToArray(), instantiated.References);
            var result = BuildResult(cx, state, drv, known);
            state.ReturnDerivation(drv);
            // After the derivation is cleared: its variables were in the scratch's arena.
            state.ReturnScratch(scratch);
            return result;
        }
        catch (NixFormatException e)
        {
            throw cx.Error(e.Message);
        }
    }

    /// <summary>An attribute name's bytes as an environment variable name, without a copy when they are a whole array.</summary>
    private static ByteString EnvironmentKey(ReadOnlyMemory<byte> name) =>
        MemoryMarshal.TryGetArray(name, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? new ByteString(segment.Array)
            : ByteString.CopyFrom(name.Span);

    private static string CheckHashMode(EvalContext cx, string mode)
    {
        if (mode is "recursive" or "flat") return mode;
        throw cx.Error($"invalid value '{mode}' for 'outputHashMode' attribute");
    }

    private static readonly string[] DefaultOutputs = ["out"];

    /// <summary>Checks the names of the <c>outputs</c> attribute; returns them.</summary>
    private static List<string> CheckOutputs(EvalContext cx, List<string> names)
    {
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            if (names.IndexOf(name, 0, i) >= 0) throw cx.Error($"duplicate derivation output '{name}'");
            // 'drv' is refused by Nix 2.8 ('drv' + "Path" would clash with the result's 'drvPath');
            // 'drvPath' itself is refused by newer Nix: the output attribute would be 'drvPath'.
            if (name is "drv" or "drvPath") throw cx.Error($"invalid derivation output name '{name}'");
        }
        if (names.Count == 0) throw cx.Error("derivation cannot have an empty set of outputs");
        return names;
    }

    /// <summary>The words of <paramref name="s"/> (separated by spaces, tabs and line breaks) as shared output names, into <paramref name="result"/>.</summary>
    private static List<string> Tokenize(GlueState state, ReadOnlySpan<byte> s, List<string> result)
    {
        result.Clear();
        var start = -1;
        for (var i = 0; i <= s.Length; i++)
        {
            var separator = i == s.Length || s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r';
            if (!separator)
            {
                if (start < 0) start = i;
                continue;
            }
            if (start >= 0) result.Add(state.OutputName(s[start..i]));
            start = -1;
        }
        return result;
    }

    /// <summary>
    /// Everything in the context becomes an input: <c>!OUT!DRV</c> an output of an input derivation,
    /// <c>=DRV</c> the derivation's whole closure (every path in it as a source, every
    /// <c>.drv</c> in it with all outputs), a plain path a source.
    /// </summary>
    private static void AddInputs(EvalContext cx, GlueState state, Derivation drv, ContextSet context)
    {
        var store = state.StoreDirectory;
        for (var index = 0; index < context.Count; index++)
        {
            var element = context[index];
            if (element.Length == 0) continue;
            if (element[0] == '!')
            {
                var second = element.IndexOf('!', 1);
                var outputSpan = element.AsSpan(1, second - 1);
                // Usually a derivation made here: found by its printed path, output name shared.
                if (state.FindDerivation(element.AsSpan(second + 1)) is { } known)
                    drv.AddInputDerivationOutput(known.Path, known.OutputName(outputSpan) ?? outputSpan.ToString());
                else
                    drv.AddInputDerivationOutput(ParseStorePath(cx, store, element[(second + 1)..]), outputSpan.ToString());
            }
            else if (element[0] == '=')
            {
                var root = state.FindDerivation(element.AsSpan(1))?.Path ?? ParseStorePath(cx, store, element[1..]);
                var closure = new HashSet<StorePath>();
                var stack = new Stack<StorePath>();
                stack.Push(root);
                while (stack.Count > 0)
                {
                    var path = stack.Pop();
                    if (!closure.Add(path)) continue;
                    foreach (var reference in state.References(path)) stack.Push(reference);
                }
                foreach (var path in closure)
                {
                    drv.InputSources.Add(path);
                    if (path.Name.EndsWith(".drv", StringComparison.Ordinal))
                    {
                        foreach (var output in state.GetDerivation(path).OutputNames)
                            drv.AddInputDerivationOutput(path, output);
                    }
                }
            }
            else
            {
                drv.InputSources.Add(ParseStorePath(cx, store, element));
            }
        }
    }

    private static StorePath ParseStorePath(EvalContext cx, StoreDirectory store, string path)
    {
        if (store.TryParsePath(path, out var parsed)) return parsed!;
        throw cx.Error($"path '{path}' is not in the Nix store");
    }

    private static void SetFixedOutput(Derivation drv, ReadOnlySpan<string> outputs, string outputHash, string? outputHashAlgo, string? outputHashMode)
    {
        if (outputs.Length != 1 || outputs[0] != "out")
            throw new NixEvalException("multiple outputs are not supported in fixed-output derivations");
        drv.Outputs["out"] = DerivationOutput.FixedFromAttributes(outputHash, outputHashAlgo, outputHashMode);
    }

    /// <summary>
    /// <c>__contentAddressed = true</c>: every output floating, hashed with <c>outputHashAlgo</c>
    /// (SHA-256 when absent or unknown, as Nix 2.8's <c>parseHashTypeOpt(…).value_or(htSHA256)</c>)
    /// over the NAR unless <c>outputHashMode = "flat"</c>.
    /// </summary>
    private static void SetFloatingOutputs(Derivation drv, ReadOnlySpan<string> outputs, string? outputHashAlgo, string? outputHashMode)
    {
        var algorithm = (outputHashAlgo is null ? null : NixHashAlgorithms.TryParse(outputHashAlgo)) ?? NixHashAlgorithm.Sha256;
        var mode = outputHashMode == "flat" ? OutputHashMode.Flat : OutputHashMode.Recursive;
        foreach (var name in outputs) drv.Outputs[name] = DerivationOutput.Floating(algorithm, mode);
    }

    /// <summary>
    /// <c>{ drvPath; OUTPUT = path; … }</c> with Nix's contexts. An output's string shares the bytes
    /// of its environment variable; a deferred output gets its downstream placeholder.
    /// </summary>
    private static Value BuildResult(EvalContext cx, GlueState state, Derivation drv, KnownDerivation known)
    {
        var drvPath = known.Path;
        var drvPathText = known.PrintedPath;
        // Made by a merge into the empty set: no builder, no sort of a handful of names.
        var count = drv.Outputs.Count + 1;
        // On the stack for the usual few outputs: Update copies them into the set.
        var nameBuffer = new NameBuffer();
        var valueBuffer = new ValueBuffer();
        var names = count <= NameBuffer.Size ? nameBuffer[..count] : new ReadOnlyMemory<byte>[count];
        var values = count <= NameBuffer.Size ? valueBuffer[..count] : new Value[count];
        names[0] = DrvPathName;
        var drvPathBytes = new byte[Encoding.UTF8.GetByteCount(drvPathText)];
        Encoding.UTF8.GetBytes(drvPathText, drvPathBytes);
        values[0] = Value.FromString(new NixString(drvPathBytes, NixContext.Of(known.ContextElement)));
        var i = 1;
        foreach (var (name, output) in drv.Outputs)
        {
            var key = state.EnvironmentKey(name);
            byte[] path;
            if (output.Path is null) path = Encoding.UTF8.GetBytes(Placeholders.Downstream(drvPath, name));
            else if (drv.Environment.TryGetValue(key, out var variable)
                     && MemoryMarshal.TryGetArray(variable.Memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length)
                path = segment.Array; // Instantiate set the variable to the printed path

            else path = Encoding.UTF8.GetBytes(state.StoreDirectory.Print(output.Path));
            names[i] = key.Memory;
            values[i++] = Value.FromString(new NixString(path, NixContext.Of(string.Concat("!", name, "!", drvPathText))));
        }
        return Value.FromAttrs(cx.Update(cx.EmptyAttrs, names, values));
    }

    private static readonly ReadOnlyMemory<byte> DrvPathName = "drvPath"u8.ToArray();

    /// <summary>
    /// A name that cannot be part of a store path is reported before any other attribute is
    /// looked at, in current Nix's words (the empty name is left to the output paths' checks).
    /// </summary>
    private static void CheckName(EvalContext cx, string drvName)
    {
        // Which names are valid is the store path rule's; only the wording is current Nix's here.
        if (drvName.Length == 0 || StorePath.ValidateName(drvName) is null) return;
        var reason = drvName.Length > StorePath.MaxNameLength ? $"must be no longer than {StorePath.MaxNameLength} characters"
            : drvName is "." or ".." ? "is not valid"
            : $"contains illegal character '{IllegalCharacter(drvName)}'";
        throw cx.Error($"invalid derivation name: name '{drvName}' {reason}. Please pass a different 'name'.");
    }

    /// <summary>The first character a store path name may not hold (U+FFFD for a non-ASCII one, whose first byte Nix prints).</summary>
    private static char IllegalCharacter(string name)
    {
        foreach (var c in name)
            if (!StorePath.IsNameChar(c)) return c < 128 ? c : '\uFFFD';
        throw new ArgumentException("the name is valid", nameof(name));
    }
}
