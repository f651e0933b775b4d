using Microsoft.Win32.SafeHandles;

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
        ValueTask.FromResult(_files.Has(digest));

    /// <inheritdoc/>
    public ValueTask<Stream?> OpenReadAsync(B3Digest digest, CancellationToken cancellationToken = default) =>
        // Unbuffered: readers of blobs (NAR rendering, export, cat) read in large pieces, which a
        // stream buffer would only copy once more.
        ValueTask.FromResult<Stream?>(_files.OpenRead(digest));

    /// <summary>
    /// Opens the blob's file itself, for reading at offsets, or returns null if it is not stored:
    /// for consumers that hand file contents to the kernel (a NAR dump into a pipe or file) and
    /// need no stream around them. The caller disposes the handle.
    /// </summary>
    public SafeFileHandle? OpenFile(B3Digest digest) => _files.OpenHandle(digest);

    /// <inheritdoc/>
    public BlobWriter OpenWrite()
    {
        _files.BeginWrite();
        return new Writer(_files);
    }

    /// <summary>
    /// Writes a blob. A small one is held in memory until it is closed: its digest is then known
    /// before anything touches the disk, so a blob stored already costs one <c>stat</c> and no
    /// temporary file, and callers need not hash small contents a second time to find that out.
    /// </summary>
    private sealed class Writer(ContentAddressedFiles files) : BlobWriter
    {
        private const int InMemoryLimit = 256 * 1024;
        // Held blobs at least this large are written with direct I/O too (below it, a page-cache
        // write of a few pages costs less than queuing one; most such blobs are a last piece anyway).
        private const int DirectFrom = 16 * 1024;
        private TemporaryFile? _temporary;
        private byte[]? _held;
        private int _heldLength;

        private bool _hashing; // the hasher has the bytes (held ones included); until then they are only held

        // While the blob fits in memory its bytes are only held, and hashed in one go at close.
        private protected override void Absorb(ReadOnlySpan<byte> buffer)
        {
            if (!_hashing && _temporary is null && _heldLength + buffer.Length <= InMemoryLimit) return; // held by WriteCore
            if (!_hashing)
            {
                _hashing = true;
                if (_heldLength > 0) Hasher.Update(_held.AsSpan(0, _heldLength));
            }
            Hasher.Update(buffer);
        }

        private protected override B3Digest ComputeDigest()
        {
            if (_hashing) return base.ComputeDigest();
            Span<byte> hash = stackalloc byte[B3Digest.Length];
            Hashing.Blake3.HashWithKernels(_held.AsSpan(0, _heldLength), hash);
            return new B3Digest(hash);
        }

        protected override void WriteCore(ReadOnlySpan<byte> buffer)
        {
            if (_temporary is null && _heldLength + buffer.Length <= InMemoryLimit)
            {
                Hold(buffer);
                return;
            }
            if (_temporary is null)
            {
                // Too large to hold: from here on the bytes go to a temporary file, large enough to be
                // worth writing past the page cache (direct I/O, on the store's writing thread).
                _temporary = files.CreateTemporary(direct: true);
                if (_heldLength > 0) _temporary.Write(_held.AsSpan(0, _heldLength));
                ReleaseHeld();
            }
            _temporary.Write(buffer);
        }

        // Writes go to memory or the page cache and return in microseconds (nothing is flushed before
        // the batch publishes the file), so they are done inline rather than queued on the thread pool.
        protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            WriteCore(buffer.Span);
            return ValueTask.CompletedTask;
        }

        private void Hold(ReadOnlySpan<byte> buffer)
        {
            var needed = _heldLength + buffer.Length;
            if (_held is null || _held.Length < needed)
            {
                var grown = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Min(InMemoryLimit, Math.Max(needed, 2 * (_held?.Length ?? 2048))));
                var length = _heldLength;
                if (length > 0) _held.AsSpan(0, length).CopyTo(grown);
                ReleaseHeld();
                _held = grown;
                _heldLength = length;
            }
            buffer.CopyTo(_held.AsSpan(_heldLength));
            _heldLength = needed;
        }

        private void ReleaseHeld()
        {
            if (_held is not null) System.Buffers.ArrayPool<byte>.Shared.Return(_held);
            _held = null;
            _heldLength = 0;
        }

        // Not called (CloseAsync comes through CommitReturningDigestAsync); there for the contract.
        protected override ValueTask CommitAsync(B3Digest digest, long length, CancellationToken cancellationToken)
        {
            var stored = CommitReturningDigestAsync(digest, length, cancellationToken);
            return stored.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(stored.AsTask());
        }

        /// <summary>
        /// Creates the temporary file of a held blob (unless the blob is stored already) and hands the
        /// file to the store's publisher; completes once it is durable. The returned awaitable is the
        /// publisher's queue entry itself: no async state machine per blob on this path.
        /// </summary>
        private protected override ValueTask<B3Digest> CommitReturningDigestAsync(B3Digest digest, long length, CancellationToken cancellationToken)
        {
            try
            {
                var temporary = _temporary;
                _temporary = null; // the commit owns it now
                if (temporary is null)
                {
                    try
                    {
                        // Only the current layout is looked at: a copy in the legacy layout is harmlessly duplicated.
                        if (files.IsStored(digest)) return new ValueTask<B3Digest>(digest);
                        // Committed on the thread pool, many at once: never waits for a buffer (the page cache takes it).
                        temporary = files.CreateTemporary(direct: _heldLength >= DirectFrom, waitForBuffers: false);
                        try
                        {
                            temporary.Write(_held.AsSpan(0, _heldLength));
                        }
                        catch
                        {
                            files.Discard(temporary);
                            throw;
                        }
                    }
                    finally
                    {
                        ReleaseHeld();
                    }
                }
                return files.CommitAsync(temporary, digest, cancellationToken); // removes the file if it fails
            }
            finally
            {
                files.EndWrite(); // the bytes are in a closed file now (or stored already): nothing more to wait for
            }
        }

        protected override void Abort()
        {
            files.EndWrite();
            if (_temporary is not null) files.Discard(_temporary);
            _temporary = null;
            ReleaseHeld();
        }
    }
}
