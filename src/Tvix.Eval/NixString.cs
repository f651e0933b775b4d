using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Tvix.Eval;

/// <summary>
/// A Nix string: immutable bytes (UTF-8 for what came from source; anything for what came from
/// files) plus an optional <see cref="NixContext"/> naming the store paths it refers to. Most
/// strings have no context, and that case costs nothing beyond the bytes.
/// </summary>
public sealed partial class NixString
{
    // No cached .NET text: programs make millions of strings and decode almost none of them
    // (paths, error messages), so a field for it would cost 8 bytes on every one.
    // What the string is, in one field:
    // * a byte[]: the bytes;
    // * a Rope: the pieces of a long string made by appending to another long string, flattened
    //   into a byte[] the first time the bytes are read;
    // * an InlineLength: a string of at most InlineCapacity bytes, kept in _inline. Short strings
    //   (numbers, words, regex groups, small names) are the most numerous, and most live as long
    //   as the list or set holding them: one object of 40 bytes instead of two (32 + a 32–40
    //   byte array) is less to allocate and for the collector to copy;
    // * a WithContext holding one of the above and the context: few strings have one, so it
    //   costs no field in the others.
    private object _data;

    // Storage for an inline string (unused otherwise).
    private InlineBytes _inline;

    /// <summary>The most bytes a string keeps inside its object.</summary>
    internal const int InlineCapacity = 8;

    [System.Runtime.CompilerServices.InlineArray(InlineCapacity)]
    private struct InlineBytes
    {
        private byte _first;
    }

    /// <summary>The length of an inline string; one shared, immutable instance per length.</summary>
    private sealed class InlineLength(int value)
    {
        public readonly int Value = value;
    }

    private static readonly InlineLength[] InlineLengths = CreateInlineLengths();

    private static InlineLength[] CreateInlineLengths()
    {
        var table = new InlineLength[InlineCapacity + 1];
        for (var i = 0; i < table.Length; i++) table[i] = new InlineLength(i);
        return table;
    }

    /// <summary>The representation of a string with a (non-empty) context, and the context.</summary>
    private sealed class WithContextData(object data, NixContext context)
    {
        public readonly object Data = data;
        public readonly NixContext Context = context;
    }

    /// <summary>The empty context-free string.</summary>
    public static NixString Empty { get; } = new([], null);

    /// <summary>Creates a string from bytes the caller will not mutate afterwards.</summary>
    public NixString(byte[] bytes, NixContext? context = null)
    {
        _data = Wrap(bytes, context);
    }

    /// <summary>A string over a byte[] or a Rope.</summary>
    private NixString(object data, NixContext? context)
    {
        _data = Wrap(data, context);
    }

    /// <summary>An inline string (<paramref name="bytes"/> at most <see cref="InlineCapacity"/> long).</summary>
    private NixString(ReadOnlySpan<byte> bytes, NixContext? context, bool inline)
    {
        System.Diagnostics.Debug.Assert(inline && bytes.Length <= InlineCapacity);
        _data = Wrap(InlineLengths[bytes.Length], context);
        bytes.CopyTo(_inline);
    }

    private static object Wrap(object data, NixContext? context) =>
        context is null || context.IsEmpty ? data : new WithContextData(data, context);

    /// <summary>The representation without the context (a byte[], Rope or InlineLength).</summary>
    private object Data => _data.GetType() == typeof(WithContextData) ? Unsafe.As<WithContextData>(_data).Data : _data;

    /// <summary>
    /// A string with a copy of <paramref name="bytes"/>: kept inside the object when short, else
    /// in a new array.
    /// </summary>
    internal static NixString Copy(ReadOnlySpan<byte> bytes, NixContext? context = null) =>
        bytes.Length <= InlineCapacity ? new NixString(bytes, context, inline: true) : new NixString(Support.PooledByteWriter.ToExactArray(bytes), context);

