namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// Blobs as files under <c>&lt;root&gt;/blobs/ab/cd/&lt;hex digest&gt;</c> (URL <c>file:///root</c>),
/// the embedded default store. Folders are created on first write.
/// </summary>
public sealed class FileBlobService : IBlobService
{
    private readonly ContentAddressedFiles _files;

    /// <summary>A store rooted at <paramref name="root"/> (an absolute path).</summary>
    public FileBlobService(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _files = new ContentAddressedFiles(Root, "blobs");
    }

    /// <summary>The store's root folder.</summary>
    public string Root { get; }

    /// <inheritdoc/>
    public ValueTask<bool> HasAsync(B3Digest digest, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(File.Exists(_files.PathOf(digest)));

    /// <inheritdoc/>
    public ValueTask<Stream?> OpenReadAsync(B3Digest digest, CancellationToken cancellationToken = default)
    {
        try
        {
            return ValueTask.FromResult<Stream?>(new FileStream(_files.PathOf(digest), FileMode.Open, FileAccess.Read,
                FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return ValueTask.FromResult<Stream?>(null);
        }
    }

    /// <inheritdoc/>
    public BlobWriter OpenWrite() => new Writer(_files);

    private sealed class Writer(ContentAddressedFiles files) : BlobWriter
    {
        private FileStream? _temporary;
        private string _path = "";

        private FileStream Temporary => _temporary ??= files.CreateTemporary(out _path);

        protected override void WriteCore(ReadOnlySpan<byte> buffer) => Temporary.Write(buffer);

        // Writes go to the page cache and return in microseconds (nothing is flushed before the
        // batch publishes the file), so they are done inline rather than queued on the thread pool.
        protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Temporary.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        protected override async ValueTask CommitAsync(B3Digest digest, long length, CancellationToken cancellationToken)
        {
            var temporary = Temporary;
            try
            {
                await files.CommitAsync(temporary, _path, digest, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                ContentAddressedFiles.Discard(temporary, _path);
                throw;
            }
            _temporary = null;
        }

        protected override void Abort()
        {
            if (_temporary is not null) ContentAddressedFiles.Discard(_temporary, _path);
            _temporary = null;
        }
    }
}
