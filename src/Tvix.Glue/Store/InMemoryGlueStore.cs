using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Tvix.NixCompat;

namespace Tvix.Glue.Store;

/// <summary>
/// A store that only remembers: text paths with their bytes and references, imported paths by
/// name. What an evaluation without a real store (tests, <c>tvix eval</c>) writes into.
/// </summary>
internal sealed class InMemoryGlueStore : IGlueStoreWriter
{
    private ConcurrentDictionary<StorePath, Entry>? _entries;

    /// <summary>Made on first use: most evaluations never create a path, and creating it loads an assembly at start-up.</summary>
    private ConcurrentDictionary<StorePath, Entry> Entries =>
        _entries ?? Interlocked.CompareExchange(ref _entries, new(), null) ?? _entries!;

    private sealed record Entry(byte[]? Text, StorePath[] References, string? Source, byte[]? Nar = null);

    public void AddText(StorePath path, ReadOnlyMemory<byte> contents, IReadOnlyCollection<StorePath> references) =>
        Entries.TryAdd(path, new Entry(Owned(contents), [.. references], null));

    public void AddNar(StorePath path, byte[] nar, ContentAddress contentAddress, IReadOnlyCollection<StorePath> references) =>
        Entries.TryAdd(path, new Entry(null, [.. references], null, nar));

    /// <summary>Text paths and NARs added as such; imported filesystem paths are only remembered by source.</summary>
    public byte[]? DumpNar(StorePath path) =>
        !Entries.TryGetValue(path, out var e) ? null
        : e.Nar ?? (e.Text is { } text ? Import.NarHasher.RegularFileNar(text) : null);

    /// <summary>The contents as an array to keep: the caller's own when it is a whole one (callers give up changing it).</summary>
    private static byte[] Owned(ReadOnlyMemory<byte> contents) =>
        MemoryMarshal.TryGetArray(contents, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : contents.ToArray();

    public void AddFileSystemPath(StorePath path, string source, Func<string, string, bool>? filter, bool recursive, IReadOnlyCollection<StorePath> references) =>
        Entries.TryAdd(path, new Entry(null, [.. references], source));

    public bool IsValid(StorePath path) => Entries.ContainsKey(path);

    public IReadOnlyCollection<StorePath> References(StorePath path) =>
        Entries.TryGetValue(path, out var e) ? e.References : [];

    public byte[]? ReadText(StorePath path) => Entries.TryGetValue(path, out var e) ? e.Text : null;

    public byte[]? ReadFile(StorePath path, string subpath) => subpath.Length == 0 ? ReadText(path) : null;

    /// <summary>The source a path was imported from (tests).</summary>
    public string? SourceOf(StorePath path) => Entries.TryGetValue(path, out var e) ? e.Source : null;

    /// <summary>Every path held (tests).</summary>
    public ICollection<StorePath> Paths => Entries.Keys;
}
