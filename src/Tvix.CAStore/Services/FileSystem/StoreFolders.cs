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
/// <para>The objects' folder is opened once it exists (reads of a store without it find nothing); both
/// are made, and the temporary folder swept of a crash's leftovers (<see cref="StaleTemporaryFiles"/>),
/// before the first write. A folder replaced under a running store is not followed: its handle
/// keeps naming the folder that was opened, as a process's working directory would.</para>
/// <para>Temporary files go into <see cref="Subfolders"/> subfolders of the temporary folder per kind
/// (<c>tmp/blobs-7/…</c>), <see cref="PerSubfolder"/> consecutive ones into each: creating a file
/// and renaming one away both lock the folder it is in, and with one temporary folder the writer
/// creating the next objects and the publisher renaming the previous batch's waited for each other
/// there (spinning on its lock: up to a tenth of an add's CPU on many small files). The publisher
/// is at most about <c>MaxPublishing</c> objects behind the writer, fewer than the subfolders
/// hold in one round, so the two are in different subfolders.</para>
/// </remarks>
internal sealed class StoreFolders
{
    // "ab/cd/" + 64 hex digits + NUL at most (the legacy layout).
    private const int MaxRelativeName = 6 + 2 * B3Digest.Length + 1;
    private const string HexDigits = "0123456789abcdef";

    /// <summary>Temporary subfolders per kind of object.</summary>
    public const int Subfolders = 32;

    /// <summary>Consecutive temporary files per subfolder before the next one is used.</summary>
    public const int PerSubfolder = 64;

    private readonly string _objects;
    private readonly string _temporary;
    private readonly string _subfolderPrefix; // "blobs-"
    private readonly object _gate = new();
    private SafeFileHandle? _objectsHandle;
    private SafeFileHandle? _temporaryHandle; // set once both folders are ready for writes

    /// <param name="objects">The objects' folder; its name also names this kind's temporary subfolders.</param>
    /// <param name="temporary">The store's temporary folder.</param>
    public StoreFolders(string objects, string temporary)
    {
        _objects = objects;
        _temporary = temporary;
        _subfolderPrefix = Path.GetFileName(objects) + "-";
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
            // Racing instances on one store may both sweep; deleting is idempotent. Files directly in
            // the folder are from before the subfolders (or another kind of store sharing it).
            StaleTemporaryFiles.Remove(_temporary, StaleTemporaryFiles.DefaultMaxAge);
            foreach (var subfolder in Directory.EnumerateDirectories(_temporary, _subfolderPrefix + "*"))
                StaleTemporaryFiles.Remove(subfolder, StaleTemporaryFiles.DefaultMaxAge);
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

    /// <summary>
    /// The name of temporary file number <paramref name="count"/>, relative to the temporary folder and
    /// NUL-terminated: <c>blobs-7/123-unique.tmp</c>. The number comes first in the file's own name:
    /// the kernel compares a looked-up name with each entry of a directory block that has the same
    /// length, and a shared beginning made every comparison run through it before the names differed.
    /// </summary>
    /// <param name="count">The file's number in this instance (it also picks the subfolder).</param>
    /// <param name="unique">ASCII that no other process or instance writing to the store uses.</param>
    public byte[] TemporaryName(long count, string unique)
    {
        Span<byte> digits = stackalloc byte[20];
        var n = 0;
        var rest = count;
        do
        {
            digits[n++] = (byte)('0' + rest % 10);
            rest /= 10;
        }
        while (rest > 0);
        var subfolder = (int)(count / PerSubfolder % Subfolders);
        var subfolderDigits = subfolder < 10 ? 1 : 2;
        var name = new byte[_subfolderPrefix.Length + subfolderDigits + 1 + n + 1 + unique.Length + ".tmp".Length + 1];
        var i = 0;
        foreach (var c in _subfolderPrefix) name[i++] = (byte)c;
        if (subfolder >= 10) name[i++] = (byte)('0' + subfolder / 10);
        name[i++] = (byte)('0' + subfolder % 10);
        name[i++] = (byte)'/';
        while (n > 0) name[i++] = digits[--n];
        name[i++] = (byte)'-';
        foreach (var c in unique) name[i++] = (byte)c;
        ".tmp"u8.CopyTo(name.AsSpan(i));
        return name; // the last byte stays 0
    }

    /// <summary>
    /// Creates the temporary file <paramref name="name"/> (from <see cref="TemporaryName"/>) exclusively,
    /// read-only for everyone once closed, making its subfolder if that is new; only after <see cref="PrepareForWrites"/>.
    /// </summary>
    /// <exception cref="IOException">It cannot be created.</exception>
    public SafeFileHandle CreateTemporary(byte[] name)
    {
        var temporary = _temporaryHandle ?? throw new InvalidOperationException("the store's folders are not prepared for writes");
        var handle = PosixFiles.TryCreateNewAt(temporary, name, TemporaryFile.ReadOnlyMode, out var errno);
        if (handle is null && PosixFiles.IsMissing(errno))
        {
            // A subfolder this store has not had yet.
            var slash = Array.IndexOf(name, (byte)'/');
            if (slash > 0)
            {
                Span<byte> subfolder = stackalloc byte[slash + 1];
                name.AsSpan(0, slash).CopyTo(subfolder);
                subfolder[slash] = 0;
                var made = PosixFiles.TryCreateDirectoryAt(temporary, subfolder);
                if (made != 0 && !PosixFiles.IsExists(made))
                    throw new IOException($"cannot create the directory '{Show(_temporary, subfolder)}': {PosixFiles.Message(made)}");
                handle = PosixFiles.TryCreateNewAt(temporary, name, TemporaryFile.ReadOnlyMode, out errno);
            }
        }
        if (handle is not null) return handle;
        var message = $"cannot create '{Show(_temporary, name)}': {PosixFiles.Message(errno)}";
        throw PosixFiles.IsMissing(errno) ? new FileNotFoundException(message, Show(_temporary, name)) : new IOException(message);
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
