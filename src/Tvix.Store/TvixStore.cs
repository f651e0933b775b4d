using System.Text;
using Microsoft.Extensions.Logging;
using Tvix.CAStore;
using Tvix.CAStore.Import;
using Tvix.CAStore.Services;
using Tvix.NixCompat;
using Tvix.NixCompat.Nar;
using Tvix.Store.Import;
using Tvix.Store.Nar;
using Tvix.Store.Services;

namespace Tvix.Store;

/// <summary>
/// A Nix store over the castore: adds filesystem paths, text and NARs as store paths, and reads
/// them back as NARs, files and trees. Every write stores content first (blobs, then directories
/// leaves first) and the <see cref="PathInfo"/> last, so an interrupted write leaves no store
/// path naming missing content. Thread-safe.
/// </summary>
public sealed class TvixStore
{
    private readonly DebugLog? _log;
    private readonly HashWarmup _hashWarmup = new();

    /// <summary>Creates a store over these services.</summary>
    /// <param name="blobs">File contents.</param>
    /// <param name="directories">Directory trees.</param>
    /// <param name="pathInfos">Store path metadata.</param>
    /// <param name="storeDirectory">The logical store directory; <c>/nix/store</c> when null.</param>
    /// <param name="logger">Where to log; nowhere when null.</param>
    public TvixStore(IBlobService blobs, IDirectoryService directories, IPathInfoService pathInfos, StoreDirectory? storeDirectory = null, ILogger<TvixStore>? logger = null)
    {
        Blobs = blobs ?? throw new ArgumentNullException(nameof(blobs));
        Directories = directories ?? throw new ArgumentNullException(nameof(directories));
        PathInfos = pathInfos ?? throw new ArgumentNullException(nameof(pathInfos));
        StoreDirectory = storeDirectory ?? StoreDirectory.Default;
        _log = logger is null ? null : new DebugLog(logger);
    }

    /// <summary>The blob service.</summary>
    public IBlobService Blobs { get; }

    /// <summary>The directory service.</summary>
    public IDirectoryService Directories { get; }

    /// <summary>The path info service.</summary>
    public IPathInfoService PathInfos { get; }

    /// <summary>The logical store directory (e.g. <c>/nix/store</c>).</summary>
    public StoreDirectory StoreDirectory { get; }

