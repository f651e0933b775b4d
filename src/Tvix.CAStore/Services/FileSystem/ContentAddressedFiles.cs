using System.Text;
using Microsoft.Win32.SafeHandles;
using Tvix.CAStore.Import;

namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// Files named by digest in a sharded folder (<c>ab/abcd…</c> in hex), written crash-safely:
/// into a temporary file beside the store, then published under the final name by a
/// <see cref="BatchPublisher"/>, which makes the contents durable before the rename (see there for
/// the order of steps), so a crash never leaves a partial file under a final name. Two writers of
/// the same content both succeed. Temporary files older than
/// <see cref="StaleTemporaryFiles.DefaultMaxAge"/> are removed on the first write (a crash's leftovers).
/// </summary>
internal sealed class ContentAddressedFiles
{
    private readonly string _dir;
    private readonly string _tmp;
    private byte[]? _rawDir; // _dir as UTF-8, made on first use (racing threads make equal copies)
    private readonly BatchPublisher _publisher;
    private int _temporaryFolderReady;
    private int _writing; // temporary files open for writing
    private int _open; // writers open (from OpenWrite to their commit or abort), with or without a temporary file yet
    // Temporary names: a random prefix per instance (unique across processes and machines sharing
    // a store) and a counter, instead of a new GUID per object (a read of the kernel's random
    // source each); creating with O_EXCL would still refuse a clash.
    private readonly string _temporaryPrefix = Guid.NewGuid().ToString("N") + "-";
    private long _temporaryCount;
    // Large blobs are written with direct I/O on a thread of this store's own (see there).
    private readonly DirectWrites _directWrites = new();

    /// <param name="root">The store's root folder.</param>
    /// <param name="kind">The sub-folder for this kind of object (<c>blobs</c>, <c>directories</c>).</param>
    public ContentAddressedFiles(string root, string kind)
    {
        _dir = Path.Combine(root, kind);
        _tmp = Path.Combine(root, "tmp");
        _publisher = new BatchPublisher(root, () => Volatile.Read(ref _writing) > 0 || Volatile.Read(ref _open) > 0);
    }

    /// <summary>Where the object with this digest is written: <c>kind/ab/abcd…</c> (256 folders).</summary>
    public string PathOf(B3Digest digest)
    {
        // Built by hand: this runs several times per object, and the framework's hex conversion
        // (vectorised, generic) showed up in profiles at a few percent of a whole import.
        return string.Create(_dir.Length + 4 + 2 * B3Digest.Length, (Dir: _dir, Digest: digest.ToArray()), static (chars, state) =>
        {
            state.Dir.CopyTo(chars);
            var i = state.Dir.Length;
            chars[i++] = Path.DirectorySeparatorChar;
            chars[i++] = HexDigits[state.Digest[0] >> 4];
            chars[i++] = HexDigits[state.Digest[0] & 15];
            chars[i++] = Path.DirectorySeparatorChar;
            foreach (var b in state.Digest)
            {
                chars[i++] = HexDigits[b >> 4];
                chars[i++] = HexDigits[b & 15];
            }
        });
    }

    private const string HexDigits = "0123456789abcdef";

    /// <summary>Whether the object is stored under <see cref="PathOf"/> (the legacy layout is not looked at).</summary>
    public bool IsStored(B3Digest digest) =>
        // On the raw bytes where possible: File.Exists normalises the path first, which showed up in profiles of imports.
        PosixFiles.IsAvailable ? PosixFiles.Exists(RawPathOf(digest, legacy: false)) : File.Exists(PathOf(digest));

    /// <summary>Whether the object is stored, in the current or the legacy layout (see <see cref="Find"/>).</summary>
    public bool Has(B3Digest digest) =>
        PosixFiles.IsAvailable
            ? PosixFiles.Exists(RawPathOf(digest, legacy: false)) || PosixFiles.Exists(RawPathOf(digest, legacy: true))
            : Find(digest) is not null;

