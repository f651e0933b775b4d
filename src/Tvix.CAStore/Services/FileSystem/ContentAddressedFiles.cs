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
    private readonly BatchPublisher _publisher;
    private int _writing; // temporary files open for writing
    private int _open; // writers open (from OpenWrite to their commit or abort), with or without a temporary file yet
    // Temporary names: a random part per instance (unique across processes and machines sharing
    // a store) and a counter, instead of a new GUID per object (a read of the kernel's random
    // source each); creating with O_EXCL would still refuse a clash.
    // Made on the first write: a store opened only to read never needs it.
    private string? _temporaryPrefix;
    private string TemporaryPrefix =>
        _temporaryPrefix ?? Interlocked.CompareExchange(ref _temporaryPrefix, RandomHex(), null) ?? _temporaryPrefix!;
    private long _temporaryCount;
    // Large blobs are written with direct I/O on a thread of this store's own (see there).
    private readonly DirectWrites _directWrites = new();
    // On Linux, objects are checked, created, renamed and removed relative to these two open folders
    // (see StoreFolders); elsewhere by path.
    private readonly StoreFolders? _folders;
    private int _temporaryFolderReady; // elsewhere: the temporary folder was made and swept
    // Elsewhere: shard folders this instance has created or seen (touched only by the publishing thread).
    private readonly HashSet<string> _portableShards = new(StringComparer.Ordinal);

    /// <param name="root">The store's root folder.</param>
    /// <param name="kind">The sub-folder for this kind of object (<c>blobs</c>, <c>directories</c>).</param>
    public ContentAddressedFiles(string root, string kind)
    {
        _dir = Path.Combine(root, kind);
        _tmp = Path.Combine(root, "tmp");
        if (PosixFiles.IsAvailable) _folders = new StoreFolders(_dir, _tmp);
        _publisher = new BatchPublisher(root, () => Volatile.Read(ref _writing) > 0 || Volatile.Read(ref _open) > 0, Rename, Drop);
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

    /// <summary>
    /// A new GUID's 16 bytes in hex (32 characters), by hand: the framework's formatting of a GUID is
    /// vectorised code that ReadyToRun leaves out, JIT-compiled in every process that writes a store.
    /// </summary>
    internal static string RandomHex()
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(bytes);
        Span<char> chars = stackalloc char[32];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[2 * i] = HexDigits[bytes[i] >> 4];
            chars[2 * i + 1] = HexDigits[bytes[i] & 15];
        }
        return new string(chars);
    }

    /// <summary>Whether the object is stored under <see cref="PathOf"/> (the legacy layout is not looked at).</summary>
    public bool IsStored(B3Digest digest) =>
        // Relative to the open folder where possible: File.Exists normalises the path first, which showed up in profiles of imports.
        _folders is not null ? _folders.Exists(digest, legacy: false) : File.Exists(PathOf(digest));

    /// <summary>Whether the object is stored, in the current or the legacy layout (see <see cref="Find"/>).</summary>
    public bool Has(B3Digest digest) =>
        _folders is not null
            ? _folders.Exists(digest, legacy: false) || _folders.Exists(digest, legacy: true)
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
        if (_folders is not null) return _folders.TryOpenRead(digest, legacy: false) ?? _folders.TryOpenRead(digest, legacy: true);
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
        var queue = direct ? _directWrites : null;
        var count = Interlocked.Increment(ref _temporaryCount);
        TemporaryFile file;
        if (_folders is not null)
        {
            file = TemporaryFile.CreateAt(_folders.PrepareForWrites(), _tmp, TemporaryName(count), queue, waitForBuffers);
        }
        else
        {
            if (Volatile.Read(ref _temporaryFolderReady) == 0)
            {
                Directory.CreateDirectory(_tmp);
                // Racing first writers may both sweep; deleting is idempotent.
                StaleTemporaryFiles.Remove(_tmp, StaleTemporaryFiles.DefaultMaxAge);
                Volatile.Write(ref _temporaryFolderReady, 1);
            }
            file = TemporaryFile.Create(Path.Combine(_tmp, count.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + TemporaryPrefix + ".tmp"), queue, waitForBuffers);
        }
        Interlocked.Increment(ref _writing);
        return file;
    }

    /// <summary>
    /// The temporary name with this number, NUL-terminated: the number, <c>-</c>, the instance's prefix,
    /// <c>.tmp</c>. Number first: the kernel compares a looked-up name with each entry of a directory
    /// block that has the same length, and with a shared prefix first each comparison ran through it
    /// (33 bytes) before the names differed; the temporary folder is looked up twice per object.
    /// </summary>
    private byte[] TemporaryName(long count)
    {
        Span<byte> digits = stackalloc byte[20];
        var n = 0;
        do
        {
            digits[n++] = (byte)('0' + count % 10);
            count /= 10;
        }
        while (count > 0);
        var prefix = TemporaryPrefix; // ASCII
        var name = new byte[n + 1 + prefix.Length + ".tmp".Length + 1];
        for (var i = 0; i < n; i++) name[i] = digits[n - 1 - i];
        name[n] = (byte)'-';
        for (var i = 0; i < prefix.Length; i++) name[n + 1 + i] = (byte)prefix[i];
        ".tmp"u8.CopyTo(name.AsSpan(n + 1 + prefix.Length));
        return name; // the last byte stays 0
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
    /// exists); completes once it is durable there, with the digest. The file is this call's from
    /// here on: it is removed if the commit fails (the caller must not discard it).
    /// </summary>
    /// <remarks>
    /// Not an async method: most objects get here with all their bytes written, and then the one
    /// allocation is the queue entry the caller awaits (<see cref="PendingObject"/>).
    /// </remarks>
    public ValueTask<B3Digest> CommitAsync(TemporaryFile temporary, B3Digest digest, CancellationToken cancellationToken)
    {
        Task finished;
        try
        {
            // Direct writes still queued: the file is complete only once they are done (not cancellable, like the publication).
            finished = temporary.FinishAsync();
            if (finished.IsCompleted)
            {
                finished.GetAwaiter().GetResult(); // a failed write
                Close(temporary);
            }
        }
        catch
        {
            Discard(temporary);
            throw;
        }
        return finished.IsCompleted ? Publish(temporary, digest, cancellationToken) : CommitAfterWritesAsync(temporary, digest, finished, cancellationToken);
    }

    private async ValueTask<B3Digest> CommitAfterWritesAsync(TemporaryFile temporary, B3Digest digest, Task finished, CancellationToken cancellationToken)
    {
        try
        {
            await finished.ConfigureAwait(false);
            Close(temporary);
        }
        catch
        {
            Discard(temporary);
            throw;
        }
        return await Publish(temporary, digest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Queues a closed temporary file for publication under the digest's name.</summary>
    private ValueTask<B3Digest> Publish(TemporaryFile temporary, B3Digest digest, CancellationToken cancellationToken)
    {
        var pending = Pending(temporary, digest);
        _publisher.Publish(pending);
        // Cancelling stops the wait, not the publication: the object is whole, so storing it is harmless
        // (the publisher renames it or removes it; nothing else touches the file any more).
        return cancellationToken.CanBeCanceled ? new ValueTask<B3Digest>(pending.AsTask().WaitAsync(cancellationToken)) : pending.Stored;
    }

    private PendingObject Pending(TemporaryFile temporary, B3Digest digest) =>
        temporary.Name is { } name ? new PendingObject(digest, name, null, null) : new PendingObject(digest, null, temporary.Path, PathOf(digest));

    /// <summary>Moves a pending object's temporary file to its final name, or drops it if that exists (same name, same bytes); on the publishing thread.</summary>
    private void Rename(PendingObject pending)
    {
        if (pending.TemporaryName is { } name)
        {
            _folders!.Publish(name, pending.Digest);
            return;
        }
        var final = pending.FinalPath!;
        var folder = Path.GetDirectoryName(final)!;
        if (_portableShards.Add(folder)) Directory.CreateDirectory(folder);
        if (File.Exists(final)) File.Delete(pending.TemporaryPath!); // same name, same bytes: stored already
        else File.Move(pending.TemporaryPath!, final, overwrite: true); // a concurrent writer renames identical bytes
    }

    /// <summary>Removes a pending object's temporary file after a failure (best effort).</summary>
    private void Drop(PendingObject pending)
    {
        if (pending.TemporaryName is { } name) _folders!.RemoveTemporary(name);
        else DeleteQuietly(pending.TemporaryPath!);
    }

    /// <summary>Removes a temporary file after a failed or abandoned write.</summary>
    public void Discard(TemporaryFile temporary)
    {
        Release(temporary);
        if (temporary.Name is { } name) _folders!.RemoveTemporary(name);
        else DeleteQuietly(temporary.Path);
    }

    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
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
        }
        catch
        {
            Discard(temporary);
            throw;
        }
        await CommitAsync(temporary, digest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes small objects and publishes them together, in this order (one flush for all);
    /// completes once all are durable. Objects already stored are skipped.
    /// </summary>
    /// <remarks>Takes directories (the one kind written this way) and writes their kept encodings: no copy, no list of tuples over a value type.</remarks>
    public async ValueTask WriteAllAsync(IReadOnlyList<CADirectory> objects, CancellationToken cancellationToken)
    {
        var written = new List<PendingObject>(objects.Count);
        try
        {
            for (var i = 0; i < objects.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var digest = objects[i].Digest;
                if (IsStored(digest)) continue;
                var temporary = CreateTemporary();
                try
                {
                    temporary.Write(objects[i].Encoded.Span);
                    Close(temporary);
                }
                catch
                {
                    Discard(temporary);
                    throw;
                }
                written.Add(Pending(temporary, digest));
            }
        }
        catch
        {
            foreach (var pending in written) Drop(pending);
            throw;
        }
        if (written.Count == 0) return;
        _publisher.PublishAll(written);
        var stored = new Task[written.Count];
        for (var i = 0; i < stored.Length; i++) stored[i] = written[i].AsTask();
        await Task.WhenAll(stored).WaitAsync(cancellationToken).ConfigureAwait(false);
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
