using Microsoft.Win32.SafeHandles;
using Tvix.CAStore.Import;

namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// The two folders of one kind of object in a file store (the objects' folder, such as <c>blobs</c>,
/// and the temporary folder), held open so that each object's system calls name only what lies
/// below them: <c>ab/abcd…</c> and the temporary file's name, never the store's absolute path
/// again (Linux). Per object that is an existence check, a create, a rename and sometimes a
/// removal, each of which would otherwise make the kernel walk the store's path prefix, and the
/// caller build and encode that path.
/// </summary>
/// <remarks>
/// The objects' folder is opened once it exists (reads of a store without it find nothing); both
/// are made, and the temporary folder swept of a crash's leftovers (<see cref="StaleTemporaryFiles"/>),
/// before the first write. A folder replaced under a running store is not followed: its handle
/// keeps naming the folder that was opened, as a process's working directory would.
/// </remarks>
internal sealed class StoreFolders
{
    // "ab/cd/" + 64 hex digits + NUL at most (the legacy layout).
    private const int MaxRelativeName = 6 + 2 * B3Digest.Length + 1;
    private const string HexDigits = "0123456789abcdef";
    private readonly string _objects;
    private readonly string _temporary;
    private readonly object _gate = new();
    private SafeFileHandle? _objectsHandle;
    private SafeFileHandle? _temporaryHandle; // set once both folders are ready for writes

    public StoreFolders(string objects, string temporary)
    {
        _objects = objects;
        _temporary = temporary;
    }

    /// <summary>Makes both folders (sweeping the temporary one once) and returns the temporary folder's handle.</summary>
    public SafeFileHandle PrepareForWrites()
    {
        if (Volatile.Read(ref _temporaryHandle) is { } ready) return ready;
        lock (_gate)
        {
            if (_temporaryHandle is not null) return _temporaryHandle;
            Directory.CreateDirectory(_objects);
            _objectsHandle ??= Open(_objects);
            Directory.CreateDirectory(_temporary);
            // Racing instances on one store may both sweep; deleting is idempotent.
            StaleTemporaryFiles.Remove(_temporary, StaleTemporaryFiles.DefaultMaxAge);
            var handle = Open(_temporary);
            Volatile.Write(ref _temporaryHandle, handle);
            return handle;
        }
    }

    private static SafeFileHandle Open(string folder) =>
        PosixFiles.TryOpenDirectory(PosixFiles.Encode(folder)) ?? throw new DirectoryNotFoundException($"'{folder}' disappeared while the store was using it");

    /// <summary>The objects' folder, or null while it does not exist (looked for again on the next call).</summary>
    private SafeFileHandle? Objects
    {
        get
        {
            if (Volatile.Read(ref _objectsHandle) is { } open) return open;
            lock (_gate) return _objectsHandle ??= PosixFiles.TryOpenDirectory(PosixFiles.Encode(_objects));
        }
    }

    /// <summary>Whether the object is stored (in the current layout, or the legacy one).</summary>
    /// <exception cref="IOException">Its file cannot be inspected.</exception>
    public bool Exists(B3Digest digest, bool legacy)
    {
        if (Objects is not { } objects) return false;
        Span<byte> name = stackalloc byte[MaxRelativeName];
        name = name[..RelativeName(digest, legacy, name)];
        if (PosixFiles.ExistsAt(objects, name, out var errno)) return true;
        if (errno != 0) throw new IOException($"cannot inspect '{Show(_objects, name)}': {PosixFiles.Message(errno)}");
        return false;
    }

    /// <summary>Opens the object's file for reading, or returns null if it is not stored (in that layout).</summary>
    /// <exception cref="IOException">It is there but cannot be opened.</exception>
    public SafeFileHandle? TryOpenRead(B3Digest digest, bool legacy)
    {
        if (Objects is not { } objects) return null;
        Span<byte> name = stackalloc byte[MaxRelativeName];
        name = name[..RelativeName(digest, legacy, name)];
        var handle = PosixFiles.TryOpenReadAt(objects, name, out var errno);
        if (errno != 0) throw new IOException($"cannot open '{Show(_objects, name)}': {PosixFiles.Message(errno)}");
        return handle;
    }

    /// <summary>
    /// Renames the temporary file <paramref name="temporaryName"/> (NUL-terminated) to the digest's
    /// name, making its shard folder if that is new; if an object is there already (same name, same
    /// bytes) it is left alone and the temporary file removed. Only after <see cref="PrepareForWrites"/>.
    /// </summary>
    /// <exception cref="IOException">Neither happened.</exception>
    public void Publish(byte[] temporaryName, B3Digest digest)
    {
        var temporary = _temporaryHandle ?? throw new InvalidOperationException("no temporary file was made in this store");
        var objects = _objectsHandle!;
        Span<byte> final = stackalloc byte[MaxRelativeName];
        final = final[..RelativeName(digest, legacy: false, final)];
        var errno = PosixFiles.RenameNoReplaceAt(temporary, temporaryName, objects, final);
        if (PosixFiles.IsMissing(errno))
        {
            // A shard folder this store has not had yet (or the temporary file is gone, which the retry tells).
            ReadOnlySpan<byte> shard = [final[0], final[1], 0];
            var made = PosixFiles.TryCreateDirectoryAt(objects, shard);
            if (made != 0 && !PosixFiles.IsExists(made))
                throw new IOException($"cannot create the directory '{Show(_objects, shard)}': {PosixFiles.Message(made)}");
            errno = PosixFiles.RenameNoReplaceAt(temporary, temporaryName, objects, final);
        }
        if (errno == 0) return;
        if (PosixFiles.IsExists(errno))
        {
            RemoveTemporary(temporaryName);
            return;
        }
        throw new IOException($"cannot rename '{Show(_temporary, temporaryName)}' to '{Show(_objects, final)}': {PosixFiles.Message(errno)}");
    }

    /// <summary>Removes a temporary file, best effort (a leftover is garbage, never a wrong object, and is swept when stale).</summary>
    public void RemoveTemporary(byte[] temporaryName)
    {
        if (Volatile.Read(ref _temporaryHandle) is { } temporary) PosixFiles.TryUnlinkAt(temporary, temporaryName);
    }

    /// <summary>Writes <c>ab/abcd…</c> (or the legacy <c>ab/cd/abcd…</c>) and a NUL into <paramref name="into"/>; returns the length with the NUL.</summary>
    internal static int RelativeName(B3Digest digest, bool legacy, Span<byte> into)
    {
        Span<byte> bytes = stackalloc byte[B3Digest.Length];
        digest.CopyTo(bytes);
        var i = 0;
        into[i++] = (byte)HexDigits[bytes[0] >> 4];
        into[i++] = (byte)HexDigits[bytes[0] & 15];
        into[i++] = (byte)'/';
        if (legacy)
        {
            into[i++] = (byte)HexDigits[bytes[1] >> 4];
            into[i++] = (byte)HexDigits[bytes[1] & 15];
            into[i++] = (byte)'/';
        }
        foreach (var b in bytes)
        {
            into[i++] = (byte)HexDigits[b >> 4];
            into[i++] = (byte)HexDigits[b & 15];
        }
        into[i++] = 0;
        return i;
    }

    private static string Show(string folder, ReadOnlySpan<byte> name) =>
        Path.Combine(folder, System.Text.Encoding.UTF8.GetString(name[..^1]));
}