    /// <summary>
    /// Where the object is, if it is stored: <see cref="PathOf"/>, or where stores written before
    /// the layout had one level used to put it (<c>kind/ab/cd/abcd…</c>; its 65,536 folders made
    /// creating the folders cost more than writing the objects), or null.
    /// </summary>
    public string? Find(B3Digest digest)
    {
        var path = PathOf(digest);
        if (File.Exists(path)) return path;
        var legacy = LegacyPath(path);
        return File.Exists(legacy) ? legacy : null;
    }

    /// <summary>
    /// Opens the stored object for reading (unbuffered, asynchronous reads inline), or returns null
    /// if it is not stored. Tries the open directly (no existence check first: reads mostly find
    /// what they look for).
    /// </summary>
    public InlineFileStream? OpenRead(B3Digest digest) => OpenHandle(digest) is { } handle ? new InlineFileStream(handle) : null;

    /// <summary>Opens the stored object's file for reading, or returns null if it is not stored.</summary>
    public SafeFileHandle? OpenHandle(B3Digest digest)
    {
        if (PosixFiles.IsAvailable) return PosixFiles.TryOpenRead(RawPathOf(digest, legacy: false)) ?? PosixFiles.TryOpenRead(RawPathOf(digest, legacy: true));
        var path = PathOf(digest);
        return TryOpen(path) ?? TryOpen(LegacyPath(path));
    }

