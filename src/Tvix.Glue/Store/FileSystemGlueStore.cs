using Tvix.Glue.Import;
using Tvix.NixCompat;
using Tvix.NixCompat.Nar;

namespace Tvix.Glue.Store;

/// <summary>
/// A store laid out as plain files under a root directory, like <c>nix --store ROOT</c>: a path
/// <c>/nix/store/x-y</c> is written to <c>ROOT/nix/store/x-y</c>. Writes go to a temporary name
/// first and are renamed into place, so a crash never leaves a half-written path. References
/// are remembered for the lifetime of the object (a <c>.drv</c>'s are re-read from its ATerm).
/// </summary>
internal sealed class FileSystemGlueStore(string root, StoreDirectory storeDirectory) : IGlueStoreWriter
{
    // Under a lock rather than in a concurrent dictionary, which would load one more framework
    // assembly: writers may share this store, but each write does far more than the lookup.
    private readonly Dictionary<StorePath, StorePath[]> _references = [];
    private readonly Lock _referencesLock = new();

    private void Remember(StorePath path, IReadOnlyCollection<StorePath> references)
    {
        StorePath[] copy = [.. references];
        lock (_referencesLock) _references.TryAdd(path, copy);
    }

    public string Root { get; } = Path.GetFullPath(root);

    private string RealPath(StorePath path) => Path.Combine(Root, storeDirectory.Print(path).TrimStart('/'));

    public void AddText(StorePath path, ReadOnlyMemory<byte> contents, IReadOnlyCollection<StorePath> references)
    {
        Remember(path, references);
        var target = RealPath(path);
        if (File.Exists(target)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + ".tmp-" + Environment.ProcessId + "-" + Environment.CurrentManagedThreadId;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(contents.Span);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, target, overwrite: true);
    }

    public void AddNar(StorePath path, byte[] nar, ContentAddress contentAddress, IReadOnlyCollection<StorePath> references)
    {
        Remember(path, references);
        var target = RealPath(path);
        if (File.Exists(target) || Directory.Exists(target)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + ".tmp-" + Environment.ProcessId + "-" + Environment.CurrentManagedThreadId;
        using (var stream = new MemoryStream(nar, writable: false))
            NarReader.ReadAsync(stream, new NarRestorer(temporary)).GetAwaiter().GetResult();
        if (Directory.Exists(temporary)) Directory.Move(temporary, target);
        else File.Move(temporary, target, overwrite: true);
    }

    public byte[]? DumpNar(StorePath path)
    {
        var target = RealPath(path);
        if (!File.Exists(target) && !Directory.Exists(target)) return null;
        using var memory = new MemoryStream();
        NarHasher.HashPath(target, null, out _, memory);
        return memory.ToArray();
    }

    public void AddFileSystemPath(StorePath path, string source, Func<string, string, bool>? filter, bool recursive, IReadOnlyCollection<StorePath> references)
    {
        Remember(path, references);
        var target = RealPath(path);
        if (File.Exists(target) || Directory.Exists(target)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temporary = target + ".tmp-" + Environment.ProcessId + "-" + Environment.CurrentManagedThreadId;
        if (recursive) CopyTree(source, temporary, filter);
        else File.Copy(source, temporary, overwrite: true);
        if (Directory.Exists(temporary)) Directory.Move(temporary, target);
        else File.Move(temporary, target, overwrite: true);
    }

    private static void CopyTree(string source, string destination, Func<string, string, bool>? filter)
    {
        var info = SourceEntries.Describe(source);
        switch (info.Type)
        {
            case SourceEntryType.Regular:
                File.Copy(source, destination, overwrite: true);
                if (!OperatingSystem.IsWindows())
                {
                    var mode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
                    if (info.Executable) mode |= UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
                    File.SetUnixFileMode(destination, mode | UnixFileMode.UserWrite);
                }
                break;
            case SourceEntryType.Symlink:
                File.CreateSymbolicLink(destination, info.LinkTarget!);
                break;
            case SourceEntryType.Directory:
                Directory.CreateDirectory(destination);
                foreach (var (_, child) in SourceEntries.SortedChildren(source))
                {
                    if (filter != null && !filter(child, SourceEntries.TypeName(child))) continue;
                    CopyTree(child, Path.Combine(destination, Path.GetFileName(child)), filter);
                }
                break;
            default:
                throw new IOException($"file '{source}' has an unsupported type");
        }
    }

    public bool IsValid(StorePath path)
    {
        lock (_referencesLock)
        {
            if (_references.ContainsKey(path)) return true;
        }
        var target = RealPath(path);
        return File.Exists(target) || Directory.Exists(target);
    }

    public IReadOnlyCollection<StorePath> References(StorePath path)
    {
        lock (_referencesLock) return _references.TryGetValue(path, out var references) ? references : [];
    }

    public byte[]? ReadFile(StorePath path, string subpath)
    {
        var target = subpath.Length == 0 ? RealPath(path) : Path.Combine(RealPath(path), subpath);
        return File.Exists(target) ? File.ReadAllBytes(target) : null;
    }

    public byte[]? ReadText(StorePath path)
    {
        var target = RealPath(path);
        return File.Exists(target) ? File.ReadAllBytes(target) : null;
    }
}
