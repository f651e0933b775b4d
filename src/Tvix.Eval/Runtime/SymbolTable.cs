using System.Text;

namespace Tvix.Eval.Runtime;

/// <summary>
/// Interns attribute names to small integers, per evaluator (never shared between evaluators).
/// Attribute sets are sorted by symbol id, which is the order names were first seen; printing
/// and <c>attrNames</c> sort by the names' bytes instead.
/// </summary>
internal sealed class SymbolTable
{
    private readonly Dictionary<byte[], int> _ids = new(ByteArrayComparer.Instance);
    private readonly List<byte[]> _names = [];
    private readonly List<string?> _texts = [];

    public int Intern(byte[] name)
    {
        if (_ids.TryGetValue(name, out var id)) return id;
        id = _names.Count;
        _ids.Add(name, id);
        _names.Add(name);
        _texts.Add(null);
        return id;
    }

    public int Intern(string name)
    {
        var id = Intern(Encoding.UTF8.GetBytes(name));
        _texts[id] ??= name;
        return id;
    }

    public int Intern(ReadOnlySpan<byte> name)
    {
        var lookup = _ids.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(name, out var id)) return id;
        return Intern(name.ToArray());
    }

    /// <summary>The id of an existing name, or -1 (does not intern).</summary>
    public int Find(ReadOnlySpan<byte> name)
    {
        var lookup = _ids.GetAlternateLookup<ReadOnlySpan<byte>>();
        return lookup.TryGetValue(name, out var id) ? id : -1;
    }

    public int Find(string name) => Find(Encoding.UTF8.GetBytes(name));

    public byte[] Bytes(int id) => _names[id];

    public string Text(int id) => _texts[id] ??= Encoding.UTF8.GetString(_names[id]);

    public int CompareBytes(int a, int b) => a == b ? 0 : _names[a].AsSpan().SequenceCompareTo(_names[b]);
}

/// <summary>Byte-array equality for dictionaries, with span lookups.</summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var h = new HashCode();
        h.AddBytes(alternate);
        return h.ToHashCode();
    }

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
