using System.Runtime.CompilerServices;
using System.Text;

namespace Tvix.Eval.Runtime;

/// <summary>
/// Interns attribute names to small integers, per evaluator (never shared between evaluators).
/// Attribute sets are sorted by symbol id, which is the order names were first seen; printing
/// and <c>attrNames</c> sort by the names' bytes instead.
/// </summary>
/// <remarks>
/// A hand-written open-addressing table over the names' bytes rather than a
/// <c>Dictionary</c>: the compiler interns every identifier it meets (so lookups must not
/// allocate, from bytes or from a string), and a dictionary with span lookups is a generic
/// instantiation that ReadyToRun cannot precompile, so it would be JIT-compiled at start-up.
/// </remarks>
internal sealed class SymbolTable
{
    // Per-symbol data lives in pages of PageSize entries, reached by id >> PageBits: the table
    // grows by adding pages, never by copying (nixpkgs brings 20,000 to 40,000 names, and a
    // doubling table left the old arrays as garbage each time), and the names' strings, wanted
    // for few symbols, get a page only when one of its symbols asks.
    private const int PageBits = 10;
    private const int PageSize = 1 << PageBits;
    private const int PageMask = PageSize - 1;

    private byte[][][] _names = new byte[4][][];
    private int[][] _hashes = new int[4][];
    // The first 8 bytes of each name, big-endian and zero-padded: comparing two of these as
    // integers orders names by their bytes unless both share those 8 bytes (see SortKey).
    private ulong[][] _sortKeys = new ulong[4][];
    private string?[]?[] _texts = new string?[4][];
    private NixString?[]?[] _strings = new NixString?[4][];
    /// <summary>Open addressing, linear probing: symbol id + 1, or 0 for an empty bucket.</summary>
    private int[] _buckets;
    private int _count;

    /// <summary>An empty table whose index has room for <paramref name="capacity"/> names (a power of two) before it grows.</summary>
    public SymbolTable(int capacity = 256) => _buckets = new int[capacity * 2];

    /// <summary>Source positions of attributes, numbered per evaluator like the names.</summary>
    public PositionTable Positions { get; } = new();

    private UpdateShapes? _updateShapes;

    /// <summary>The recipes of recent <c>//</c> merges (see <see cref="Runtime.UpdateShapes"/>), made on first use.</summary>
    public UpdateShapes UpdateShapes => _updateShapes ??= new();

    /// <summary>How many names are interned (ids are 0 .. Count-1).</summary>
    public int Count => _count;

    public int Intern(ReadOnlySpan<byte> name)
    {
        var hash = Hash(name);
        var id = Find(name, hash, out var bucket);
        return id >= 0 ? id : Add(name.ToArray(), hash, bucket);
    }

    /// <summary>Interns the name in <c>array[start..start+length]</c>.</summary>
    public int Intern(byte[] array, int start, int length) => Intern(new ReadOnlySpan<byte>(array, start, length));

    /// <summary>Interns <paramref name="name"/>, keeping the array itself when the name is new (the caller must not change it).</summary>
    public int Intern(byte[] name)
    {
        var hash = Hash(name);
        var id = Find(name, hash, out var bucket);
        return id >= 0 ? id : Add(name, hash, bucket);
    }

    public int Intern(string name)
    {
        if (name.Length <= 128)
        {
            Span<byte> buffer = stackalloc byte[128 * 3];
            var length = AsciiToBytes(name, buffer);
            if (length < 0) length = Encoding.UTF8.GetBytes(name, buffer);
            var bytes = buffer[..length];
            var hash = Hash(bytes);
            var id = Find(bytes, hash, out var bucket);
            if (id < 0) id = Add(bytes.ToArray(), hash, bucket);
            TextSlot(id) ??= name;
            return id;
        }
        var longId = Intern(Encoding.UTF8.GetBytes(name));
        TextSlot(longId) ??= name;
        return longId;
    }

    /// <summary>The id of an existing name, or -1 (does not intern).</summary>
    public int Find(ReadOnlySpan<byte> name) => Find(name, Hash(name), out _);

    public int Find(string name)
    {
        if (name.Length > 128) return Find(Encoding.UTF8.GetBytes(name));
        Span<byte> buffer = stackalloc byte[128 * 3];
        var length = AsciiToBytes(name, buffer);
        if (length < 0) length = Encoding.UTF8.GetBytes(name, buffer);
        return Find(buffer[..length]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public byte[] Bytes(int id) => _names[id >> PageBits][id & PageMask];

    /// <summary>The name as a context-free Nix string, made once per symbol (attrNames, mapAttrs and friends hand out names over and over).</summary>
    public NixString String(int id)
    {
        ref var slot = ref (_strings[id >> PageBits] ??= new NixString?[PageSize])[id & PageMask];
        return slot ??= new NixString(Bytes(id));
    }

    public string Text(int id) => TextSlot(id) ??= BytesToText(Bytes(id));

    private ref string? TextSlot(int id) => ref (_texts[id >> PageBits] ??= new string?[PageSize])[id & PageMask];

    // The two helpers below convert ASCII names with plain loops. The runtime's UTF-8 transcoder
    // is vectorised, and its first call in a process costs 1.5 ms (encoding) to 2.5 ms
    // (decoding), mostly type loading: more than the rest of interning the builtins' names.
    // Builtin names and most identifiers are ASCII; anything else still goes through UTF-8.

    /// <summary>Copies an ASCII <paramref name="name"/> into <paramref name="buffer"/> (large enough); -1 when it is not ASCII.</summary>
    private static int AsciiToBytes(string name, Span<byte> buffer)
    {
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c >= 0x80) return -1;
            buffer[i] = (byte)c;
        }
        return name.Length;
    }