    /// <summary>The pieces of a string not flattened yet, and its length.</summary>
    private sealed partial class Rope(NixString[] pieces, int length)
    {
        public readonly NixString[] Pieces = pieces;
        public readonly int Length = length;
    }

    private byte[] Flatten()
    {
        var context = Context;
        var rope = (Rope)Data;
        var bytes = Support.PooledByteWriter.NewArray(rope.Length);
        rope.WriteTo(bytes);
        _data = Wrap(bytes, context);
        return bytes;
    }

    /// <summary>A context-free string from .NET text, encoded as UTF-8.</summary>
    public static NixString FromUtf8(string text) => new(Encoding.UTF8.GetBytes(text));

    // The 256 context-free one-byte strings, shared: nixpkgs' lib splits strings into
    // characters with `substring i 1`, one string per character. Immutable, so sharing them
    // between evaluators is safe.
    private static readonly NixString[] SingleBytes = CreateSingleBytes();

    private static NixString[] CreateSingleBytes()
    {
        var table = new NixString[256];
        for (var b = 0; b < table.Length; b++) table[b] = Copy([(byte)b]);
        return table;
    }

    /// <summary>The context-free string of the one byte <paramref name="b"/> (shared, not allocated).</summary>
    internal static NixString OfByte(byte b) => SingleBytes[b];

    // The hot accessors test the representation with GetType() == typeof(...): in ReadyToRun
    // code `is byte[]` or `is InlineLength` is a call to a cast helper (arrays of sbyte pass the
    // former too), a type comparison is a compare of method tables. All the classes are sealed.

    /// <summary>The bytes.</summary>
    public ReadOnlySpan<byte> Bytes
    {
        get
        {
            var data = _data;
            if (data.GetType() == typeof(byte[])) return Unsafe.As<byte[]>(data);
            return OtherBytes();
        }
    }

    private ReadOnlySpan<byte> OtherBytes()
    {
        var data = Data;
        if (data.GetType() == typeof(InlineLength)) return ((ReadOnlySpan<byte>)_inline)[..Unsafe.As<InlineLength>(data).Value];
        if (data.GetType() == typeof(byte[])) return Unsafe.As<byte[]>(data);
        return Flatten();
    }

    /// <summary>The bytes as memory (a copy for a string kept inline).</summary>
    public ReadOnlyMemory<byte> Memory => Data switch
    {
        byte[] bytes => bytes,
        InlineLength => Bytes.ToArray(),
        _ => Flatten(),
    };

    /// <summary>Length in bytes (what <c>builtins.stringLength</c> returns).</summary>
    public int Length
    {
        get
        {
            var data = _data;
            if (data.GetType() == typeof(byte[])) return Unsafe.As<byte[]>(data).Length;
            if (data.GetType() == typeof(InlineLength)) return Unsafe.As<InlineLength>(data).Value;
            return OtherLength();
        }
    }

    private int OtherLength() => Data switch
    {
        byte[] bytes => bytes.Length,
        InlineLength inline => inline.Value,
        var rope => ((Rope)rope).Length,
    };

    /// <summary>The string context, or null when there is none.</summary>
    public NixContext? Context => _data.GetType() == typeof(WithContextData) ? Unsafe.As<WithContextData>(_data).Context : null;

    /// <summary>Whether the string has a non-empty context.</summary>
    public bool HasContext => _data.GetType() == typeof(WithContextData);

    internal ReadOnlySpan<byte> RawBytes => Bytes;

    /// <summary>The same bytes with another context.</summary>
    public NixString WithContext(NixContext? context) => Data switch
    {
        InlineLength => new NixString(Bytes, context, inline: true),
        var data => new NixString(data, context),
    };

    /// <summary>The bytes decoded as UTF-8 (invalid sequences become U+FFFD).</summary>
    public override string ToString() => Encoding.UTF8.GetString(Bytes);

    /// <summary>Whether the bytes equal <paramref name="other"/>'s (contexts are ignored, as in Nix's <c>==</c>).</summary>
    public bool ContentEquals(NixString other)
    {
        var data = Data;
        return (data.GetType() != typeof(InlineLength) && ReferenceEquals(data, other.Data)) || (Length == other.Length && Bytes.SequenceEqual(other.Bytes));
    }

