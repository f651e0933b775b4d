namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// Blobs as files under <c>&lt;root&gt;/blobs/ab/&lt;hex digest&gt;</c> (URL <c>file:///root</c>),
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
        ValueTask.FromResult(_files.Find(digest) is not null);

    /// <inheritdoc/>
    public ValueTask<Stream?> OpenReadAsync(B3Digest digest, CancellationToken cancellationToken = default) =>
        // Unbuffered: readers of blobs (NAR rendering, export, cat) read in large pieces, which a
        // stream buffer would only copy once more.
        ValueTask.FromResult<Stream?>(_files.OpenRead(digest));

    /// <inheritdoc/>
    public BlobWriter OpenWrite() => new Writer(_files);

    private sealed class Writer(ContentAddressedFiles files) : BlobWriter
    {
        private TemporaryFile? _temporary;

        private TemporaryFile Temporary => _temporary ??= files.CreateTemporary();

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
            _temporary = null; // closed by the commit
            try
            {
                await files.CommitAsync(temporary, digest, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                files.Discard(temporary);
                throw;
            }
        }

        protected override void Abort()
        {
            if (_temporary is not null) files.Discard(_temporary);
            _temporary = null;
        }
    }
}