    private static string BytesToText(byte[] name)
    {
        if (name.Length > 128) return Encoding.UTF8.GetString(name);
        Span<char> chars = stackalloc char[128];
        for (var i = 0; i < name.Length; i++)
        {
            var b = name[i];
            if (b >= 0x80) return Encoding.UTF8.GetString(name);
            chars[i] = (char)b;
        }
        return new string(chars[..name.Length]);
    }

    /// <summary>
    /// An integer that orders names as their bytes do, except that names sharing their first 8
    /// bytes get equal keys (ties must then be broken with <see cref="CompareBytes"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong SortKey(int id) => _sortKeys[id >> PageBits][id & PageMask];

    private static ulong PrefixKey(byte[] name)
    {
        ulong key = 0;
        var n = Math.Min(name.Length, 8);
        for (var i = 0; i < n; i++) key |= (ulong)name[i] << (56 - 8 * i);
        return key;
    }

    public int CompareBytes(int a, int b)
    {
        if (a == b) return 0;
        var ka = SortKey(a);
        var kb = SortKey(b);
        if (ka != kb) return ka < kb ? -1 : 1;
        return Bytes(a).AsSpan().SequenceCompareTo(Bytes(b));
    }

    private int Find(ReadOnlySpan<byte> name, int hash, out int bucket)
    {
        var buckets = _buckets;
        var mask = buckets.Length - 1;
        var i = hash & mask;
        while (true)
        {
            var entry = buckets[i];
            if (entry == 0)
            {
                bucket = i;
                return -1;
            }
            var id = entry - 1;
            if (_hashes[id >> PageBits][id & PageMask] == hash && SameBytes(name, Bytes(id)))
            {
                bucket = i;
                return id;
            }
            i = (i + 1) & mask;
        }
    }

    /// <summary>A byte loop rather than SequenceEqual: names are short, and this is inlined into ReadyToRun code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool SameBytes(ReadOnlySpan<byte> a, byte[] b)
    {
        if (a.Length != b.Length) return false;
        for (var i = 0; i < b.Length; i++)
            if (a[i] != b[i]) return false;
        return true;
    }

    /// <summary>
    /// Makes room in the index for <paramref name="count"/> names at once, so that a large
    /// source's names do not grow it by doubling, each step a rehash into a new array
    /// (all-packages.nix brings 12,700 new names).
    /// </summary>
    public void Reserve(int count)
    {
        var size = _buckets.Length;
        while (size < count * 2) size *= 2;
        if (size > _buckets.Length) Rehash(size);
    }

    private int Add(byte[] name, int hash, int bucket)
    {
        var id = _count;
        var page = id >> PageBits;
        if ((id & PageMask) == 0) AddPage(page);
        _names[page][id & PageMask] = name;
        _sortKeys[page][id & PageMask] = PrefixKey(name);
        _hashes[page][id & PageMask] = hash;
        _count = id + 1;
        _buckets[bucket] = id + 1;
        // Keep the load factor at or below one half.
        if (_count * 2 > _buckets.Length) Rehash(_buckets.Length * 2);
        return id;
    }

    private void AddPage(int page)
    {
        if (page == _names.Length)
        {
            // The page directories are small (one entry per 1,024 names): these copies are cheap.
            var size = page * 2;
            Array.Resize(ref _names, size);
            Array.Resize(ref _hashes, size);
            Array.Resize(ref _texts, size);
            Array.Resize(ref _strings, size);
            // Not Array.Resize<ulong[]>: an instantiation not precompiled, it would be JIT-compiled.
            var sortKeys = new ulong[size][];
            Array.Copy(_sortKeys, sortKeys, page);
            _sortKeys = sortKeys;
        }
        _names[page] = new byte[PageSize][];
        _hashes[page] = new int[PageSize];
        _sortKeys[page] = new ulong[PageSize];
    }

    private void Rehash(int size)
    {
        var buckets = new int[size];
        var mask = size - 1;
        for (var id = 0; id < _count; id++)
        {
            var i = _hashes[id >> PageBits][id & PageMask] & mask;
            while (buckets[i] != 0) i = (i + 1) & mask;
            buckets[i] = id + 1;
        }
        _buckets = buckets;
    }

    /// <summary>
    /// FNV-1a over the bytes: names are short, and a byte loop is inlined into ReadyToRun code,
    /// which calls out for span slicing and unaligned reads. Names come from source code, not
    /// from an adversary that could make Nix slow anyway.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(ReadOnlySpan<byte> s)
    {
        var h = 2166136261u;
        for (var i = 0; i < s.Length; i++) h = (h ^ s[i]) * 16777619u;
        return (int)(h ^ (h >> 15)) & int.MaxValue;
    }
}
