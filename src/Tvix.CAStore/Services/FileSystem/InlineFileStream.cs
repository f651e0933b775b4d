using Microsoft.Win32.SafeHandles;

namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// A read-only, unbuffered file stream whose asynchronous reads run inline. On Unix, .NET performs
/// every asynchronous file read as a synchronous read on a thread-pool thread; for a local store,
/// whose reads mostly come from the page cache in microseconds, that hop costs more than the read
/// and makes streaming a large tree (a NAR dump, an export) mostly scheduling overhead.
/// </summary>
/// <remarks>
/// It is a <see cref="FileStream"/> so that consumers can reach the descriptor through
/// <see cref="FileStream.SafeFileHandle"/> (a NAR writer has the kernel copy a blob to its output
/// instead of reading it). Reads go straight to <see cref="RandomAccess"/> at this stream's own
/// position: a class derived from <see cref="FileStream"/> would otherwise have its span reads
/// routed through a rented array and a second copy, for compatibility with older subclasses.
/// </remarks>
internal sealed class InlineFileStream : FileStream
{
    private readonly SafeFileHandle _handle;
    private long _position;

    /// <summary>Takes ownership of <paramref name="handle"/>, a regular file open for reading.</summary>
    public InlineFileStream(SafeFileHandle handle)
        : base(handle, FileAccess.Read, bufferSize: 0)
    {
        _handle = handle;
    }

    public override bool CanWrite => false;

    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0) throw new IOException("cannot seek before the start of the file");
        return _position = target;
    }

    public override int Read(Span<byte> buffer)
    {
        var read = RandomAccess.Read(_handle, buffer, _position);
        _position += read;
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<int>(cancellationToken);
        try
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer) => throw ReadOnly();

    public override void Write(byte[] buffer, int offset, int count) => throw ReadOnly();

    public override void WriteByte(byte value) => throw ReadOnly();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromException(ReadOnly());

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromException(ReadOnly());

    public override void SetLength(long value) => throw ReadOnly();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static NotSupportedException ReadOnly() => new("a read-only stream cannot be written");
}
