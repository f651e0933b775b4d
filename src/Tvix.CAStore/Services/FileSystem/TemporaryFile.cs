using Microsoft.Win32.SafeHandles;
using Tvix.CAStore.Import;

namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// A new, exclusively created, read-only-mode file that one writer fills sequentially and closes,
/// written with positioned writes on a bare handle. Not a <see cref="FileStream"/>: on Unix .NET
/// takes an <c>flock</c> (with an <c>fstatfs</c> to decide whether to) when it opens one and
/// seeks when it wraps a handle, several system calls per object that cost about as much as
/// writing a small blob.
/// </summary>
internal sealed class TemporaryFile
{
    private SafeFileHandle? _handle;

    private TemporaryFile(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    /// <summary>Where the file is.</summary>
    public string Path { get; }

    /// <summary>Bytes written so far.</summary>
    public long Length { get; private set; }

    /// <summary>Whether the handle is still open.</summary>
    public bool IsOpen => _handle is not null;

    /// <summary>Creates the file (it must not exist), readable by everyone and writable by no one once closed.</summary>
    public static TemporaryFile Create(string path)
    {
        if (PosixFiles.IsAvailable) return new TemporaryFile(path, PosixFiles.CreateNewHandle(PosixFiles.Encode(path), 0x124)); // 0444
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(handle, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return new TemporaryFile(path, handle);
    }

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_handle is null, this);
        if (PosixFiles.IsAvailable) PosixFiles.WriteAt(_handle, bytes, Length);
        else RandomAccess.Write(_handle, bytes, Length);
        Length += bytes.Length;
    }

    /// <summary>Closes the handle (once), first flushing the contents to disk if <paramref name="flushToDisk"/>.</summary>
    /// <returns>Whether this call closed it.</returns>
    public bool Close(bool flushToDisk)
    {
        var handle = _handle;
        if (handle is null) return false;
        _handle = null;
        try
        {
            if (flushToDisk) RandomAccess.FlushToDisk(handle);
        }
        finally
        {
            handle.Dispose();
        }
        return true;
    }
}
