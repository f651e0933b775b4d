using System.Runtime.CompilerServices;
using Tvix.Eval.Runtime;

namespace Tvix.Eval;

/// <summary>The kind of a Nix <see cref="Value"/>.</summary>
public enum ValueKind : byte
{
    /// <summary>The default value of the struct; never produced by evaluation.</summary>
    Invalid = 0,
    /// <summary><c>null</c>.</summary>
    Null,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Bool,
    /// <summary>A 64-bit integer.</summary>
    Int,
    /// <summary>A 64-bit float.</summary>
    Float,
    /// <summary>A byte string with an optional context (<see cref="NixString"/>).</summary>
    String,
    /// <summary>An absolute, canonical path.</summary>
    Path,
    /// <summary>An attribute set (<see cref="NixAttrs"/>).</summary>
    Attrs,
    /// <summary>A list (<see cref="NixList"/>).</summary>
    List,
    /// <summary>A function written in Nix.</summary>
    Lambda,
    /// <summary>A builtin function.</summary>
    PrimOp,
    /// <summary>A partially applied builtin function.</summary>
    PrimOpApp,
    /// <summary>A value not evaluated yet; force it with <see cref="EvalContext.Force(Value)"/>.</summary>
    Thunk,
}

/// <summary>
/// A Nix value: a small struct holding a tag plus either 8 bytes of payload (ints, floats,
/// bools, null are never boxed) or a reference (strings, paths, attribute sets, lists,
/// functions, thunks). Values are immutable; a thunk value is replaced by its result when
/// forced through an <see cref="EvalContext"/>.
/// </summary>
public readonly struct Value
{
    internal readonly object? Obj;
    internal readonly long Bits;

    /// <summary>The kind of this value (<see cref="ValueKind.Thunk"/> when not forced yet).</summary>
    public readonly ValueKind Kind;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal Value(ValueKind kind, object? obj, long bits)
    {
        Kind = kind;
        Obj = obj;
        Bits = bits;
    }

    /// <summary><c>null</c>.</summary>
    public static Value Null => new(ValueKind.Null, null, 0);

    /// <summary><c>true</c>.</summary>
    public static Value True => new(ValueKind.Bool, null, 1);

    /// <summary><c>false</c>.</summary>
    public static Value False => new(ValueKind.Bool, null, 0);

    /// <summary>A boolean.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value FromBool(bool b) => new(ValueKind.Bool, null, b ? 1 : 0);

    /// <summary>An integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value FromInt(long i) => new(ValueKind.Int, null, i);

    /// <summary>A float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value FromFloat(double d) => new(ValueKind.Float, null, BitConverter.DoubleToInt64Bits(d));

    /// <summary>A string value.</summary>
    public static Value FromString(NixString s) => new(ValueKind.String, s, 0);

    /// <summary>A context-free string value from .NET text (encoded as UTF-8).</summary>
    public static Value FromString(string s) => new(ValueKind.String, NixString.FromUtf8(s), 0);

    /// <summary>A path value. The path must be absolute and canonical (see <see cref="NixPath.Canonicalize"/>).</summary>
    public static Value FromPath(string absolutePath) => new(ValueKind.Path, absolutePath, 0);

    /// <summary>A list value.</summary>
    public static Value FromList(NixList list) => new(ValueKind.List, list, 0);

    /// <summary>An attribute set value.</summary>
    public static Value FromAttrs(NixAttrs attrs) => new(ValueKind.Attrs, attrs, 0);

    /// <summary>Whether this value is a thunk that has not been forced.</summary>
    public bool IsThunk => Kind == ValueKind.Thunk;

    /// <summary>Whether this value is callable: a lambda, a builtin or a partially applied builtin (functor sets excluded).</summary>
    public bool IsFunction => Kind is ValueKind.Lambda or ValueKind.PrimOp or ValueKind.PrimOpApp;

    /// <summary>The boolean payload; the value must be a forced <see cref="ValueKind.Bool"/>.</summary>
    public bool AsBool => Check(ValueKind.Bool).Bits != 0;

    /// <summary>The integer payload; the value must be a forced <see cref="ValueKind.Int"/>.</summary>
    public long AsInt => Check(ValueKind.Int).Bits;

    /// <summary>The float payload; the value must be a forced <see cref="ValueKind.Float"/>.</summary>
    public double AsFloat => BitConverter.Int64BitsToDouble(Check(ValueKind.Float).Bits);

    /// <summary>The string; the value must be a forced <see cref="ValueKind.String"/>.</summary>
    public NixString AsString => (NixString)Check(ValueKind.String).Obj!;

    /// <summary>The absolute path; the value must be a forced <see cref="ValueKind.Path"/>.</summary>
    public string AsPath => (string)Check(ValueKind.Path).Obj!;

    /// <summary>The list; the value must be a forced <see cref="ValueKind.List"/>.</summary>
    public NixList AsList => (NixList)Check(ValueKind.List).Obj!;

    /// <summary>The attribute set; the value must be a forced <see cref="ValueKind.Attrs"/>.</summary>
    public NixAttrs AsAttrs => (NixAttrs)Check(ValueKind.Attrs).Obj!;

    internal long RawInt => Bits;
    internal double RawFloat => BitConverter.Int64BitsToDouble(Bits);
    internal bool RawBool => Bits != 0;
    internal NixString RawString => Unsafe.As<NixString>(Obj!);
    internal string RawPath => Unsafe.As<string>(Obj!);
    internal NixAttrs RawAttrs => Unsafe.As<NixAttrs>(Obj!);
    internal NixList RawList => Unsafe.As<NixList>(Obj!);
    internal Thunk RawThunk => Unsafe.As<Thunk>(Obj!);

    internal static Value FromThunk(Thunk t) => new(ValueKind.Thunk, t, 0);
    internal static Value FromClosure(Closure c) => new(ValueKind.Lambda, c, 0);
    internal static Value FromBuiltin(Builtin b) => new(ValueKind.PrimOp, b, 0);
    internal static Value FromPartial(PartialApplication p) => new(ValueKind.PrimOpApp, p, 0);

    private Value Check(ValueKind kind)
    {
        if (Kind != kind)
            throw new InvalidOperationException($"value is {TypeNames.Describe(this)} while {TypeNames.Of(kind)} was expected (force it first)");
        return this;
    }

    /// <summary>A short description for debugging; use <see cref="EvalContext.Print(Value, bool)"/> for Nix's printing.</summary>
    public override string ToString() => Kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Bool => RawBool ? "true" : "false",
        ValueKind.Int => RawInt.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ValueKind.Float => Printer.FormatFloat(RawFloat),
        ValueKind.String => RawString.ToString(),
        ValueKind.Path => RawPath,
        _ => $"<{Kind}>",
    };
}