    /// <summary>The whole stored object (for small ones: directories), or null if it is not stored.</summary>
    public byte[]? ReadAll(B3Digest digest)
    {
        var handle = OpenHandle(digest);
        if (handle is null) return null;
        using (handle)
        {
            // On the bare handle: a stream around it would cost system calls of its own per object.
            var bytes = new byte[RandomAccess.GetLength(handle)];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
                if (n == 0) throw new IOException($"stored object {digest} became shorter while it was read");
                read += n;
            }
            return bytes;
        }
    }

    private static SafeFileHandle? TryOpen(string path)
    {
        try
        {
            // Where there is no raw open (not 64-bit Linux): .NET's, sharing everything with other writers.
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary><see cref="PathOf"/> (or the legacy two-level path) as NUL-terminated bytes, for <see cref="PosixFiles"/>.</summary>
    private byte[] RawPathOf(B3Digest digest, bool legacy)
    {
        var dir = _rawDir ??= Encoding.UTF8.GetBytes(_dir);
        var hex = 2 * B3Digest.Length;
        var path = new byte[dir.Length + (legacy ? 7 : 4) + hex + 1];
        dir.CopyTo(path, 0);
        var i = dir.Length;
        path[i++] = (byte)'/';
        var bytes = digest.ToArray();
        path[i++] = (byte)HexDigits[bytes[0] >> 4];
        path[i++] = (byte)HexDigits[bytes[0] & 15];
        path[i++] = (byte)'/';
        if (legacy)
        {
            path[i++] = (byte)HexDigits[bytes[1] >> 4];
            path[i++] = (byte)HexDigits[bytes[1] & 15];
            path[i++] = (byte)'/';
        }
        foreach (var b in bytes)
        {
            path[i++] = (byte)HexDigits[b >> 4];
            path[i++] = (byte)HexDigits[b & 15];
        }
        return path; // the last byte stays 0
    }

    private string LegacyPath(string path)
    {
        var hex = path[^(2 * B3Digest.Length)..];
        return Path.Combine(_dir, hex[..2], hex[2..4], hex);
    }

    /// <summary>A new, exclusively created temporary file for a write in progress (stored objects are immutable: its mode is read-only).</summary>
    /// <param name="direct">
    /// Write it with direct I/O where possible (for large objects: see <see cref="DirectWrites"/>);
    /// then <see cref="CommitAsync"/> first waits until all of it is written.
    /// </param>
    /// <param name="waitForBuffers">With <paramref name="direct"/>: whether a writer may wait for a free buffer (see <see cref="TemporaryFile.Create"/>).</param>
    public TemporaryFile CreateTemporary(bool direct = false, bool waitForBuffers = true)
    {
        if (Volatile.Read(ref _temporaryFolderReady) == 0)
        {
            Directory.CreateDirectory(_tmp);
            // Racing first writers may both sweep; deleting is idempotent.
            StaleTemporaryFiles.Remove(_tmp, StaleTemporaryFiles.DefaultMaxAge);
            Volatile.Write(ref _temporaryFolderReady, 1);
        }
        var file = TemporaryFile.Create(Path.Combine(_tmp, _temporaryPrefix + Interlocked.Increment(ref _temporaryCount).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".tmp"), direct ? _directWrites : null, waitForBuffers);
        Interlocked.Increment(ref _writing);
        return file;
    }

    /// <summary>
    /// A writer has started an object that it will commit or abandon (see <see cref="EndWrite"/>): while
    /// any is, the publisher gathers a larger batch, as more objects are about to arrive.
    /// </summary>
    public void BeginWrite() => Interlocked.Increment(ref _open);

    /// <summary>The writer of <see cref="BeginWrite"/> has committed or abandoned its object.</summary>
    public void EndWrite() => Interlocked.Decrement(ref _open);

    /// <summary>
    /// Closes the temporary file and publishes it under the digest's name (or drops it if that
    /// exists); completes once it is durable there.
    /// </summary>
    public async ValueTask CommitAsync(TemporaryFile temporary, B3Digest digest, CancellationToken cancellationToken)
    {
        // Direct writes still queued: the file is complete only once they are done (not cancellable, like the publication).
        await temporary.FinishAsync().ConfigureAwait(false);
        Close(temporary);
        // The publisher drops it if the name exists by then (same digest, same bytes).
        // Cancelling stops the wait, not the publication: the object is whole, so storing it is harmless.
        await _publisher.PublishAsync(temporary.Path, PathOf(digest)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a temporary file after a failed or abandoned write.</summary>
    public void Discard(TemporaryFile temporary) => Discard(temporary, temporary.Path);

    private void Discard(TemporaryFile? temporary, string path)
    {
        if (temporary is not null) Release(temporary);
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is garbage, never a wrong object.
        }
    }

    /// <summary>Writes a small object in one go.</summary>
    public async ValueTask WriteAsync(B3Digest digest, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (IsStored(digest)) return;
        var temporary = CreateTemporary();
        try
        {
            temporary.Write(bytes.Span);
            await CommitAsync(temporary, digest, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Discard(temporary);
            throw;
        }
    }

    /// <summary>
    /// Writes small objects and publishes them together, in this order (one flush for all);
    /// completes once all are durable. Objects already stored are skipped.
    /// </summary>
    public async ValueTask WriteAllAsync(IReadOnlyList<(B3Digest Digest, byte[] Bytes)> objects, CancellationToken cancellationToken)
    {
        var written = new List<(string Temporary, string Final)>(objects.Count);
        try
        {
            foreach (var (digest, bytes) in objects)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (IsStored(digest)) continue;
                var final = PathOf(digest);
                var temporary = CreateTemporary();
                written.Add((temporary.Path, final));
                try
                {
                    temporary.Write(bytes);
                    Close(temporary);
                }
                catch
                {
                    Release(temporary);
                    throw;
                }
            }
        }
        catch
        {
            foreach (var (temporary, _) in written) Discard(null, temporary);
            throw;
        }
        await _publisher.PublishAllAsync(written).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Close(TemporaryFile temporary)
    {
        // Without syncfs the batch cannot flush the contents for us: each file is flushed here, as before.
        if (temporary.Close(flushToDisk: !FileSystemSync.IsAvailable)) Interlocked.Decrement(ref _writing);
    }

    /// <summary>Closes a temporary file's handle (once) and stops counting it as being written.</summary>
    private void Release(TemporaryFile temporary)
    {
        if (temporary.Close(flushToDisk: false)) Interlocked.Decrement(ref _writing);
    }
}
