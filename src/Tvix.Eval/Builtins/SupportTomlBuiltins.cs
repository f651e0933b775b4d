using Tvix.Eval.Support.Toml;

namespace Tvix.Eval.Builtins;

/// <summary><c>builtins.fromTOML</c>.</summary>
internal static class SupportTomlBuiltins
{
    /// <summary>
    /// Registers <c>fromTOML</c>. With <paramref name="parseTimestamps"/> (Nix's experimental
    /// feature <c>parse-toml-timestamps</c>) dates and times become
    /// <c>{ _type = "timestamp"; value = "…"; }</c>; without it they are an error, as in Nix.
    /// </summary>
    public static void Register(BuiltinRegistry registry, bool parseTimestamps = false) =>
        registry.Add("fromTOML", 1, (cx, args) => FromToml(cx, args, parseTimestamps), global: true);

    private static Value FromToml(EvalContext cx, ReadOnlySpan<Value> args, bool parseTimestamps)
    {
        var text = SupportArgs.StringNoContext(cx, args[0], 0, "fromTOML");
        TomlValue document;
        try
        {
            document = TomlParser.Parse(text.Bytes);
        }
        catch (TomlException e)
        {
            throw cx.Error("while parsing TOML: " + e.Message);
        }
        return Convert(cx, document, parseTimestamps);
    }

    private static Value Convert(EvalContext cx, TomlValue v, bool parseTimestamps)
    {
        switch (v.Kind)
        {
            case TomlValueKind.Table:
            {
                var builder = cx.CreateAttrsBuilder(v.Entries!.Count);
                foreach (var (key, child) in v.Entries) builder.Add(key, Convert(cx, child, parseTimestamps));
                return Value.FromAttrs(builder.Build());
            }
            case TomlValueKind.Array:
            {
                if (v.Items!.Count == 0) return Value.FromList(NixList.Empty);
                var items = new Value[v.Items.Count];
                for (var i = 0; i < items.Length; i++) items[i] = Convert(cx, v.Items[i], parseTimestamps);
                return Value.FromList(new NixList(items));
            }
            case TomlValueKind.String:
                if (v.StringValue!.Contains('\0'))
                {
                    // Nix strings cannot hold NUL; current Nix reports it like fromJSON does.
                    throw cx.Error($"while parsing TOML: error: input string '{v.StringValue.Replace('\0', '\u2400')}' cannot be represented as Nix string because it contains null bytes");
                }
                return Value.FromString(v.StringValue);
            case TomlValueKind.Integer:
                return Value.FromInt(v.IntegerValue);
            case TomlValueKind.Float:
                return Value.FromFloat(v.FloatValue);
            case TomlValueKind.Boolean:
                return Value.FromBool(v.BooleanValue);
            default:
                if (!parseTimestamps) throw cx.Error("while parsing TOML: Dates and times are not supported");
                return Value.FromAttrs(cx.CreateAttrsBuilder(2)
                    .Add("_type", Value.FromString("timestamp"))
                    .Add("value", Value.FromString(v.DateTimeValue.ToNixString()))
                    .Build());
        }
    }
}
