using Tvix.Eval.Support.Versions;

namespace Tvix.Eval.Builtins;

/// <summary><c>splitVersion</c>, <c>compareVersions</c> and <c>parseDrvName</c>.</summary>
internal static class SupportVersionBuiltins
{
    public static void Register(BuiltinRegistry registry)
    {
        registry.Add("splitVersion", 1, SplitVersion);
        registry.Add("compareVersions", 2, CompareVersions);
        registry.Add("parseDrvName", 1, ParseDrvName);
    }

    private static Value SplitVersion(EvalContext cx, ReadOnlySpan<Value> args)
    {
        var version = SupportArgs.StringNoContext(cx, args[0], 0, "splitVersion").Bytes;
        var parts = NixVersions.Split(version);
        var items = new Value[parts.Length];
        for (var i = 0; i < items.Length; i++) items[i] = SupportArgs.Str(version[parts[i]]);
        return Value.FromList(new NixList(items));
    }

    private static Value CompareVersions(EvalContext cx, ReadOnlySpan<Value> args)
    {
        var a = SupportArgs.StringNoContext(cx, args[0], 0, "compareVersions");
        var b = SupportArgs.StringNoContext(cx, args[1], 1, "compareVersions");
        return Value.FromInt(NixVersions.Compare(a.Bytes, b.Bytes));
    }

    private static Value ParseDrvName(EvalContext cx, ReadOnlySpan<Value> args)
    {
        var full = SupportArgs.StringNoContext(cx, args[0], 0, "parseDrvName").Bytes;
        var (name, version) = NixVersions.ParseDrvName(full);
        return Value.FromAttrs(cx.CreateAttrsBuilder(2)
            .Add("name", SupportArgs.Str(full[name]))
            .Add("version", SupportArgs.Str(full[version]))
            .Build());
    }
}
