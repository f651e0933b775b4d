using Tvix.NixCompat;
using Tvix.Store;
using Tvix.Store.Import;

namespace Tvix.Glue.Store;

/// <summary>
/// Puts what evaluation creates into a <see cref="TvixStore"/> (castore + path info). The glue
/// computes every store path itself; this checks that the store agrees. Evaluation is
/// synchronous, so the store's asynchronous calls are waited for on the evaluation thread.
/// A <c>builtins.path</c> filter is a Nix function that only the evaluation thread may call,
/// so the store gets the decisions the glue recorded while it hashed the tree. With a
/// <see cref="StoreWriteBehind"/> the writes are queued instead of waited for, and a path in
/// flight counts as present (its text and references are answered from the queue).
/// </summary>
internal sealed class TvixStoreGlueWriter : IGlueStoreWriter
{
    // Paths known to be in the store. A set under a lock, not a concurrent dictionary: that would
    // load System.Collections.Concurrent, and the writes' callbacks are the only other thread here.
    private readonly HashSet<StorePath> _known = [];
    private readonly Lock _knownLock = new();
    private readonly StoreWriteBehind? _writeBehind;

    public TvixStoreGlueWriter(TvixStore store) => Store = store;

    public TvixStoreGlueWriter(StoreWriteBehind writeBehind)
    {
        Store = writeBehind.Store;
        _writeBehind = writeBehind;
    }

    public TvixStore Store { get; }

    public void AddText(StorePath path, ReadOnlyMemory<byte> contents, IReadOnlyCollection<StorePath> references)
    {
        if (_writeBehind != null)
        {
            _writeBehind.Enqueue(new PendingWrite(path, () => Store.AddTextAsync(path.Name, contents, references), contents, references),
                () => Remember(path));
            return;
        }
        var info = Store.AddTextAsync(path.Name, contents, references).GetAwaiter().GetResult();
        Check(path, info.StorePath);
        Remember(path);
    }

    public void AddFileSystemPath(StorePath path, string source, Func<string, string, bool>? filter, bool recursive, IReadOnlyCollection<StorePath> references)
    {
        if (references.Count > 0)
        {
            // The store's own import has no references; a copy of a path with references (only
            // recursive SHA-256, as in Nix) goes in as a NAR with them.
            using var nar = new MemoryStream();
            var narHash = Import.NarHasher.HashPath(source, filter, out _, nar);
            AddNar(path, nar.ToArray(), new ContentAddress(ContentAddressMethod.Recursive, new NixHash(NixHashAlgorithm.Sha256, narHash)), references);
            return;
        }
        PathFilter? storeFilter = null;
        if (filter != null)
        {
            var decisions = new Dictionary<string, bool>(StringComparer.Ordinal);
            storeFilter = (entry, type) =>
            {
                lock (decisions)
                {
                    if (decisions.TryGetValue(entry, out var keep)) return keep;
                }
                throw new InvalidOperationException($"the filter was not asked about '{entry}' while the path was hashed");
            };
            // Ask the Nix filter once per entry, here on the evaluation thread, in NAR order.
            Import.FilterDecisions.Record(source, filter, decisions);
        }
        var options = new AddPathOptions
        {
            Name = path.Name,
            Method = recursive ? ContentAddressMethod.Recursive : ContentAddressMethod.Flat,
            HashAlgorithm = NixHashAlgorithm.Sha256,
            Filter = storeFilter,
        };
        if (_writeBehind != null)
        {
            _writeBehind.Enqueue(new PendingWrite(path, () => Store.AddPathAsync(source, options), null, references), () => Remember(path));
            return;
        }
        var info = Store.AddPathAsync(source, options).GetAwaiter().GetResult();
        Check(path, info.StorePath);
        Remember(path);
    }

    public void AddNar(StorePath path, byte[] nar, ContentAddress contentAddress, IReadOnlyCollection<StorePath> references)
    {
        if (_writeBehind != null)
        {
            var queuedOptions = new ImportNarOptions { References = [.. references], ContentAddress = contentAddress };
            _writeBehind.Enqueue(new PendingWrite(path, () => Store.ImportNarAsync(path, new MemoryStream(nar, writable: false), queuedOptions), null, references),
                () => Remember(path));
            return;
        }
        using var stream = new MemoryStream(nar, writable: false);
        var options = new ImportNarOptions { References = [.. references], ContentAddress = contentAddress };
        var info = Store.ImportNarAsync(path, stream, options).GetAwaiter().GetResult();
        Check(path, info.StorePath);
        Remember(path);
    }

    public byte[]? DumpNar(StorePath path)
    {
        if (!IsValid(path)) return null;
        WaitIfPending(path);
        using var memory = new MemoryStream();
        Store.DumpAsync(path, memory).GetAwaiter().GetResult();
        return memory.ToArray();
    }

    private void Remember(StorePath path)
    {
        lock (_knownLock) _known.Add(path);
    }

    private void Check(StorePath expected, StorePath actual)
    {
        if (!expected.Equals(actual))
            throw new InvalidOperationException($"the store added '{Store.StoreDirectory.Print(actual)}' where the evaluator computed '{Store.StoreDirectory.Print(expected)}'");
    }

    /// <summary>Waits for the write of <paramref name="path"/> when it is in flight (and throws when it failed).</summary>
    private void WaitIfPending(StorePath path)
    {
        if (_writeBehind?.Find(path) is { } pending) pending.Completion.Task.GetAwaiter().GetResult();
    }

    public bool IsValid(StorePath path)
    {
        lock (_knownLock)
        {
            if (_known.Contains(path)) return true;
        }
        if (_writeBehind?.Find(path) != null) return true;
        var pending = Store.ContainsPathAsync(path);
        var valid = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        if (valid) Remember(path);
        return valid;
    }

    public IReadOnlyCollection<StorePath> References(StorePath path)
    {
        if (_writeBehind?.Find(path) is { } pending) return pending.References;
        return Store.GetPathInfoAsync(path).AsTask().GetAwaiter().GetResult()?.References ?? [];
    }

    public byte[]? ReadText(StorePath path) => ReadFile(path, "");

    public byte[]? ReadFile(StorePath path, string subpath)
    {
        if (_writeBehind?.Find(path) is { } pending)
        {
            if (subpath.Length == 0 && pending.Text is { } text) return text.ToArray();
            pending.Completion.Task.GetAwaiter().GetResult();
        }
        if (!IsValid(path)) return null;
        try
        {
            using var stream = Store.OpenFileAsync(path, subpath).GetAwaiter().GetResult();
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.ToArray();
        }
        catch (FileNotFoundException) { return null; }
        catch (IOException) { return null; }
    }
}