    /// <summary>
    /// Adds a file, directory or symlink (not followed) as a content-addressed store path, as
    /// <c>nix-store --add</c> / <c>--add-fixed [--recursive] ALGO</c> and <c>builtins.path</c> do:
    /// the tree is read once, storing blobs while its NAR (and, for flat hashing, the file) is hashed.
    /// </summary>
    /// <returns>The stored path info; its <see cref="PathInfo.StorePath"/> is the path C++ Nix computes.</returns>
    /// <exception cref="ArgumentException">The name is not a valid store path name, or flat hashing was asked for a non-file.</exception>
    /// <exception cref="FileNotFoundException">Nothing is at <paramref name="path"/>.</exception>
    /// <exception cref="UnsupportedFileTypeException">The tree holds a FIFO, socket or device.</exception>
    /// <exception cref="NixFormatException">The content address's hash differs from <see cref="AddPathOptions.ExpectedHash"/>.</exception>
    public async Task<PathInfo> AddPathAsync(string path, AddPathOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new AddPathOptions();
        var fullPath = Path.GetFullPath(path);
        var trimmed = Path.TrimEndingDirectorySeparator(fullPath);
        var name = options.Name ?? Path.GetFileName(trimmed);
        CheckName(name);
        if (options.Method == ContentAddressMethod.Text)
            throw new ArgumentException("text paths are added with AddTextAsync, not AddPathAsync", nameof(options));
        var rootEntry = LocalFileEntry.Get(trimmed);
        var tree = rootEntry.Kind == FileKind.Directory;
        if (tree) _hashWarmup.StartNarHash();
        if (options.Method == ContentAddressMethod.Flat && rootEntry.Kind != FileKind.Regular)
            throw new ArgumentException($"'{path}' is not a regular file, so it cannot be added with flat hashing", nameof(path));

        var recursiveOther = options.Method == ContentAddressMethod.Recursive && options.HashAlgorithm != NixHashAlgorithm.Sha256;
        // Made at the NAR's first write, by the thread that hashes it (see DeferredWriteStream).
        HashingStream? caHashing = null, narHashing = null;
        var narTarget = new DeferredWriteStream(() =>
        {
            caHashing = recursiveOther ? new HashingStream(options.HashAlgorithm) : null;
            return narHashing = new HashingStream(NixHashAlgorithm.Sha256, caHashing);
        });
        Node root;
        NixHash? flatHash;
        NarSummary nar;
        NixHash caHash;
        try
        {
            // The NAR is hashed on another core (the adder's pipe thread) while a thread of the walk's own reads and stores the files.
            var adder = new TreeAdder(Blobs, Directories, narTarget, options.Filter, options.Method == ContentAddressMethod.Flat ? options.HashAlgorithm : null, cancellationToken, tree ? _hashWarmup : null);
            await using (adder.ConfigureAwait(false))
            {
                // A single file (most paths an evaluation copies: patches, scripts) is read right here; a
                // tree gets a thread of its own, so that a long walk never holds up a pool thread.
                if (rootEntry.Kind != FileKind.Directory) adder.Walk(rootEntry);
                else await Task.Factory.StartNew(() => adder.Walk(rootEntry), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                root = await adder.CompleteAsync(cancellationToken).ConfigureAwait(false);
                flatHash = adder.FlatHash;
            }
            // The pipe's threads have finished (the adder waited for them): their writes are visible here.
            var hashed = (HashingStream)narTarget.Target;
            nar = new NarSummary((ulong)hashed.BytesWritten, hashed.GetHash());
            caHash = options.Method switch
            {
                ContentAddressMethod.Flat => flatHash!,
                _ => caHashing?.GetHash() ?? nar.Sha256,
            };
        }
        finally
        {
            narHashing?.Dispose();
            caHashing?.Dispose();
        }
        if (options.ExpectedHash is { } expected && !expected.Equals(caHash))
            throw new NixFormatException($"hash mismatch importing '{path}': expected {expected.ToSri()}, got {caHash.ToSri()}");
        var ca = new ContentAddress(options.Method, caHash);
        var storePath = ca.ComputeStorePath(name, StoreDirectory);
        var pathInfo = new PathInfo(storePath, root, nar) { ContentAddress = ca };
        // The adder stored every blob and directory through Blobs and Directories (each reported stored).
        if (PathInfos is FilePathInfoService local) await local.PutStoredAsync(pathInfo, Blobs, Directories, cancellationToken).ConfigureAwait(false);
        else await PathInfos.PutAsync(pathInfo, cancellationToken).ConfigureAwait(false);
        // Without a logger (the CLI's default) nothing is built: a logging call would still build its
        // arguments and parse the message template, framework code compiled anew in every process.
        _log?.Write("added {Path} as {StorePath} ({Nar})", fullPath, StoreDirectory.Print(storePath), nar);
        return pathInfo;
    }

    /// <summary>
    /// Adds bytes as a text store path with references (what <c>.drv</c> files and
    /// <c>builtins.toFile</c> produce): a non-executable file whose store path is
    /// <c>makeTextPath(name, sha256(contents), references)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid store path name.</exception>
    public async Task<PathInfo> AddTextAsync(string name, ReadOnlyMemory<byte> contents, IEnumerable<StorePath>? references = null, CancellationToken cancellationToken = default)
    {
        CheckName(name);
        // Through a list, not LINQ's ToArray: writing .drv files would load System.Linq for it alone.
        StorePath[] referenceList = references is null ? [] : new List<StorePath>(references).ToArray();
        var digest = await Blobs.PutAsync(contents, cancellationToken).ConfigureAwait(false);
        var root = new FileNode(digest, (ulong)contents.Length, executable: false);
        var nar = SingleFileNar.Summarize(contents.Span, executable: false);
        var ca = new ContentAddress(ContentAddressMethod.Text, NixHash.Compute(NixHashAlgorithm.Sha256, contents.Span));
        var storePath = StoreDirectory.MakeTextPath(name, ca.Hash.Digest, referenceList);
        var pathInfo = new PathInfo(storePath, root, nar, referenceList) { ContentAddress = ca };
        await PathInfos.PutAsync(pathInfo, cancellationToken).ConfigureAwait(false);
        _log?.Write("added text {StorePath}", StoreDirectory.Print(storePath));
        return pathInfo;
    }

    /// <summary>
    /// Reads a NAR and stores it as <paramref name="storePath"/>. The NAR is validated as it is
    /// read; if it is malformed (or a check in <paramref name="options"/> fails) no path info is stored.
    /// </summary>
    /// <remarks>
    /// With a <see cref="ImportNarOptions.ContentAddress"/>, both the store path it implies and its hash
    /// (of the NAR, or of the single file for flat and text addresses) are checked against the contents.
    /// </remarks>
    /// <exception cref="NixFormatException">The NAR is malformed, or its hash, contents or the store path disagree with the options.</exception>
    public async Task<PathInfo> ImportNarAsync(StorePath storePath, Stream nar, ImportNarOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storePath);
        ArgumentNullException.ThrowIfNull(nar);
        options ??= new ImportNarOptions();
        var result = await new NarIngester(Blobs, Directories).IngestAsync(nar, cancellationToken).ConfigureAwait(false);
        if (options.ExpectedNarHash is { } expected && !expected.Equals(result.Nar.Sha256))
            throw new NixFormatException($"NAR hash mismatch for {StoreDirectory.Print(storePath)}: expected {expected.ToSri()}, got {result.Nar.Sha256.ToSri()}");
        if (options.ContentAddress is { } ca)
        {
            var self = false;
            var others = new List<StorePath>(options.References.Count);
            foreach (var reference in options.References)
            {
                if (reference.Equals(storePath)) self = true;
                else others.Add(reference);
            }
            var computed = ca.ComputeStorePath(storePath.Name, StoreDirectory, others, self);
            if (!computed.Equals(storePath))
                throw new NixFormatException($"content address {ca} makes {StoreDirectory.Print(computed)}, not {StoreDirectory.Print(storePath)}");
            var actual = await ContentHashAsync(ca, result, cancellationToken).ConfigureAwait(false);
            if (!ca.Hash.Equals(actual))
                throw new NixFormatException($"content address {ca} does not match the contents, whose hash is {actual.ToSri()}");
        }
        var pathInfo = new PathInfo(storePath, result.Root, result.Nar, options.References)
        {
            Deriver = options.Deriver,
            ContentAddress = options.ContentAddress,
            Signatures = options.Signatures,
        };
        await PathInfos.PutAsync(pathInfo, cancellationToken).ConfigureAwait(false);
        _log?.Write("imported a NAR as {StorePath} ({Nar})", StoreDirectory.Print(storePath), result.Nar);
        return pathInfo;
    }

