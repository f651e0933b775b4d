namespace Tvix.NixCompat.Nar.Linux;

/// <summary>
/// The contents of the regular file <see cref="LinuxTreeReader"/> has open, for sinks that take a
/// <see cref="Stream"/>. Reads are plain <c>read</c> calls (a regular file never makes a reader
/// wait for long), so the async methods complete synchronously. Does not own the descriptor;
/// one instance serves every file of a dump (<see cref="Restart"/>).
/// </summary>
internal sealed unsafe class FdContentsStream(LinuxTreeReader tree) : Stream
{
    private long _position;

    /// <summary>The reader moved to another file.</summary>
    public void Restart() => _position = 0;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => tree.Size;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            nint read;
            fixed (byte* bytes = buffer) read = LinuxFs.Read(tree.FileDescriptor, bytes, (nuint)buffer.Length);
            if (read >= 0)
            {
                _position += read;
                return (int)read;
            }
            var errno = LinuxFs.LastError;
            if (errno != LinuxFs.EIntr) throw LinuxFs.Error(errno, "reading file", tree.CurrentPath);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<int>(cancellationToken);
        try
        {
            return new ValueTask<int>(Read(buffer.Span));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
