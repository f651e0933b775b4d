using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.CAStore.Services.FileSystem;
using Tvix.Store.Nar;

namespace Tvix.Store.Services;

/// <summary>
/// Path infos on disk: one file per store path under <see cref="Root"/>, named by the nixbase32
/// digest (the store path's hash part) and holding the encoded <c>tvix.store.v1.PathInfo</c>.
/// Each file is written under <c>Root/tmp</c>, made durable (with <c>syncfs</c> on Linux, which
/// also covers the castore objects beside it; else <c>fsync</c>), then renamed into place and the
/// folder fsynced, so a crash leaves either the old or the new path info, never a torn one. The
/// castore content is checked before the rename, and the castore reports objects stored only once
/// they are durable, so a path info never names missing content. Temporary files a crash left
/// behind are removed on the first write (by <see cref="StaleTemporaryFiles"/>' rule). Puts that
/// run concurrently share those flushes (a group commit): many path infos written at once, as
/// instantiation hands over its <c>.drv</c> files, cost two flushes per group instead of per file.
/// </summary>
public sealed class FilePathInfoService : IPathInfoService
{
    private readonly IBlobService _blobs;
    private readonly IDirectoryService _directories;
    private readonly NarCalculator _nar;
    private readonly DebugLog? _log;
    private int _temporaryFolderReady;
    private readonly SyncCoalescer _contentFlush;
    private readonly SyncCoalescer _namesFlush;

    /// <summary>Creates a service storing under <paramref name="root"/> (created on first write), over these castore services.</summary>
    public FilePathInfoService(string root, IBlobService blobs, IDirectoryService directories, ILogger<FilePathInfoService>? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        if (!Path.IsPathFullyQualified(root)) throw new ArgumentException($"'{root}' is not an absolute path", nameof(root));
        Root = root;
        _blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        _directories = directories ?? throw new ArgumentNullException(nameof(directories));
        _nar = new NarCalculator(blobs, directories);
        _log = logger is null ? null : new DebugLog(logger);
        _contentFlush = new SyncCoalescer(() => FileSystemSync.Sync(Path.Combine(root, "tmp")));
        _namesFlush = new SyncCoalescer(() => DirectorySync.Flush(root));
    }

    /// <summary>The folder holding the path info files.</summary>
    public string Root { get; }

    /// <inheritdoc />
    public ValueTask<PathInfo?> GetAsync(ReadOnlyMemory<byte> digest, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var key = PathInfoKeys.Key(digest.Span);
        byte[] encoded;
        try
        {
            encoded = File.ReadAllBytes(Path.Combine(Root, key)); // small: inline beats a thread-pool hop
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return ValueTask.FromResult<PathInfo?>(null);
        }
        var pathInfo = Decode(encoded, key);
        if (!pathInfo.StorePath.Digest.SequenceEqual(digest.Span))
            throw new PathInfoValidationException($"the path info file {key} holds {pathInfo.StorePath.BaseName}, a different store path");
        return ValueTask.FromResult<PathInfo?>(pathInfo);
    }

    /// <summary>Whether a path info file for <paramref name="digest"/> exists (not read or checked: see <see cref="TvixStore.ContainsPathAsync"/>).</summary>
    internal bool Contains(ReadOnlySpan<byte> digest) => File.Exists(Path.Combine(Root, PathInfoKeys.Key(digest)));

    /// <inheritdoc />
    public ValueTask<PathInfo> PutAsync(PathInfo pathInfo, CancellationToken cancellationToken = default) =>
        PutCoreAsync(pathInfo, checkContent: true, cancellationToken);

    /// <summary>
    /// <see cref="PutAsync"/> for a path info whose content the caller has just stored through
    /// <paramref name="blobs"/> and <paramref name="directories"/>, each object reported stored (so
    /// durable under its name): when those are this service's own castore services, the content is
    /// not read back to check it is there. A store add would otherwise read every directory and look
    /// up every blob of the tree it has just written, after the walk, where nothing else overlaps it.
    /// </summary>
    internal ValueTask<PathInfo> PutStoredAsync(PathInfo pathInfo, IBlobService blobs, IDirectoryService directories, CancellationToken cancellationToken) =>
        PutCoreAsync(pathInfo, checkContent: !ReferenceEquals(blobs, _blobs) || !ReferenceEquals(directories, _directories), cancellationToken);

    private async ValueTask<PathInfo> PutCoreAsync(PathInfo pathInfo, bool checkContent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pathInfo);
        var encoded = pathInfo.Encode();
        var key = PathInfoKeys.Key(pathInfo.StorePath.Digest);
        // Content first: checking before the rename means a crash at any point leaves no path info naming missing data.
        if (checkContent) await ContentPresence.EnsureAsync(_blobs, _directories, pathInfo, cancellationToken).ConfigureAwait(false);
        var tmpDir = Path.Combine(Root, "tmp");
        if (Volatile.Read(ref _temporaryFolderReady) == 0)
        {
            Directory.CreateDirectory(tmpDir);
            StaleTemporaryFiles.Remove(tmpDir, StaleTemporaryFiles.DefaultMaxAge);
            Volatile.Write(ref _temporaryFolderReady, 1);
        }
        var tmp = Path.Combine(tmpDir, key + "." + RandomHex());
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite, 0))
            {
                stream.Write(encoded);
                if (!FileSystemSync.IsAvailable) stream.Flush(flushToDisk: true);
            }
            // One syncfs makes this file durable and with it everything else on the filesystem: in the
            // usual layout (castore beside the path infos) also the names of objects that another
            // process published and that this path info names (this process waits for its own).
            // Concurrent puts share it: each waits for one that started after its file was written.
            await _contentFlush.FlushAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(tmp, Path.Combine(Root, key), overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
        // The rename is durable only once the folder's entries are flushed too (shared like the above).
        await _namesFlush.FlushAsync().ConfigureAwait(false);
        _nar.Remember(pathInfo.Node, pathInfo.Nar);
        _log?.Write("stored path info of {StorePath} ({Node})", pathInfo.StorePath.BaseName, pathInfo.Node); // see TvixStore.AddPathAsync
        return pathInfo;
    }

    /// <summary>A new GUID's bytes in hex: the framework's GUID formatting is JIT-compiled in every process (vectorised code ReadyToRun leaves out).</summary>
    private static string RandomHex()
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(bytes);
        Span<char> chars = stackalloc char[32];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[2 * i] = "0123456789abcdef"[bytes[i] >> 4];
            chars[2 * i + 1] = "0123456789abcdef"[bytes[i] & 15];
        }
        return new string(chars);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<PathInfo> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(Root)) yield break;
        foreach (var file in Directory.EnumerateFiles(Root))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var key = Path.GetFileName(file);
            if (!PathInfoKeys.IsKey(key)) continue;
            byte[] encoded;
            try
            {
                encoded = await File.ReadAllBytesAsync(file, cancellationToken).ConfigureAwait(false);
            }
            catch (FileNotFoundException)
            {
                continue; // replaced or removed while listing
            }
            yield return Decode(encoded, key);
        }
    }

    /// <inheritdoc />
    public ValueTask<NarSummary> CalculateNarAsync(Node root, CancellationToken cancellationToken = default) =>
        _nar.CalculateAsync(root, cancellationToken);

    private PathInfo Decode(byte[] encoded, string key)
    {
        try
        {
            return PathInfo.Decode(encoded);
        }
        catch (PathInfoValidationException e)
        {
            throw new PathInfoValidationException($"the path info file {Path.Combine(Root, key)} is corrupt: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
