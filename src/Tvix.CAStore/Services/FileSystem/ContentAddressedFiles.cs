namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// Files named by digest in a sharded folder (<c>ab/cd/abcd…</c> in hex), written crash-safely:
/// into a temporary file beside the store, flushed to disk, then renamed into place, so a crash
/// never leaves a partial file under a final name. Two writers of the same content both succeed.
/// </summary>
internal sealed class ContentAddressedFiles
{
    private readonly string _dir;
    private readonly string _tmp;

    /// <param name="root">The store's root folder.</param>
    /// <param name="kind">The sub-folder for this kind of object (<c>blobs</c>, <c>directories</c>).</param>
    public ContentAddressedFiles(string root, string kind)
    {
        _dir = Path.Combine(root, kind);
        _tmp = Path.Combine(root, "tmp");
    }

    public string PathOf(B3Digest digest)
    {
        var hex = digest.ToHex();
        return Path.Combine(_dir, hex[..2], hex[2..4], hex);
    }

    /// <summary>A new, exclusively created temporary file for a write in progress.</summary>
    public FileStream CreateTemporary(out string path)
    {
        Directory.CreateDirectory(_tmp);
        path = Path.Combine(_tmp, Guid.NewGuid().ToString("N") + ".tmp");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 64 * 1024,
            Options = FileOptions.Asynchronous,
        };
        // Stored objects are immutable: created read-only (this handle may still write).
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        return new FileStream(path, options);
    }

    /// <summary>Flushes the temporary file to disk and moves it to the digest's name (or drops it if that exists).</summary>
    public async ValueTask CommitAsync(FileStream temporary, string temporaryPath, B3Digest digest, CancellationToken cancellationToken)
    {
        await temporary.FlushAsync(cancellationToken).ConfigureAwait(false);
        temporary.Flush(flushToDisk: true);
        await temporary.DisposeAsync().ConfigureAwait(false);
        var final = PathOf(digest);
        if (File.Exists(final))
        {
            File.Delete(temporaryPath); // same digest, same bytes: someone else stored it already
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        // rename(2) is atomic; a concurrent writer of the same content renames identical bytes.
        File.Move(temporaryPath, final, overwrite: true);
    }

    /// <summary>Removes a temporary file after a failed or abandoned write.</summary>
    public static void Discard(FileStream? temporary, string temporaryPath)
    {
        temporary?.Dispose();
        try
        {
            File.Delete(temporaryPath);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file is garbage, never a wrong object.
        }
    }

    /// <summary>Writes a small object in one go.</summary>
    public async ValueTask WriteAsync(B3Digest digest, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (File.Exists(PathOf(digest))) return;
        var stream = CreateTemporary(out var path);
        try
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await CommitAsync(stream, path, digest, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Discard(stream, path);
            throw;
        }
    }
}
