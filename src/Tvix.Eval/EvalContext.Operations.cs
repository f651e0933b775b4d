using System.Globalization;
using System.Text;
using Tvix.Eval.Runtime;

namespace Tvix.Eval;

/// <summary>How far <see cref="EvalContext.CoerceToString"/> goes.</summary>
public enum StringCoercion
{
    /// <summary>As string interpolation: strings, paths (copied to the store when a hook is set), sets with <c>__toString</c>/<c>outPath</c>.</summary>
    Interpolation,
    /// <summary>As <c>builtins.toString</c>: also ints, floats, Booleans, null and lists; paths are not copied.</summary>
    ToString,
    /// <summary>As interpolation, but paths stay paths (not copied), as builtins that take a path want.</summary>
    NoCopy,
}

public sealed partial class EvalContext
{
    /// <summary>Coerces a value to a string as Nix does for interpolation or <c>toString</c>.</summary>
    public NixString CoerceToString(Value v, StringCoercion mode)
    {
        v = Force(v);
        switch (v.Kind)
        {
            case ValueKind.String:
                return v.RawString;
            case ValueKind.Path:
                return mode == StringCoercion.Interpolation ? InterpolatePath(v.RawPath) : NixString.FromUtf8(v.RawPath);
            case ValueKind.Attrs:
            {
                var a = v.RawAttrs;
                if (a.TryGet(SymToString, out var f))
                {
                    var r = Force(Call(f, v));
                    if (r.Kind is ValueKind.String or ValueKind.Path || mode == StringCoercion.ToString)
                        return CoerceToString(r, mode);
                    try { return CoerceToString(r, mode); }
                    catch (NixEvalException e) when (e.Traced("while using the result of the `__toString` attribute", null, default)) { throw; }
                }
                if (a.TryGet(SymOutPath, out var outPath)) return CoerceToString(outPath, mode);
                break;
            }
        }
        if (mode == StringCoercion.ToString)
        {
            switch (v.Kind)
            {
                case ValueKind.Null: return NixString.Empty;
                case ValueKind.Bool: return v.RawBool ? One : NixString.Empty;
                case ValueKind.Int: return IntToString(v.RawInt);
                case ValueKind.Float: return NixString.FromUtf8(FormatFixed(v.RawFloat));
                case ValueKind.List:
                {
                    var items = v.RawList.Items;
                    // A pooled writer, not a List<byte>: its AddRange(ReadOnlySpan<byte>) is a
                    // framework generic that is JIT-compiled at first use.
                    var buf = new Support.PooledByteWriter(64);
                    try
                    {
                        var ctx = new ContextAccumulator();
                        for (var i = 0; i < items.Length; i++)
                        {
                            var s = CoerceToString(items[i], mode);
                            buf.Write(s.RawBytes);
                            ctx.Add(s.Context);
                            if (i < items.Length - 1)
                            {
                                var item = Force(items[i]);
                                if (item.Kind != ValueKind.List || item.RawList.Count != 0) buf.Write((byte)' ');
                            }
                        }
                        return new NixString(buf.ToArray(), ctx.Build());
                    }
                    finally
                    {
                        buf.Dispose();
                    }
                }
            }
        }
        throw Error($"cannot coerce {TypeNames.Describe(v)} to a string: {PrintForError(v)}");
    }

    private static readonly NixString One = NixString.FromUtf8("1");

    /// <summary>Entries of the <see cref="IntToString"/> cache (a power of two).</summary>
    private const int IntStringCacheSize = 64;

    /// <summary>Recently converted integers and their strings, by the integer's low bits.</summary>
    private IntString[]? _intStrings;

    private struct IntString
    {
        public long Value;
        public NixString? String;
    }

    /// <summary>
    /// <c>toString</c> of an integer. Programs convert the same few numbers over and over (an
    /// index in a name, a version component, a loop counter interpolated into several strings),
    /// and strings are immutable, so the last string made for each slot of a small direct-mapped
    /// table is handed out again instead of a new one per call.
    /// </summary>
    private NixString IntToString(long value)
    {
        var cache = _intStrings ??= new IntString[IntStringCacheSize];
        ref var slot = ref cache[(int)value & (IntStringCacheSize - 1)];
        if (slot.Value == value && slot.String is { } cached) return cached;
        var s = NixString.FromInt(value);
        slot.Value = value;
        slot.String = s;
        return s;
    }

    // A method of its own: the lambda's closure over the path would otherwise be allocated on
    // every call of CoerceToString (every interpolation), not only for paths.
    private NixString InterpolatePath(string path)
    {
        if (Options.PathToString is { } hook) return hook(this, path);
        // C++ Nix copies the path to the store here, which fails when it is missing.
        if (!Wrap(() => IO.PathExists(path))) throw Error($"path '{path}' does not exist");
        return NixString.FromUtf8(path);
    }

