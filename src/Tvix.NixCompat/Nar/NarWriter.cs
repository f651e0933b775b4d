using System.Buffers;
using System.Buffers.Binary;

namespace Tvix.NixCompat.Nar;

/// <summary>
/// Writes a NAR to a stream, as a sink: call the <see cref="INarSink"/> methods in tree order
/// (one root node; directory entries in strictly increasing bytewise order), then
/// <see cref="CompleteAsync"/>. Small tokens are batched in a pooled buffer; file contents are
/// copied in chunks, so memory stays bounded whatever the file sizes. Misuse (unsorted entries,
/// a file shorter than announced, a second root) throws <see cref="InvalidOperationException"/>.
/// </summary>
public sealed class NarWriter : INarSink, IAsyncDisposable
{
    private const int BufferSize = 65536;
    private readonly Stream _output;
    private byte[] _buffer;
    private int _length;
    // Per open directory: the last entry name written; null before the first.
    private readonly Stack<byte[]?> _directories = new();
    private bool _inEntry;
    private bool _rootWritten;
    private bool _completed;

    /// <summary>Creates a writer that writes to <paramref name="output"/> (which it does not dispose).</summary>
    public NarWriter(Stream output)
    {
        _output = output;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        String(NarFormat.Magic);
    }

    /// <inheritdoc />
    public async ValueTask RegularFileAsync(bool executable, long size, Stream contents, long narOffset, CancellationToken cancellationToken)
    {
        StartNode();
        String(NarFormat.Open);
        String(NarFormat.Type);
        String(NarFormat.Regular);
        if (executable)
        {
            String(NarFormat.Executable);
            String([]);
        }
        String(NarFormat.Contents);
        UInt64((ulong)size);
        var remaining = size;
        while (remaining > 0)
        {
            if (_length == _buffer.Length) await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            var chunk = (int)Math.Min(remaining, _buffer.Length - _length);
            var read = await contents.ReadAsync(_buffer.AsMemory(_length, chunk), cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new InvalidOperationException($"the file contents ended {remaining} bytes before the announced size of {size}");
            _length += read;
            remaining -= read;
        }
        Padding(size);
        String(NarFormat.Close);
    }

    /// <summary>A regular file whose contents are in memory.</summary>
    public ValueTask RegularFileAsync(bool executable, ReadOnlyMemory<byte> contents, CancellationToken cancellationToken = default)
    {
        StartNode();
        String(NarFormat.Open);
        String(NarFormat.Type);
        String(NarFormat.Regular);
        if (executable)
        {
            String(NarFormat.Executable);
            String([]);
        }
        String(NarFormat.Contents);
        UInt64((ulong)contents.Length);
        Append(contents.Span);
        Padding(contents.Length);
        String(NarFormat.Close);
        return _length >= BufferSize / 2 ? FlushBufferAsync(cancellationToken) : ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask SymlinkAsync(ReadOnlyMemory<byte> target, CancellationToken cancellationToken)
    {
        if (NarFormat.ValidateTarget(target.Span) is { } error) throw new InvalidOperationException(error);
        StartNode();
        String(NarFormat.Open);
        String(NarFormat.Type);
        String(NarFormat.Symlink);
        String(NarFormat.Target);
        String(target.Span);
        String(NarFormat.Close);
        return MaybeFlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask BeginDirectoryAsync(CancellationToken cancellationToken)
    {
        StartNode();
        String(NarFormat.Open);
        String(NarFormat.Type);
        String(NarFormat.Directory);
        _directories.Push(null);
        return MaybeFlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask BeginEntryAsync(ReadOnlyMemory<byte> name, CancellationToken cancellationToken)
    {
        if (_directories.Count == 0 || _inEntry) throw new InvalidOperationException("an entry must be inside a directory");
        if (NarFormat.ValidateName(name.Span) is { } error) throw new InvalidOperationException(error);
        var previous = _directories.Peek();
        if (previous != null && previous.AsSpan().SequenceCompareTo(name.Span) >= 0)
            throw new InvalidOperationException("directory entries must be written in strictly increasing bytewise order");
        _directories.Pop();
        _directories.Push(name.ToArray());
        _inEntry = true;
        String(NarFormat.Entry);
        String(NarFormat.Open);
        String(NarFormat.Name);
        String(name.Span);
        String(NarFormat.Node);
        return MaybeFlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask EndEntryAsync(CancellationToken cancellationToken)
    {
        if (_inEntry) throw new InvalidOperationException("an entry must contain a node");
        if (_directories.Count == 0) throw new InvalidOperationException("no entry is open");
        String(NarFormat.Close);
        return MaybeFlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask EndDirectoryAsync(CancellationToken cancellationToken)
    {
        if (_directories.Count == 0 || _inEntry) throw new InvalidOperationException("no directory is open");
        _directories.Pop();
        String(NarFormat.Close);
        return MaybeFlushAsync(cancellationToken);
    }

    /// <summary>Checks that the tree is complete and flushes everything to the stream.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (!_rootWritten || _directories.Count != 0 || _inEntry) throw new InvalidOperationException("the NAR is not complete");
        _completed = true;
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void StartNode()
    {
        if (_directories.Count == 0)
        {
            if (_rootWritten || _completed) throw new InvalidOperationException("a NAR has exactly one root node");
            _rootWritten = true;
        }
        else if (!_inEntry) throw new InvalidOperationException("a node inside a directory must be inside an entry");
        _inEntry = false;
    }

    private ValueTask MaybeFlushAsync(CancellationToken ct) =>
        _length >= BufferSize / 2 ? FlushBufferAsync(ct) : ValueTask.CompletedTask;

    private async ValueTask FlushBufferAsync(CancellationToken ct)
    {
        if (_length == 0) return;
        await _output.WriteAsync(_buffer.AsMemory(0, _length), ct).ConfigureAwait(false);
        _length = 0;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_buffer.Length - _length < bytes.Length)
        {
            // Only in-memory contents can be this large: grow rather than block on I/O here.
            var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + bytes.Length));
            _buffer.AsSpan(0, _length).CopyTo(next);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = next;
        }
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void UInt64(ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        Append(bytes);
    }

    private void Padding(long length)
    {
        Span<byte> zeros = stackalloc byte[8];
        zeros.Clear();
        Append(zeros[..NarFormat.Padding(length)]);
    }

    private void String(ReadOnlySpan<byte> value)
    {
        UInt64((ulong)value.Length);
        Append(value);
        Padding(value.Length);
    }

    /// <summary>Returns the buffer to the pool (without flushing: call <see cref="CompleteAsync"/> first).</summary>
    public ValueTask DisposeAsync()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
        return ValueTask.CompletedTask;
    }
}
