using System.Runtime.ExceptionServices;
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
/// <remarks>
/// Created with a <see cref="DirectWrites"/> queue, the file is written with direct I/O there, in
/// whole buffers, while the writer goes on; <see cref="FinishAsync"/> then completes once all of it
/// is written, and must be awaited before <see cref="Close"/>.
/// </remarks>
internal sealed class TemporaryFile
{
    private SafeFileHandle? _handle;
    private readonly DirectWrites? _queue;
    private DirectWrites.Buffer? _buffer; // being filled (direct writes only)
    private int _filled;
    private long _queued; // bytes handed to the queue
    private volatile bool _direct;
    private volatile ExceptionDispatchInfo? _failure;
    private readonly bool _waitForBuffers;

    private readonly string _folder;
    private string? _path;

    private TemporaryFile(string folder, byte[]? name, string? path, SafeFileHandle handle, DirectWrites? queue, bool waitForBuffers)
    {
        _waitForBuffers = waitForBuffers;
        _folder = folder;
        Name = name;
        _path = path;
        _handle = handle;
        // Off where the filesystem has no direct I/O: the file is then written here, as any other.
        _queue = queue is not null && PosixFiles.TrySetDirect(handle, true) ? queue : null;
        _direct = _queue is not null;
    }

    /// <summary>Where the file is (made from <see cref="Name"/> on first use: the fast path never needs it).</summary>
    public string Path => _path ??= System.IO.Path.Combine(_folder, PosixFiles.Show(Name!));

    /// <summary>The file's name in its folder, NUL-terminated, when it was created relative to the folder's handle; otherwise null.</summary>
    public byte[]? Name { get; }

    /// <summary>Bytes written so far.</summary>
    public long Length { get; private set; }

    /// <summary>Whether the handle is still open.</summary>
    public bool IsOpen => _handle is not null;

    /// <summary>The open handle (null once closed), for <see cref="DirectWrites"/>.</summary>
    internal SafeFileHandle? Handle => _handle;

    /// <summary>Whether writes to the handle are still direct (for <see cref="DirectWrites"/>).</summary>
    internal bool Direct => _direct;

    /// <summary>The first failed queued write, if any.</summary>
    internal Exception? Failure => _failure?.SourceException;

    /// <summary>Creates the file (it must not exist), readable by everyone and writable by no one once closed.</summary>
    /// <param name="path">Where.</param>
    /// <param name="direct">Write it with direct I/O on this queue (where the platform has it; see <see cref="DirectWrites.IsAvailable"/>).</param>
    /// <param name="waitForBuffers">
    /// Wait (a while) for a free buffer of the queue when all are in use; otherwise the rest of the
    /// file goes through the page cache at once (for small files written by threads that must not block).
    /// </param>
    public static TemporaryFile Create(string path, DirectWrites? direct = null, bool waitForBuffers = true)
    {
        var folder = System.IO.Path.GetDirectoryName(path)!;
        if (PosixFiles.IsAvailable) return new TemporaryFile(folder, null, path, PosixFiles.CreateNewHandle(PosixFiles.Encode(path), ReadOnlyMode), DirectWrites.IsAvailable ? direct : null, waitForBuffers);
        var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(handle, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        return new TemporaryFile(folder, null, path, handle, null, waitForBuffers);
    }

    /// <summary>
    /// Like <see cref="Create"/>, the file named <paramref name="name"/> (NUL-terminated) in the open folder
    /// <paramref name="folderHandle"/> (at <paramref name="folder"/>): the kernel resolves only the name (Linux).
    /// </summary>
    /// <exception cref="IOException">It cannot be created (<see cref="FileNotFoundException"/> when the folder is gone).</exception>
    public static TemporaryFile CreateAt(SafeFileHandle folderHandle, string folder, byte[] name, DirectWrites? direct = null, bool waitForBuffers = true)
    {
        var handle = PosixFiles.TryCreateNewAt(folderHandle, name, ReadOnlyMode, out var errno);
        if (handle is null)
        {
            var path = System.IO.Path.Combine(folder, PosixFiles.Show(name));
            var message = $"cannot create '{path}': {PosixFiles.Message(errno)}";
            throw PosixFiles.IsMissing(errno) ? new FileNotFoundException(message, path) : new IOException(message);
        }
        return new TemporaryFile(folder, name, null, handle, DirectWrites.IsAvailable ? direct : null, waitForBuffers);
    }

    private const int ReadOnlyMode = 0x124; // 0444

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_handle is null, this);
        var length = bytes.Length;
        if (_queue is not null) Stage(bytes);
        else if (PosixFiles.IsAvailable) PosixFiles.WriteAt(_handle, bytes, Length);
        else RandomAccess.Write(_handle, bytes, Length);
        Length += length;
    }

    /// <summary>Copies into the current buffer and queues it once full; without a free buffer in time, writes here through the page cache.</summary>
    private void Stage(ReadOnlySpan<byte> bytes)
    {
        _failure?.Throw();
        while (!bytes.IsEmpty)
        {
            if (_buffer is null && _direct)
            {
                _buffer = _queue!.Rent(_waitForBuffers);
                // The disk is far behind (or other writers hold the buffers), or this writer must not
                // wait: go on through the page cache.
                if (_buffer is null) StopDirect();
            }
            if (_buffer is null)
            {
                PosixFiles.WriteAt(_handle!, bytes, _queued);
                _queued += bytes.Length;
                return;
            }
            var n = Math.Min(DirectWrites.BufferSize - _filled, bytes.Length);
            bytes[..n].CopyTo(_buffer.Span[_filled..]);
            _filled += n;
            bytes = bytes[n..];
            if (_filled == DirectWrites.BufferSize)
            {
                _queue!.Write(this, _buffer, _queued);
                _queued += _filled;
                _buffer = null;
                _filled = 0;
            }
        }
    }

    /// <summary>Completes once everything written is in the file (at once without direct writes); fails with the first failed write.</summary>
    public Task FinishAsync()
    {
        if (_queue is null) return Task.CompletedTask;
        ObjectDisposedException.ThrowIf(_handle is null, this);
        // The continuation runs on the writing thread: it closes the file and queues it for publishing
        // (ContentAddressedFiles.CommitAsync), microseconds next to a write, where a thread-pool hop per
        // file woke pool threads that then spun (thousands of files in a tree of small blobs).
        var done = new TaskCompletionSource();
        _queue.Finish(this, _buffer, _filled, _queued, done);
        _queued += _filled;
        _buffer = null;
        _filled = 0;
        return done.Task;
    }

    /// <summary>Turns direct I/O off: the rest of the file goes through the page cache.</summary>
    internal void StopDirect()
    {
        if (!_direct) return;
        _direct = false;
        if (_handle is { } handle) PosixFiles.TrySetDirect(handle, false);
    }

    /// <summary>Records a failed queued write (the first one is kept).</summary>
    internal void Fail(Exception e)
    {
        if (_failure is null) _failure = ExceptionDispatchInfo.Capture(e);
    }

    /// <summary>Closes the handle (once), first flushing the contents to disk if <paramref name="flushToDisk"/>.</summary>
    /// <returns>Whether this call closed it.</returns>
    public bool Close(bool flushToDisk)
    {
        var handle = _handle;
        if (handle is null) return false;
        _handle = null;
        if (_buffer is { } buffer)
        {
            // Abandoned before it was finished: the buffer was never queued.
            _buffer = null;
            _queue!.Return(buffer);
        }
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