    /// <summary>
    /// Coerces a value to an absolute path for builtins that read files (<c>readFile</c>,
    /// <c>import</c>, …): a path, or a string/set that coerces to an absolute path.
    /// </summary>
    public string CoerceToPath(Value v)
    {
        v = Force(v);
        if (v.Kind == ValueKind.Path) return v.RawPath;
        var s = CoerceToString(v, StringCoercion.NoCopy).ToString();
        if (s.Length == 0 || s[0] != '/') throw Error($"string '{s}' doesn't represent an absolute path");
        return NixPath.Canonicalize(s);
    }

    // ---------------------------------------------------------------- equality and ordering

    /// <summary>Nix's <c>==</c>: forces as needed; ints and floats compare numerically; functions are never equal.</summary>
    public bool ValuesEqual(Value a, Value b) => Equal(a, b, top: true);

    /// <summary><c>==</c> on two value slots: the very same slot (thunk or function) is equal to itself, as in Nix.</summary>
    internal bool SlotsEqual(Value a, Value b) => Equal(a, b, top: false);

    private bool Equal(Value a, Value b, bool top)
    {
        // Nix forces both sides, then treats the very same value slot as equal (even a
        // function); this shows through list elements and attribute values, never at the top.
        var slotA = a.Identity;
        var slotB = b.Identity;
        a = Force(a);
        b = Force(b);
        if (!top && slotA is not null && ReferenceEquals(slotA, slotB)) return true;
        switch (a.Kind)
        {
            case ValueKind.Int:
                if (b.Kind == ValueKind.Int) return a.RawInt == b.RawInt;
                if (b.Kind == ValueKind.Float) return a.RawInt == b.RawFloat;
                return false;
            case ValueKind.Float:
                if (b.Kind == ValueKind.Float) return a.RawFloat == b.RawFloat;
                if (b.Kind == ValueKind.Int) return a.RawFloat == b.RawInt;
                return false;
        }
        if (a.Kind != b.Kind) return false;
        switch (a.Kind)
        {
            case ValueKind.Null: return true;
            case ValueKind.Bool: return a.RawBool == b.RawBool;
            case ValueKind.String: return a.RawString.ContentEquals(b.RawString);
            case ValueKind.Path: return a.RawPath == b.RawPath;
            case ValueKind.List:
            {
                var x = a.RawList.Items;
                var y = b.RawList.Items;
                if (x.Length != y.Length) return false;
                EnsureStack();
                for (var i = 0; i < x.Length; i++)
                    if (!Equal(x[i], y[i], top: false)) return false;
                return true;
            }
            case ValueKind.Attrs:
            {
                var x = a.RawAttrs;
                var y = b.RawAttrs;
                if (IsDerivation(x) && IsDerivation(y))
                {
                    if (x.TryGet(SymOutPath, out var ox) && y.TryGet(SymOutPath, out var oy))
                        return Equal(ox, oy, top: false);
                }
                if (x.Count != y.Count) return false;
                EnsureStack();
                for (var i = 0; i < x.Keys.Length; i++)
                {
                    if (x.Keys[i] != y.Keys[i]) return false;
                }
                for (var i = 0; i < x.Keys.Length; i++)
                {
                    if (!Equal(x.Values[i], y.Values[i], top: false)) return false;
                }
                return true;
            }
            default:
                return false;
        }
    }

    /// <summary>Throws a catchable error saying where two unequal values first differ (for failed <c>assert a == b</c>).</summary>
    internal void ExplainInequality(Value a, Value b, bool top)
    {
        if (!top && a.Identity is { } slot && ReferenceEquals(slot, b.Identity)) return;
        a = Force(a);
        b = Force(b);
        if (Arithmetic.IsNumber(a) && Arithmetic.IsNumber(b) && a.Kind != b.Kind)
        {
            if (Arithmetic.AsDouble(a) == Arithmetic.AsDouble(b)) return;
        }
        if (a.Kind != b.Kind || a.IsFunction != b.IsFunction)
            throw Unequal($"{TypeNames.Describe(a)} of value '{PrintForError(a)}' is not equal to {TypeNames.Describe(b)} of value '{PrintForError(b)}'");
        switch (a.Kind)
        {
            case ValueKind.Int:
                if (a.RawInt != b.RawInt) throw Unequal($"integer '{a.RawInt}' is not equal to integer '{b.RawInt}'");
                return;
            case ValueKind.Float:
                if (a.RawFloat != b.RawFloat) throw Unequal($"a float with value '{PrintForError(a)}' is not equal to a float with value '{PrintForError(b)}'");
                return;
            case ValueKind.Bool:
                if (a.RawBool != b.RawBool) throw Unequal($"boolean '{PrintForError(a)}' is not equal to boolean '{PrintForError(b)}'");
                return;
            case ValueKind.String:
                if (!a.RawString.ContentEquals(b.RawString)) throw Unequal($"string '{PrintForError(a)}' is not equal to string '{PrintForError(b)}'");
                return;
            case ValueKind.Path:
                if (a.RawPath != b.RawPath) throw Unequal($"path '{a.RawPath}' is not equal to path '{b.RawPath}'");
                return;
            case ValueKind.Null:
                return;
            case ValueKind.List:
            {
                var x = a.RawList.Items;
                var y = b.RawList.Items;
                if (x.Length != y.Length) throw Unequal($"list of size '{x.Length}' is not equal to list of size '{y.Length}', left hand side is '{PrintForError(a)}', right hand side is '{PrintForError(b)}'");
                for (var i = 0; i < x.Length; i++)
                {
                    try { ExplainInequality(x[i], y[i], top: false); }
                    catch (NixEvalException e) when (e.Traced($"while comparing list element {i}", null, default)) { throw; }
                }
                return;
            }
            case ValueKind.Attrs:
            {
                var x = a.RawAttrs;
                var y = b.RawAttrs;
                if (IsDerivation(x) && IsDerivation(y) && x.TryGet(SymOutPath, out var ox) && y.TryGet(SymOutPath, out var oy))
                {
                    try { ExplainInequality(ox, oy, top: false); }
                    catch (NixEvalException e) when (e.Traced("while comparing a derivation by its 'outPath' attribute", null, default)) { throw; }
                    return;
                }
                var sameNames = x.Count == y.Count;
                for (var i = 0; sameNames && i < x.Keys.Length; i++) sameNames = x.Keys[i] == y.Keys[i];
                if (!sameNames)
                    throw Unequal($"attribute names of attribute set '{PrintForError(a)}' differs from attribute set '{PrintForError(b)}'");
                foreach (var i in x.ByteOrder())
                {
                    try { ExplainInequality(x.Values[i], y.Values[i], top: false); }
                    catch (NixEvalException e) when (e.Traced($"while comparing attribute '{Symbols.Text(x.Keys[i])}'", null, default)) { throw; }
                }
                return;
            }
            default:
                throw Unequal("distinct functions and immediate comparisons of identical functions compare as unequal");
        }
    }

