using Tvix.Eval;

namespace Tvix.Glue.Builtins;

/// <summary>
/// <c>derivation</c> natively. Nix 2.8 defines it in Nix (<c>derivation.nix</c>): per call a
/// <c>listToAttrs</c>, a <c>map</c>, three <c>//</c> and a handful of closures and thunks, which
/// cost a derivation-heavy evaluation about a quarter of its time. This builds the same sets
/// directly: for each output, <c>drvAttrs // (outputs // { all; drvAttrs; }) // { outPath;
/// drvPath; type; outputName; }</c> in one update, with the same laziness (<c>derivationStrict</c>
/// runs when an <c>outPath</c> or <c>drvPath</c> is forced) and the same sharing.
/// </summary>
/// <remarks>
/// The function programs see is still a Nix lambda with Nix's pattern (<c>functionArgs</c> gives
/// <c>{ outputs = true; }</c>, it prints as a lambda), applied to the native part.
/// </remarks>
internal static class DerivationBuiltin
{
    private const string Wrapper = """native: drvAttrs @ { outputs ? [ "out" ], ... }: native drvAttrs""";

    private static readonly Value DefaultOutputs = Value.FromList(new NixList([Value.FromString("out")]));

    private static readonly Value DerivationType = Value.FromString("derivation");

    private static readonly ReadOnlyMemory<byte> All = "all"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> DrvAttrs = "drvAttrs"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> OutPath = "outPath"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> DrvPath = "drvPath"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> Type = "type"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> OutputName = "outputName"u8.ToArray();

    public static void Register(BuiltinRegistry registry, GlueState state) =>
        registry.AddConstant("derivation", cx => Create(cx, state.Selectors), global: true);

    // The selectors are asked for when `derivation` is first used, not at registration: most
    // evaluations never call it (and the glue's state makes its tables on first use).
    private static Value Create(EvalContext cx, DerivationSelectors selectors) =>
        cx.Call(cx.LoadExpressionLazily(Wrapper, "/", "«nix-internal»/derivation.nix"),
            cx.CreateFunction("derivation", 1, (cx, args) => Invoke(cx, selectors, args)));

    private static Value Invoke(EvalContext cx, DerivationSelectors selectors, ReadOnlySpan<Value> args)
    {
        var drvAttrs = cx.ForceAttrs(args[0]);
        var outputs = cx.ForceList(drvAttrs.TryGetValue("outputs"u8, out var outputsValue) ? outputsValue : DefaultOutputs).AsSpan();
        if (outputs.Length == 0) throw cx.Error("'builtins.head' called on an empty list");

        var builtins = cx.Builtins;
        var strict = cx.CallLazy(BuiltinValue(cx, builtins, "derivationStrict"u8), Value.FromAttrs(drvAttrs));
        var drvPath = cx.CallLazy(selectors.Attribute(cx, "drvPath"u8), strict);

        // `all` and the outputs' own attributes: output i is `elemAt all i`, filled in below
        // (nothing can force it before this call returns).
        var all = new Value[outputs.Length];
        var allValue = Value.FromList(new NixList(all));
        // The attributes added to drvAttrs, in Nix's order of precedence (the last of equal
        // names wins): the outputs (the first of equal output names, as listToAttrs), all,
        // drvAttrs, then each output's own four.
        var extra = outputs.Length + 6;
        // On the stack for the usual few outputs (a derivation call otherwise leaves two more
        // arrays behind).
        var nameBuffer = new NameBuffer();
        var valueBuffer = new ValueBuffer();
        var names = extra <= NameBuffer.Size ? nameBuffer[..extra] : new ReadOnlyMemory<byte>[extra];
        var values = extra <= NameBuffer.Size ? valueBuffer[..extra] : new Value[extra];
        var own = 0;
        for (var i = 0; i < outputs.Length; i++)
        {
            var name = cx.ForceString(outputs[i]).Memory;
            if (IsNameBefore(names[..own], name.Span)) continue;
            names[own] = name;
            values[own++] = cx.CallLazy(selectors.Element(cx, i), allValue);
        }
        names[own] = All;
        values[own++] = allValue;
        names[own] = DrvAttrs;
        values[own++] = Value.FromAttrs(drvAttrs);
        names[own] = OutPath;
        names[own + 1] = DrvPath;
        values[own + 1] = drvPath;
        names[own + 2] = Type;
        values[own + 2] = DerivationType;
        names[own + 3] = OutputName;
        var outputString = cx.ForceString(outputs[0]);
        var outputName = Value.FromString(outputString);
        values[own] = cx.CallLazy(selectors.Attribute(cx, outputString.Bytes), strict);
        values[own + 3] = outputName;
        var first = cx.Update(drvAttrs, names[..(own + 4)], values[..(own + 4)]);
        all[0] = Value.FromAttrs(first);
        // The other outputs' sets differ from the first only in outPath and outputName: made from
        // it, they share its names and positions (the buffers are free again for the two).
        names[0] = OutPath;
        names[1] = OutputName;
        for (var j = 1; j < outputs.Length; j++)
        {
            outputString = cx.ForceString(outputs[j]);
            outputName = Value.FromString(outputString);
            values[0] = cx.CallLazy(selectors.Attribute(cx, outputString.Bytes), strict);
            values[1] = outputName;
            all[j] = Value.FromAttrs(cx.Update(first, names[..2], values[..2]));
        }
        return all[0];
    }

    /// <summary>Whether an earlier output has this name (<c>listToAttrs</c> keeps the first of equal names).</summary>
    private static bool IsNameBefore(Span<ReadOnlyMemory<byte>> earlier, ReadOnlySpan<byte> name)
    {
        foreach (var other in earlier)
        {
            if (other.Span.SequenceEqual(name)) return true;
        }
        return false;
    }

    private static Value BuiltinValue(EvalContext cx, NixAttrs builtins, ReadOnlySpan<byte> name) =>
        builtins.TryGetValue(name, out var value) ? value : throw cx.Error($"builtin '{System.Text.Encoding.UTF8.GetString(name)}' is missing");
}
