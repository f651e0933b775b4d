namespace Tvix.NixCompat.Nar.Linux;

/// <summary>
/// Writes a NAR straight to a file descriptor with <c>write</c>, synchronously. Tokens and small
/// files are gathered in one buffer, so a tree of small files costs few writes; a large file's
/// contents go from file to output in the kernel (<c>copy_file_range</c> into a regular file,
/// <c>sendfile</c> into a pipe, socket or device), without passing through this process, and fall
/// back to read/write where the kernel refuses. Writes at the descriptor's own offset.
/// </summary>
internal sealed unsafe class NarFdWriter : IDisposable
{
    /// <summary>Output buffer: large enough to batch many small files into one write.</summary>
    public const int BufferSize = 128 * 1024;

    /// <summary>Files at least this large are copied in the kernel; smaller ones are read into the buffer.</summary>
    public const long KernelCopyThreshold = 64 * 1024;

    private readonly int _fd;
    private readonly NarEncoder _encoder = new(BufferSize);
    private bool _tryCopyFileRange;
    private bool _trySendFile = true;

    /// <summary>Writes to <paramref name="fd"/> (not closed by this writer).</summary>
    public NarFdWriter(int fd)
    {
        _fd = fd;
        var stat = stackalloc byte[LinuxFs.StatxBufferSize];
        byte empty = 0;
        if (LinuxFs.Statx(fd, &empty, LinuxFs.AtEmptyPath, LinuxFs.StatxType, stat) == 0)
        {
            var type = LinuxFs.StatxModeOf(stat) & LinuxFs.ModeTypeMask;
            _tryCopyFileRange = type == LinuxFs.ModeRegular;
            // sendfile into a regular file or block device would work as well; copy_file_range
            // (which can share extents) is tried first for those.
        }
    }

    /// <summary>Bytes written to the descriptor so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>
    /// The current node of <paramref name="tree"/>, which must be at an event, into the NAR.
    /// </summary>
    public void Write(LinuxTreeReader tree)
    {
        switch (tree.Event)
        {
            case TreeEvent.RegularFile:
                RegularFile(tree);
                break;
            case TreeEvent.Symlink:
                _encoder.Symlink(tree.Target);
                break;
            case TreeEvent.BeginDirectory:
                _encoder.BeginDirectory();
                break;
            case TreeEvent.BeginEntry:
                _encoder.BeginEntry(tree.Name);
                break;
            case TreeEvent.EndEntry:
                _encoder.EndEntry();
                break;
            case TreeEvent.EndDirectory:
                _encoder.EndDirectory();
                break;
        }
        FlushIfFull();
    }

    /// <summary>Checks that the NAR is complete and writes out what is buffered.</summary>
    public void Complete()
    {
        _encoder.Complete();
        Flush();
    }

    private void RegularFile(LinuxTreeReader tree) =>
        RegularFile(tree.Executable, tree.Size, tree.FileDescriptor, -1, tree);

    /// <summary>The encoder, for tokens written by a caller that is not walking a <see cref="LinuxTreeReader"/>.</summary>
    public NarEncoder Encoder => _encoder;

    /// <summary>Writes out the buffer if it has too little room left for the next tokens.</summary>
    public void FlushIfFull()
    {
        // Tokens take at most a few KiB (a symlink target): keep room for the next ones.
        if (_encoder.Free < 8192) Flush();
    }