    /// <summary>The hash a content address of this method and algorithm would have for an ingested tree.</summary>
    private async Task<NixHash> ContentHashAsync(ContentAddress ca, NarIngestResult ingested, CancellationToken cancellationToken)
    {
        var algorithm = ca.Hash.Algorithm;
        if (ca.Method == ContentAddressMethod.Recursive)
        {
            if (algorithm == NixHashAlgorithm.Sha256) return ingested.Nar.Sha256;
            using var hashing = new HashingStream(algorithm);
            await new NarRenderer(Blobs, Directories).WriteNarAsync(ingested.Root, hashing, cancellationToken).ConfigureAwait(false);
            return hashing.GetHash();
        }
        // Flat and text: the hash of a single regular file's contents.
        if (ingested.Root is not FileNode { Executable: false } file)
            throw new NixFormatException($"content address {ca} needs a single non-executable regular file, but the NAR holds something else");
        var contents = await Blobs.OpenReadAsync(file.Digest, cancellationToken).ConfigureAwait(false)
            ?? throw new MissingContentException($"blob {file.Digest} is not in the castore");
        await using (contents.ConfigureAwait(false))
            return await NixHash.ComputeAsync(algorithm, contents, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The path info of <paramref name="storePath"/>, or null if the store does not hold it (also when
    /// it holds a path with the same digest but another name).
    /// </summary>
    public async ValueTask<PathInfo?> GetPathInfoAsync(StorePath storePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storePath);
        var info = await PathInfos.GetAsync(storePath.Digest.ToArray(), cancellationToken).ConfigureAwait(false);
        return info is not null && info.StorePath.Equals(storePath) ? info : null;
    }

    /// <summary>
    /// Whether the store holds a path with <paramref name="storePath"/>'s digest. Unlike
    /// <see cref="GetPathInfoAsync"/> this need not read and decode the path info (a local store
    /// checks that its file exists): instantiation asks this for every derivation and source it
    /// meets, 1,400 times for firefox. The digest commits to the name, so a path with the same
    /// digest and another name is not a case to tell apart here.
    /// </summary>
    public ValueTask<bool> ContainsPathAsync(StorePath storePath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storePath);
        if (PathInfos is FilePathInfoService local)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(local.Contains(storePath.Digest));
        }
        return ContainsDecodedAsync(storePath, cancellationToken);
    }

