using System.Collections.Concurrent;
using Tvix.NixCompat;
using Tvix.Store;
using Tvix.Store.Import;

namespace Tvix.Glue.Store;

/// <summary>
/// Puts what evaluation creates into a <see cref="TvixStore"/> (castore + path info). The glue
/// computes every store path itself; this checks that the store agrees. Evaluation is
/// synchronous, so the store's asynchronous calls are waited for on the evaluation thread.
/// A <c>builtins.path</c> filter is a Nix function that only the evaluation thread may call,
/// so the store gets the decisions the glue recorded while it hashed the tree.
/// </summary>
internal sealed class TvixStoreGlueWriter(TvixStore store) : IGlueStoreWriter
{
    private readonly ConcurrentDictionary<StorePath, bool> _known = new();

    public TvixStore Store { get; } = store;

    public void AddText(StorePath path, ReadOnlyMemory<byte> contents, IReadOnlyCollection<StorePath> references)
    {
        var info = Store.AddTextAsync(path.Name, contents, references).GetAwaiter().GetResult();
        Check(path, info.StorePath);
        _known[path] = true;
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
        var info = Store.AddPathAsync(source, options).GetAwaiter().GetResult();
        Check(path, info.StorePath);
        _known[path] = true;
    }

    public void AddNar(StorePath path, byte[] nar, ContentAddress contentAddress, IReadOnlyCollection<StorePath> references)
    {
        using var stream = new MemoryStream(nar, writable: false);
        var options = new ImportNarOptions { References = [.. references], ContentAddress = contentAddress };
        var info = Store.ImportNarAsync(path, stream, options).GetAwaiter().GetResult();
        Check(path, info.StorePath);
        _known[path] = true;
    }

    public byte[]? DumpNar(StorePath path)
    {
        if (!IsValid(path)) return null;
        using var memory = new MemoryStream();
        Store.DumpAsync(path, memory).GetAwaiter().GetResult();
        return memory.ToArray();
    }

    private void Check(StorePath expected, StorePath actual)
    {
        if (!expected.Equals(actual))
            throw new InvalidOperationException($"the store added '{Store.StoreDirectory.Print(actual)}' where the evaluator computed '{Store.StoreDirectory.Print(expected)}'");
    }

    public bool IsValid(StorePath path)
    {
        if (_known.ContainsKey(path)) return true;
        var valid = Store.GetPathInfoAsync(path).AsTask().GetAwaiter().GetResult() != null;
        if (valid) _known[path] = true;
        return valid;
    }

    public IReadOnlyCollection<StorePath> References(StorePath path) =>
        Store.GetPathInfoAsync(path).AsTask().GetAwaiter().GetResult()?.References ?? [];

    public byte[]? ReadText(StorePath path) => ReadFile(path, "");

    public byte[]? ReadFile(StorePath path, string subpath)
    {
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
