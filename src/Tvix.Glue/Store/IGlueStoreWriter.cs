using Tvix.NixCompat;

namespace Tvix.Glue.Store;

/// <summary>
/// Where the glue puts what evaluation creates: <c>.drv</c> files, <c>toFile</c> texts and
/// imported source paths. Store paths are always computed by the glue from the content (they
/// are pure functions of it), so a writer only records; evaluation never depends on a store
/// being present. Implementations must be safe to call from several evaluation threads.
/// </summary>
internal interface IGlueStoreWriter
{
    /// <summary>
    /// Adds a text path (a <c>.drv</c> or a <c>toFile</c> result) with its references. The store
    /// may keep <paramref name="contents"/> without copying: callers must not change it afterwards.
    /// </summary>
    void AddText(StorePath path, ReadOnlyMemory<byte> contents, IReadOnlyCollection<StorePath> references);

    /// <summary>
    /// Adds a filesystem path imported as a content-addressed path: <paramref name="source"/>
    /// is read through <paramref name="filter"/> (absolute path, type → keep), recursively (NAR)
    /// or flat (a single regular file). <paramref name="references"/> is empty except when
    /// <c>builtins.path</c> copies a path of this store, whose references the copy keeps.
    /// </summary>
    void AddFileSystemPath(StorePath path, string source, Func<string, string, bool>? filter, bool recursive, IReadOnlyCollection<StorePath> references);

    /// <summary>
    /// Adds a content-addressed path from its NAR (a copy, under another name, of a path only
    /// this store holds). <paramref name="contentAddress"/> and <paramref name="references"/>
    /// make <paramref name="path"/>; the store may keep <paramref name="nar"/>.
    /// </summary>
    void AddNar(StorePath path, byte[] nar, ContentAddress contentAddress, IReadOnlyCollection<StorePath> references);

    /// <summary>The NAR of a path the store holds, or null when it cannot produce it.</summary>
    byte[]? DumpNar(StorePath path);

    /// <summary>Whether the store holds <paramref name="path"/>.</summary>
    bool IsValid(StorePath path);

    /// <summary>The references of a path the store holds (empty when unknown).</summary>
    IReadOnlyCollection<StorePath> References(StorePath path);

    /// <summary>The bytes of a text path the store holds, or null.</summary>
    byte[]? ReadText(StorePath path);

    /// <summary>The bytes of the regular file at <paramref name="subpath"/> ("" for the path itself) below a store path, or null when the store does not have it.</summary>
    byte[]? ReadFile(StorePath path, string subpath);
}
