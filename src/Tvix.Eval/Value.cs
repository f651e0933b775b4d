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
/// A Nix value: a 16-byte struct of a reference and 8 bytes. Ints, floats, bools and null are
/// never boxed: their 8 bytes are the payload and the reference is a shared, immutable tag
/// naming the kind. Every other kind (strings, paths, attribute sets, lists, functions,
/// thunks) is the reference, with the kind in the 8 bytes. Keeping the kind out of a field of
/// its own makes the struct 16 bytes instead of 24, which shrinks every list, attribute set,
/// environment and thunk. Values are immutable; a thunk value is replaced by its result when
/// forced through an <see cref="EvalContext"/>.
/// </summary>
public readonly struct Value
{
    // Scalars: the KindTag of their kind. Others: the object. default(Value): null (Invalid).
    internal readonly object? Obj;
    // Scalars: the payload. Others: their ValueKind.
    internal readonly long Bits;

    /// <summary>The kind of this value (<see cref="ValueKind.Thunk"/> when not forced yet).</summary>
    public ValueKind Kind
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        // An exact type comparison rather than `is`: ReadyToRun code compiles `is` into a
        // call to the runtime's cast helper, this into a compare of method tables.
        // (byte): a package-set member's thunk keeps its index above the kind (see FromMember).
        get => Obj is { } o && o.GetType() == typeof(KindTag) ? Unsafe.As<KindTag>(o).Kind : (ValueKind)(byte)Bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Value(object? obj, long bits)
    {
        Obj = obj;
        Bits = bits;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Value Heap(ValueKind kind, object obj) => new(obj, (long)kind);

    /// <summary>A value of kind <see cref="ValueKind.Invalid"/> carrying an internal object (an environment), never seen by Nix code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Value Internal(object? obj) => new(obj, 0);

    /// <summary>The object of a non-scalar value (null for scalars): what identifies a value slot for Nix's <c>==</c>.</summary>
    internal object? Identity
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Obj is { } o && o.GetType() != typeof(KindTag) ? (o.GetType() == typeof(LazyMembers) ? RawThunk : o) : null;
    }

    /// <summary>
    /// Whether this is null, a Boolean, a number, a string or a path: a value without an identity
    /// Nix code can observe (<c>==</c> compares them by content), so it may take the place of the
    /// forced thunk it came from in an environment slot, a set or a list. Functions, and sets and
    /// lists that may hold them, stay behind their thunk (<c>==</c> compares value slots first).
    /// </summary>
    internal bool IsAtom
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Obj is { } o && (o.GetType() == typeof(KindTag) || (ValueKind)(byte)Bits is ValueKind.String or ValueKind.Path);
    }

    /// <summary>
    /// An empty array of values. Not <c>[]</c> (<c>Array.Empty&lt;Value&gt;()</c>): that generic
    /// class's initialiser over this struct is not in the ReadyToRun image and was JIT-compiled at
    /// start-up. (Shared, like Array.Empty: a zero-length array cannot be changed.)
    /// </summary>
    internal static readonly Value[] NoValues = new Value[0];

    /// <summary><c>null</c>.</summary>
    public static Value Null => new(KindTag.Null, 0);

    /// <summary><c>true</c>.</summary>
    public static Value True => new(KindTag.Bool, 1);

    /// <summary><c>false</c>.</summary>
    public static Value False => new(KindTag.Bool, 0);

    /// <summary>A boolean.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value FromBool(bool b) => new(KindTag.Bool, b ? 1 : 0);

    /// <summary>An integer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value FromInt(long i) => new(KindTag.Int, i);

    /// <summary>A float.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Value FromFloat(double d) => new(KindTag.Float, BitConverter.DoubleToInt64Bits(d));

    /// <summary>A string value.</summary>
    public static Value FromString(NixString s) => Heap(ValueKind.String, s);

    /// <summary>A context-free string value from .NET text (encoded as UTF-8).</summary>
    public static Value FromString(string s) => Heap(ValueKind.String, NixString.FromUtf8(s));

    /// <summary>A path value. The path must be absolute and canonical (see <see cref="NixPath.Canonicalize"/>).</summary>
    public static Value FromPath(string absolutePath) => Heap(ValueKind.Path, absolutePath);

    /// <summary>A list value.</summary>
    public static Value FromList(NixList list) => Heap(ValueKind.List, list);

    /// <summary>An attribute set value.</summary>
    public static Value FromAttrs(NixAttrs attrs) => Heap(ValueKind.Attrs, attrs);

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
    /// <summary>The thunk of a value of kind <see cref="ValueKind.Thunk"/>; a package-set member's is made here on first use (<see cref="LazyMembers"/>).</summary>
    internal Thunk RawThunk
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Obj!.GetType() == typeof(LazyMembers) ? MemberThunk() : Unsafe.As<Thunk>(Obj);
    }

    // Out of line: RawThunk is inlined into every force, and into the bytecode loop's frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Thunk MemberThunk() => Unsafe.As<LazyMembers>(Obj!).ThunkOf((int)(Bits >> 8));

    /// <summary>
    /// The result of an evaluated thunk, or this value as it is (a thunk not evaluated yet, or
    /// not a thunk). Makes no member thunk (<see cref="LazyMembers"/>): one never made was never evaluated.
    /// </summary>
    internal Value Settled
    {
        // Out of line: callers test for a thunk first, and some are on the path of every call.
        [MethodImpl(MethodImplOptions.NoInlining)]
        get
        {
            if (Kind != ValueKind.Thunk) return this;
            var thunk = Obj!.GetType() == typeof(LazyMembers) ? Unsafe.As<LazyMembers>(Obj).MadeThunk((int)(Bits >> 8)) : Unsafe.As<Thunk>(Obj);
            return thunk is { IsEvaluated: true } ? thunk.Result : this;
        }
    }

    internal static Value FromThunk(Thunk t) => Heap(ValueKind.Thunk, t);

    /// <summary>The value of a reference and 8 bytes taken from another value (see <see cref="Thunk"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Value FromParts(object? obj, long bits) => new(obj, bits);

    /// <summary>Member <paramref name="index"/> of <paramref name="members"/>: a thunk whose object is made when first needed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Value FromMember(LazyMembers members, int index) => new(members, (long)ValueKind.Thunk | ((long)index << 8));
    internal static Value FromClosure(Closure c) => Heap(ValueKind.Lambda, c);
    internal static Value FromBuiltin(Builtin b) => Heap(ValueKind.PrimOp, b);
    internal static Value FromPartial(PartialApplication p) => Heap(ValueKind.PrimOpApp, p);

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

/// <summary>
/// The kind of a scalar value, referenced by the value itself so that the struct needs no kind
/// field. One immutable instance per scalar kind, shared by all evaluators.
/// </summary>
internal sealed class KindTag
{
    public static readonly KindTag Null = new(ValueKind.Null);
    public static readonly KindTag Bool = new(ValueKind.Bool);
    public static readonly KindTag Int = new(ValueKind.Int);
    public static readonly KindTag Float = new(ValueKind.Float);

    public readonly ValueKind Kind;

    private KindTag(ValueKind kind) => Kind = kind;
}