    /// <summary>The decimal form of an integer (<c>toString 42</c>), formatted straight into its bytes.</summary>
    internal static NixString FromInt(long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out var n, default, System.Globalization.CultureInfo.InvariantCulture);
        return Copy(digits[..n]);
    }

    /// <summary>The concatenation of two strings (<c>a + b</c>), as <see cref="Concat(ReadOnlySpan{NixString})"/>.</summary>
    /// <remarks>
    /// Not <c>Concat([a, b])</c>: the span the compiler builds for that goes through a generic
    /// helper that the ReadyToRun image does not hold, so its first use was compiled at run time.
    /// </remarks>
    internal static NixString Concat(NixString a, NixString b)
    {
        // (Nor the inline array's indexer: that is another such helper.)
        var pair = new TwoStrings();
        ref var first = ref Unsafe.As<TwoStrings, NixString>(ref pair);
        first = a;
        Unsafe.Add(ref first, 1) = b;
        return Concat(MemoryMarshal.CreateReadOnlySpan(ref first, 2));
    }

    [InlineArray(2)]
    private struct TwoStrings
    {
        private NixString _first;
    }

    /// <summary>
    /// The concatenation of <paramref name="parts"/> with the union of their contexts, built in
    /// one array of the final size. A single non-empty part is returned as it is.
    /// </summary>
    internal static NixString Concat(ReadOnlySpan<NixString> parts)
    {
        long total = 0;
        var nonEmpty = -1;
        var withContext = false;
        var longest = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            var length = p.Length;
            if (length > 0) { nonEmpty = nonEmpty == -1 ? i : -2; total += length; longest = Math.Max(longest, length); }
            withContext |= p.Context is not null;
        }
        // "${s}", "${s}${""}": the bytes and context are those of s, and strings are immutable.
        if (nonEmpty >= 0 && !withContext) return parts[nonEmpty];
        var context = withContext ? UnionOf(parts) : null;
        if (nonEmpty >= 0 && ReferenceEquals(context, parts[nonEmpty].Context)) return parts[nonEmpty];
        if (total == 0) return context is null ? Empty : new NixString([], context);
        var length32 = CheckedLength(total);
        // A little appended to a long string (`acc + "x"`, "${acc}${s}" in a fold): keep the pieces
        // and copy them once, when the bytes are first read, instead of copying the long prefix
        // again at every step (quadratic in the final length).
        if (length32 >= RopeThreshold && longest * 4 >= length32 * 3) return new NixString((object)new Rope(parts.ToArray(), length32), context);
        if (length32 <= InlineCapacity)
        {
            Span<byte> small = stackalloc byte[InlineCapacity];
            var used = 0;
            foreach (var p in parts)
            {
                p.WriteTo(small[used..]);
                used += p.Length;
            }
            return new NixString(small[..used], context, inline: true);
        }
        var bytes = Support.PooledByteWriter.NewArray(length32);
        var at = 0;
        foreach (var p in parts)
        {
            p.WriteTo(bytes.AsSpan(at));
            at += p.Length;
        }
        return new NixString(bytes, context);
    }

    /// <summary>Strings shorter than this are always copied flat.</summary>
    private const int RopeThreshold = 4096;

    /// <summary>Copies the bytes to the start of <paramref name="destination"/> (a rope's pieces straight from where they are).</summary>
    private void WriteTo(Span<byte> destination)
    {
        if (Data is Rope rope) rope.WriteTo(destination);
        else Bytes.CopyTo(destination);
    }

    private sealed partial class Rope
    {
        /// <summary>
        /// Writes the pieces in order. Iterative with an explicit stack: a string appended to ten
        /// thousand times is a rope ten thousand levels deep.
        /// </summary>
        public void WriteTo(Span<byte> destination)
        {
            var pending = new Stack<NixString>();
            for (var i = Pieces.Length - 1; i >= 0; i--) pending.Push(Pieces[i]);
            var at = 0;
            while (pending.Count > 0)
            {
                var piece = pending.Pop();
                if (piece.Data is Rope rope)
                {
                    var pieces = rope.Pieces;
                    for (var i = pieces.Length - 1; i >= 0; i--) pending.Push(pieces[i]);
                }
                else
                {
                    var bytes = piece.Bytes;
                    bytes.CopyTo(destination[at..]);
                    at += bytes.Length;
                }
            }
        }
    }

    private static NixContext? UnionOf(ReadOnlySpan<NixString> parts)
    {
        var acc = new ContextAccumulator();
        foreach (var p in parts) acc.Add(p.Context);
        return acc.Build();
    }

    private static int CheckedLength(long total) =>
        total <= Array.MaxLength ? (int)total : throw new NixEvalException("string too long (more than 2 GiB)");
}

