using System.Runtime.InteropServices;
using Tvix.NixCompat;

namespace Tvix.Glue.Store;

/// <summary>
/// A store that only remembers: text paths with their bytes and references, imported paths by
/// name. What an evaluation without a real store (tests, <c>tvix eval</c>) writes into.
/// </summary>
internal sealed class InMemoryGlueStore : IGlueStoreWriter
{
    // A plain dictionary under a lock (evaluators may share a store, but rarely at the same
    // moment): a concurrent one would load System.Collections.Concurrent into the evaluation.
    private readonly Lock _lock = new();

    /// <summary>Made on first use: most evaluations never create a path, and its type loads Tvix.NixCompat.</summary>
    private Dictionary<StorePath, Entry>? _entries;

    private sealed record Entry(byte[]? Text, StorePath[] References, string? Source, byte[]? Nar = null);

    private void Add(StorePath path, Entry entry)
    {
        lock (_lock) (_entries ??= []).TryAdd(path, entry);
    }

    private Entry? Find(StorePath path)
    {
        lock (_lock) return _entries is { } entries && entries.TryGetValue(path, out var entry) ? entry : null;
    }

    public void AddText(StorePath path, ReadOnlyMemory<byte> contents, IReadOnlyCollection<StorePath> references) =>
        Add(path, new Entry(Owned(contents), [.. references], null));

    public void AddNar(StorePath path, byte[] nar, ContentAddress contentAddress, IReadOnlyCollection<StorePath> references) =>
        Add(path, new Entry(null, [.. references], null, nar));

    /// <summary>Text paths and NARs added as such; imported filesystem paths are only remembered by source.</summary>
    public byte[]? DumpNar(StorePath path) =>
        Find(path) is not { } e ? null
        : e.Nar ?? (e.Text is { } text ? Import.NarHasher.RegularFileNar(text) : null);

    /// <summary>The contents as an array to keep: the caller's own when it is a whole one (callers give up changing it).</summary>
    private static byte[] Owned(ReadOnlyMemory<byte> contents) =>
        MemoryMarshal.TryGetArray(contents, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : contents.ToArray();

    public void AddFileSystemPath(StorePath path, string source, Func<string, string, bool>? filter, bool recursive, IReadOnlyCollection<StorePath> references) =>
        Add(path, new Entry(null, [.. references], source));

    public bool IsValid(StorePath path) => Find(path) is not null;

    public IReadOnlyCollection<StorePath> References(StorePath path) => Find(path)?.References ?? [];

    public byte[]? ReadText(StorePath path) => Find(path)?.Text;

    public byte[]? ReadFile(StorePath path, string subpath) => subpath.Length == 0 ? ReadText(path) : null;

    /// <summary>The source a path was imported from (tests).</summary>
    public string? SourceOf(StorePath path) => Find(path)?.Source;

    /// <summary>Every path held (tests): a copy.</summary>
    public ICollection<StorePath> Paths
    {
        get
        {
            lock (_lock) return _entries is { } entries ? [.. entries.Keys] : [];
        }
    }
}
