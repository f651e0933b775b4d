namespace Tvix.Eval.Runtime;

/// <summary>Nix's names for value types, as used in error messages and <c>builtins.typeOf</c>.</summary>
internal static class TypeNames
{
    /// <summary>"an integer", "a set", … (Nix's showType).</summary>
    public static string Of(ValueKind kind) => kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Bool => "a Boolean",
        ValueKind.Int => "an integer",
        ValueKind.Float => "a float",
        ValueKind.String => "a string",
        ValueKind.Path => "a path",
        ValueKind.Attrs => "a set",
        ValueKind.List => "a list",
        ValueKind.Lambda => "a function",
        ValueKind.PrimOp => "a built-in function",
        ValueKind.PrimOpApp => "a partially applied built-in function",
        ValueKind.Thunk => "a thunk",
        _ => "an invalid value",
    };

    public static string Describe(Value v)
    {
        if (v.Kind == ValueKind.String && v.RawString.HasContext) return "a string with context";
        return Of(v.Kind);
    }

    /// <summary>The result of <c>builtins.typeOf</c>.</summary>
    public static string TypeOf(ValueKind kind) => kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Bool => "bool",
        ValueKind.Int => "int",
        ValueKind.Float => "float",
        ValueKind.String => "string",
        ValueKind.Path => "path",
        ValueKind.Attrs => "set",
        ValueKind.List => "list",
        ValueKind.Lambda or ValueKind.PrimOp or ValueKind.PrimOpApp => "lambda",
        _ => "thunk",
    };
}