    /// <summary>
    /// A regular file of <paramref name="size"/> bytes read from <paramref name="inFd"/>: at
    /// <paramref name="inOffset"/> (the descriptor's own offset is left alone), or from the
    /// descriptor's offset when it is -1. <paramref name="tree"/> names the file in errors, if given.
    /// </summary>
    public void RegularFile(bool executable, long size, int inFd, long inOffset, LinuxTreeReader? tree)
    {
        _encoder.BeginRegular(executable, size);
        var remaining = size;
        var offset = inOffset;
        if (size >= KernelCopyThreshold && (_tryCopyFileRange || _trySendFile))
        {
            Flush();
            remaining = CopyInKernel(inFd, size, ref offset);
        }
        while (remaining > 0)
        {
            if (_encoder.Free == 0) Flush();
            var chunk = (int)Math.Min(remaining, _encoder.Free);
            nint read;
            fixed (byte* buffer = _encoder.Buffer)
            {
                read = offset < 0
                    ? LinuxFs.Read(inFd, buffer + _encoder.Length, (nuint)chunk)
                    : LinuxFs.PRead(inFd, buffer + _encoder.Length, (nuint)chunk, offset);
            }
            if (read < 0)
            {
                var errno = LinuxFs.LastError;
                if (errno == LinuxFs.EIntr) continue;
                throw tree is null ? new IOException($"reading file contents: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}") : LinuxFs.Error(errno, "reading file", tree.CurrentPath);
            }
            if (read == 0) throw ChangedSize(size, tree);
            _encoder.Advance((int)read);
            remaining -= read;
            if (offset >= 0) offset += read;
        }
        _encoder.EndRegular(size);
    }

    // Without a tree the caller announced the size (NarWriter): a shorter file is its mistake, as on NarWriter's stream path.
    private static Exception ChangedSize(long size, LinuxTreeReader? tree) =>
        tree is null
            ? new InvalidOperationException($"the file contents ended before the announced size of {size} bytes")
            : new IOException($"file '{tree.CurrentPath}' became shorter than {size} bytes while it was being dumped");

    /// <summary>
    /// Copies as much as the kernel will of the file, from <paramref name="offset"/> (advanced) or
    /// from the descriptor's offset when it is -1; returns what is left for read/write.
    /// </summary>
    private long CopyInKernel(int inFd, long size, ref long offset)
    {
        var remaining = size;
        while (remaining > 0)
        {
            var chunk = (nuint)Math.Min(remaining, 1L << 30);
            nint copied;
            var position = offset;
            var at = offset < 0 ? null : &position;
            if (_tryCopyFileRange) copied = LinuxFs.CopyFileRange(inFd, at, _fd, null, chunk, 0);
            else if (_trySendFile) copied = LinuxFs.SendFile(_fd, inFd, at, chunk);
            else break;
            if (copied > 0)
            {
                remaining -= copied;
                BytesWritten += copied;
                if (offset >= 0) offset += copied;
                continue;
            }
            // End of file before the size: the read loop confirms it (and reports it).
            if (copied == 0) break;
            var errno = LinuxFs.LastError;
            if (errno == LinuxFs.EIntr) continue;
            if (errno == LinuxFs.EAgain)
            {
                LinuxFs.WaitWritable(_fd);
                continue;
            }
            // Not supported for this pair of files (another file system, O_APPEND, a terminal...):
            // nothing was copied by this call, so the next method starts where this one stopped.
            if (errno is LinuxFs.EInval or LinuxFs.ENoSys or LinuxFs.EXDev or LinuxFs.EOpNotSupp or LinuxFs.EBadF or LinuxFs.EPerm)
            {
                if (_tryCopyFileRange) _tryCopyFileRange = false;
                else _trySendFile = false;
                continue;
            }
            throw WriteError(errno);
        }
        return remaining;
    }

    /// <summary>Writes out what is buffered.</summary>
    public void Flush()
    {
        var offset = 0;
        var length = _encoder.Length;
        fixed (byte* buffer = _encoder.Buffer)
        {
            while (offset < length)
            {
                var written = LinuxFs.Write(_fd, buffer + offset, (nuint)(length - offset));
                if (written < 0)
                {
                    var errno = LinuxFs.LastError;
                    if (errno == LinuxFs.EIntr) continue;
                    if (errno == LinuxFs.EAgain)
                    {
                        LinuxFs.WaitWritable(_fd);
                        continue;
                    }
                    throw WriteError(errno);
                }
                offset += (int)written;
            }
        }
        BytesWritten += length;
        _encoder.Clear();
    }

    private static IOException WriteError(int errno) =>
        new($"writing the NAR: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}");

    public void Dispose() => _encoder.Dispose();
}
