using System.Text;

namespace Tvix.CAStore;

/// <summary>Collects named entries in any order and builds a validated, sorted <see cref="CADirectory"/>.</summary>
public sealed class CADirectoryBuilder
{
    private readonly List<DirectoryEntry> _entries = [];

    /// <summary>Adds an entry.</summary>
    /// <exception cref="CAStoreValidationException">The name is invalid.</exception>
    public CADirectoryBuilder Add(ReadOnlySpan<byte> name, Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        NodeNames.ValidateName(name);
        _entries.Add(new DirectoryEntry(name.ToArray(), node));
        return this;
    }

    /// <summary>Adds an entry whose name is given as text (stored as UTF-8).</summary>
    /// <exception cref="CAStoreValidationException">The name is invalid.</exception>
    public CADirectoryBuilder Add(string name, Node node) => Add(Encoding.UTF8.GetBytes(name), node);

    /// <summary>The number of entries added so far.</summary>
    public int Count => _entries.Count;

    /// <summary>Sorts the entries and builds the directory.</summary>
    /// <exception cref="CAStoreValidationException">Two entries share a name, or the size overflows.</exception>
    public CADirectory Build()
    {
        var sorted = _entries.ToArray();
        // Entries added in order (a tree walk or a NAR lists them sorted) need no sort: the framework's
        // sort over this value type is generic code that every process JIT-compiles, and it checks the
        // order anyway. Strictly ascending also means no duplicates.
        if (IsStrictlyAscending(sorted)) return CADirectory.FromSorted(sorted);
        Array.Sort(sorted, static (x, y) => x.Name.Span.SequenceCompareTo(y.Name.Span));
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i - 1].Name.Span.SequenceEqual(sorted[i].Name.Span))
                throw new CAStoreValidationException($"duplicate name {NodeNames.Show(sorted[i].Name.Span)}");
        }
        return CADirectory.FromSorted(sorted);
    }

    private static bool IsStrictlyAscending(DirectoryEntry[] entries)
    {
        for (var i = 1; i < entries.Length; i++)
        {
            if (entries[i - 1].Name.Span.SequenceCompareTo(entries[i].Name.Span) >= 0) return false;
        }
        return true;
    }
}
