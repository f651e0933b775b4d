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

    private static readonly Value DrvPathName = Value.FromString("drvPath");

    public static void Register(BuiltinRegistry registry) =>
        registry.AddConstant("derivation", static cx =>
            cx.Call(cx.LoadExpressionLazily(Wrapper, "/", "«nix-internal»/derivation.nix"), cx.CreateFunction("derivation", 1, Invoke)),
            global: true);

    private static Value Invoke(EvalContext cx, ReadOnlySpan<Value> args)
    {
        var drvAttrs = cx.ForceAttrs(args[0]);
        var outputs = cx.ForceList(drvAttrs.TryGetValue("outputs"u8, out var outputsValue) ? outputsValue : DefaultOutputs).AsSpan();
        if (outputs.Length == 0) throw cx.Error("'builtins.head' called on an empty list");

        var builtins = cx.Builtins;
        var strict = cx.CallLazy(BuiltinValue(cx, builtins, "derivationStrict"u8), Value.FromAttrs(drvAttrs));
        var getAttr = BuiltinValue(cx, builtins, "getAttr"u8);
        var drvPath = cx.CallLazy2(getAttr, DrvPathName, strict);

        // `all` and the outputs' own attributes: output i is `elemAt all i`, filled in below
        // (nothing can force it before this call returns).
        var all = new Value[outputs.Length];
        var allValue = Value.FromList(new NixList(all));
        var names = new NixString[outputs.Length];
        for (var i = 0; i < outputs.Length; i++) names[i] = cx.ForceString(outputs[i]);
        var elemAt = BuiltinValue(cx, builtins, "elemAt"u8);
        var outputValues = new Value[outputs.Length];
        for (var i = 0; i < outputs.Length; i++)
            outputValues[i] = FirstWithName(names, i) ? cx.CallLazy2(elemAt, allValue, Value.FromInt(i)) : default;

        for (var j = 0; j < outputs.Length; j++)
        {
            // Added in Nix's order of precedence (a builder keeps the last of equal names).
            var extra = cx.CreateAttrsBuilder(outputs.Length + 6);
            for (var i = 0; i < outputs.Length; i++)
            {
                if (outputValues[i].Kind != ValueKind.Invalid) extra.Add(names[i].Bytes, outputValues[i]);
            }
            extra.Add("all"u8, allValue);
            extra.Add("drvAttrs"u8, Value.FromAttrs(drvAttrs));
            var outputName = Value.FromString(names[j]);
            extra.Add("outPath"u8, cx.CallLazy2(getAttr, outputName, strict));
            extra.Add("drvPath"u8, drvPath);
            extra.Add("type"u8, DerivationType);
            extra.Add("outputName"u8, outputName);
            all[j] = Value.FromAttrs(cx.Update(drvAttrs, extra.Build()));
        }
        return all[0];
    }

    /// <summary>Whether output <paramref name="i"/> is the first of its name (<c>listToAttrs</c> keeps the first).</summary>
    private static bool FirstWithName(NixString[] names, int i)
    {
        for (var k = 0; k < i; k++)
        {
            if (names[k].Bytes.SequenceEqual(names[i].Bytes)) return false;
        }
        return true;
    }

    private static Value BuiltinValue(EvalContext cx, NixAttrs builtins, ReadOnlySpan<byte> name) =>
        builtins.TryGetValue(name, out var value) ? value : throw cx.Error($"builtin '{System.Text.Encoding.UTF8.GetString(name)}' is missing");
}
