using System.Runtime.CompilerServices;
using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.NixCompat;
using Tvix.Store.Nar;

namespace Tvix.Store.Services;

/// <summary>Path infos in this process's memory, over the given castore.</summary>
public sealed class MemoryPathInfoService : IPathInfoService
{
    private readonly IBlobService _blobs;
    private readonly IDirectoryService _directories;
    private readonly NarCalculator _nar;
    // A plain dictionary under a lock, held only for a lookup or a copy: a concurrent one would
    // load System.Collections.Concurrent (see CAStore's MemoryBlobService).
    private readonly Dictionary<string, byte[]> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Creates an empty service over these castore services.</summary>
    public MemoryPathInfoService(IBlobService blobs, IDirectoryService directories)
    {
        _blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        _directories = directories ?? throw new ArgumentNullException(nameof(directories));
        _nar = new NarCalculator(blobs, directories);
    }

    /// <inheritdoc />
    public ValueTask<PathInfo?> GetAsync(ReadOnlyMemory<byte> digest, CancellationToken cancellationToken = default)
    {
        var key = PathInfoKeys.Key(digest.Span);
        cancellationToken.ThrowIfCancellationRequested();
        byte[]? encoded;
        lock (_lock) _entries.TryGetValue(key, out encoded);
        return ValueTask.FromResult(encoded is null ? null : PathInfo.Decode(encoded));
    }

    /// <inheritdoc />
    public async ValueTask<PathInfo> PutAsync(PathInfo pathInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pathInfo);
        var encoded = pathInfo.Encode();
        await ContentPresence.EnsureAsync(_blobs, _directories, pathInfo, cancellationToken).ConfigureAwait(false);
        var key = PathInfoKeys.Key(pathInfo.StorePath.Digest);
        lock (_lock) _entries[key] = encoded;
        _nar.Remember(pathInfo.Node, pathInfo.Nar);
        return pathInfo;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<PathInfo> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // A copy: the entries may change while the caller iterates.
        byte[][] all;
        lock (_lock) all = [.. _entries.Values];
        foreach (var encoded in all)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return PathInfo.Decode(encoded);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<NarSummary> CalculateNarAsync(Node root, CancellationToken cancellationToken = default) =>
        _nar.CalculateAsync(root, cancellationToken);
}

/// <summary>How path infos are keyed: the nixbase32 form of the store path digest (also the file name on disk).</summary>
internal static class PathInfoKeys
{
    public static string Key(ReadOnlySpan<byte> digest)
    {
        if (digest.Length != StorePath.DigestLength)
            throw new ArgumentException($"a store path digest has {StorePath.DigestLength} bytes, not {digest.Length}", nameof(digest));
        return NixBase32.Encode(digest);
    }

    public static bool IsKey(ReadOnlySpan<char> name)
    {
        if (name.Length != StorePath.HashPartLength) return false;
        foreach (var c in name)
            if (!NixBase32.IsDigit(c)) return false;
        return true;
    }
}