    private static NixEvalException Unequal(string message) => new(message, catchable: true);

    internal bool IsDerivation(NixAttrs a)
    {
        if (!a.TryGet(SymType, out var t)) return false;
        t = Force(t);
        return t.Kind == ValueKind.String && t.RawString.Bytes.SequenceEqual("derivation"u8);
    }

    /// <summary>Nix's <c>&lt;</c>: numbers, strings (by bytes), paths and lists (lexicographically).</summary>
    public bool LessThan(Value a, Value b) => Compare(a, b) < 0;

    internal int Compare(Value a, Value b)
    {
        a = Force(a);
        b = Force(b);
        if (a.Kind == ValueKind.Int && b.Kind == ValueKind.Int) return a.RawInt.CompareTo(b.RawInt);
        if (a.Kind is ValueKind.Int or ValueKind.Float && b.Kind is ValueKind.Int or ValueKind.Float)
        {
            var x = a.Kind == ValueKind.Int ? a.RawInt : a.RawFloat;
            var y = b.Kind == ValueKind.Int ? b.RawInt : b.RawFloat;
            return x < y ? -1 : x > y ? 1 : 0;
        }
        if (a.Kind == ValueKind.String && b.Kind == ValueKind.String)
            return a.RawString.Bytes.SequenceCompareTo(b.RawString.Bytes);
        if (a.Kind == ValueKind.Path && b.Kind == ValueKind.Path)
            return Encoding.UTF8.GetBytes(a.RawPath).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b.RawPath));
        if (a.Kind == ValueKind.List && b.Kind == ValueKind.List)
        {
            var x = a.RawList.Items;
            var y = b.RawList.Items;
            EnsureStack();
            for (var i = 0; ; i++)
            {
                if (i == y.Length) return i == x.Length ? 0 : 1;
                if (i == x.Length) return -1;
                if (!Equal(x[i], y[i], top: false))
                    return Compare(x[i], y[i]);
            }
        }
        if (a.Kind == b.Kind)
            throw Error($"cannot compare {TypeNames.Describe(a)} with {TypeNames.Describe(b)}; values of that type are incomparable (values are {PrintForError(a)} and {PrintForError(b)})");
        throw Error($"cannot compare {TypeNames.Describe(a)} with {TypeNames.Describe(b)}; values are {PrintForError(a)} and {PrintForError(b)}");
    }
}

public sealed partial class EvalContext
{
    /// <summary>Whether a set has <c>type = "derivation"</c> already evaluated (never forces).</summary>
    internal bool IsDerivationNoForce(NixAttrs a)
    {
        if (!a.TryGet(SymType, out var t)) return false;
        if (t.Kind == ValueKind.Thunk) { t = t.Settled; if (t.Kind == ValueKind.Thunk) return false; }
        return t.Kind == ValueKind.String && t.RawString.Bytes.SequenceEqual("derivation"u8);
    }

    /// <summary>
    /// A float as <c>toString</c> gives it: C's <c>%f</c> (<c>std::to_string</c>), six decimals,
    /// with <c>inf</c>, <c>-inf</c>, <c>nan</c> and <c>-nan</c> (the sign bit shows) for the
    /// values without digits.
    /// </summary>
    internal static string FormatFixed(double d)
    {
        if (double.IsNaN(d)) return BitConverter.DoubleToInt64Bits(d) < 0 ? "-nan" : "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        return d.ToString("F6", CultureInfo.InvariantCulture);
    }
}