/// <summary>
/// The context of a string: the set of store paths it depends on, in Nix's encoding:
/// <c>/nix/store/…</c> (a plain path), <c>=/nix/store/….drv</c> (a derivation and all its
/// outputs, deeply) and <c>!out!/nix/store/….drv</c> (one output of a derivation). The elements
/// are sorted ordinally, without duplicates.
/// </summary>
public sealed class NixContext : IReadOnlyList<string>
{
    // The one element (a string) of the most common context — a derivation's drvPath or an
    // output path carries one — or the elements (a string[]): no array for a single element.
    private readonly object _data;

    private NixContext(string[] sortedUnique) => _data = sortedUnique.Length == 1 ? sortedUnique[0] : sortedUnique;

    private NixContext(string single) => _data = single;

    /// <summary>The elements, sorted ordinally, without duplicates (the context itself).</summary>
    public IReadOnlyList<string> Elements => this;

    /// <summary>Number of elements.</summary>
    public int Count => _data is string ? 1 : Unsafe.As<string[]>(_data).Length;

    /// <summary>The element at <paramref name="index"/> in order.</summary>
    public string this[int index]
    {
        get
        {
            if (_data is string single) return index == 0 ? single : throw new ArgumentOutOfRangeException(nameof(index));
            return Unsafe.As<string[]>(_data)[index];
        }
    }

    /// <summary>Whether there are no elements.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Enumerates the elements in order.</summary>
    public IEnumerator<string> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>A context with the given encoded elements (duplicates are removed).</summary>
    public static NixContext Of(IEnumerable<string> elements)
    {
        var set = new SortedSet<string>(elements, StringComparer.Ordinal);
        return new NixContext([.. set]);
    }

    /// <summary>Wraps an array that is already sorted ordinally and free of duplicates (not copied).</summary>
    internal static NixContext FromSortedUnique(string[] sortedUnique) => new(sortedUnique);

    /// <summary>A context holding one element.</summary>
    public static NixContext Of(string element) => new(element);

    /// <summary>The union of two contexts, either of which may be null.</summary>
    public static NixContext? Union(NixContext? a, NixContext? b)
    {
        if (a is null || a.IsEmpty) return b;
        if (b is null || b.IsEmpty || ReferenceEquals(a, b)) return a;
        int countA = a.Count, countB = b.Count;
        var result = new List<string>(countA + countB);
        int i = 0, j = 0;
        while (i < countA && j < countB)
        {
            var c = string.CompareOrdinal(a[i], b[j]);
            if (c < 0) result.Add(a[i++]);
            else if (c > 0) result.Add(b[j++]);
            else { result.Add(a[i++]); j++; }
        }
        while (i < countA) result.Add(a[i++]);
        while (j < countB) result.Add(b[j++]);
        // `acc + "${drv}"` repeated with the same references adds nothing new: keep the old object
        // so later unions (and ReferenceEquals checks) stay cheap.
        if (result.Count == countA) return a;
        if (result.Count == countB) return b;
        return new NixContext([.. result]);
    }
}