    private async ValueTask<bool> ContainsDecodedAsync(StorePath storePath, CancellationToken cancellationToken) =>
        await GetPathInfoAsync(storePath, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Writes the NAR of a store path (what <c>nix-store --dump</c> prints) and returns its size and hash.</summary>
    /// <exception cref="FileNotFoundException">The store does not hold the path.</exception>
    public async Task<NarSummary> DumpAsync(StorePath storePath, Stream output, CancellationToken cancellationToken = default)
    {
        var pathInfo = await RequireAsync(storePath, cancellationToken).ConfigureAwait(false);
        return await new NarRenderer(Blobs, Directories).WriteNarAsync(pathInfo.Node, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The node at <paramref name="subpath"/> below a store path (empty for the root), as a
    /// filesystem finds it: components are separated by '/', symlinks on the way are followed
    /// (see <see cref="ResolveAsync(StorePath, string, bool, CancellationToken)"/>); a symlink at the end is returned, not followed.
    /// </summary>
    /// <exception cref="FileNotFoundException">The store does not hold the path, or nothing is at the subpath.</exception>
    /// <exception cref="ArgumentException">The subpath contains '..'.</exception>
    /// <exception cref="IOException">A symlink on the way leaves the store, or there are too many (a loop).</exception>
    public Task<Node> ResolveAsync(StorePath storePath, string subpath, CancellationToken cancellationToken = default) =>
        ResolveAsync(storePath, subpath, followFinalSymlink: false, cancellationToken);

    /// <summary>
    /// The node at <paramref name="subpath"/> below a store path (empty for the root), as a
    /// filesystem finds it: components are separated by '/', and every symlink on the way (and the
    /// last one too with <paramref name="followFinalSymlink"/>) is followed: a relative target from
    /// the directory holding the link (it may say '..' but not leave the store path), an absolute
    /// one (or a relative one on a store path's root) into the store path it names, which this store
    /// must hold. At most 40 symlinks are followed in one walk.
    /// </summary>
    /// <exception cref="FileNotFoundException">The store does not hold the path (or one a symlink names), or nothing is at the subpath.</exception>
    /// <exception cref="ArgumentException">The subpath contains '..'.</exception>
    /// <exception cref="IOException">A symlink leaves the store, or there are too many (a loop).</exception>
    public Task<Node> ResolveAsync(StorePath storePath, string subpath, bool followFinalSymlink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storePath);
        ArgumentNullException.ThrowIfNull(subpath);
        return new StorePathResolver(this).ResolveAsync(storePath, subpath, followFinalSymlink, cancellationToken);
    }

    /// <summary>Opens the regular file at <paramref name="subpath"/> below a store path for reading, following symlinks (also a last one) as a filesystem would.</summary>
    /// <exception cref="FileNotFoundException">The path or subpath does not exist.</exception>
    /// <exception cref="IOException">The node there is not a regular file, or a symlink leaves the store or loops.</exception>
    public async Task<Stream> OpenFileAsync(StorePath storePath, string subpath, CancellationToken cancellationToken = default)
    {
        var node = await ResolveAsync(storePath, subpath, followFinalSymlink: true, cancellationToken).ConfigureAwait(false);
        if (node is not FileNode file)
            throw new IOException($"'{StoreDirectory.Print(storePath)}{(subpath.Length > 0 ? "/" + subpath.TrimStart('/') : "")}' is not a regular file");
        return await Blobs.OpenReadAsync(file.Digest, cancellationToken).ConfigureAwait(false)
            ?? throw new MissingContentException($"blob {file.Digest} is not in the castore");
    }

    /// <summary>Materialises a store path's tree at <paramref name="destination"/> (which must not exist).</summary>
    /// <exception cref="FileNotFoundException">The store does not hold the path.</exception>
    public async Task ExportAsync(StorePath storePath, string destination, CancellationToken cancellationToken = default)
    {
        var pathInfo = await RequireAsync(storePath, cancellationToken).ConfigureAwait(false);
        await new FileSystemExporter(Blobs, Directories).ExportAsync(pathInfo.Node, destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Splits <c>/nix/store/&lt;hash&gt;-&lt;name&gt;[/subpath]</c> (or a bare <c>&lt;hash&gt;-&lt;name&gt;[/subpath]</c>)
    /// into the store path and the subpath (empty when there is none).
    /// </summary>
    /// <exception cref="NixFormatException">The text is not a store path in this store directory.</exception>
    public (StorePath StorePath, string Subpath) ParsePathWithSubpath(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var prefix = StoreDirectory.Path.TrimEnd('/') + "/";
        string rest;
        if (text.StartsWith(prefix, StringComparison.Ordinal)) rest = text[prefix.Length..];
        else if (!text.StartsWith('/')) rest = text;
        else throw new NixFormatException($"path '{text}' is not in the Nix store ({StoreDirectory.Path})");
        var slash = rest.IndexOf('/');
        var baseName = slash < 0 ? rest : rest[..slash];
        if (!StorePath.TryParseBaseName(baseName, out var storePath))
            throw new NixFormatException($"'{baseName}' is not a store path base name (<32 nixbase32 characters>-<name>)");
        return (storePath!, slash < 0 ? "" : rest[(slash + 1)..].Trim('/'));
    }

    private async Task<PathInfo> RequireAsync(StorePath storePath, CancellationToken cancellationToken) =>
        await GetPathInfoAsync(storePath, cancellationToken).ConfigureAwait(false)
        ?? throw new FileNotFoundException($"path '{StoreDirectory.Print(storePath)}' is not in the store");

    private static void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (StorePath.ValidateName(name) is { } error) throw new ArgumentException($"invalid store path name '{name}': {error}", nameof(name));
    }
}
