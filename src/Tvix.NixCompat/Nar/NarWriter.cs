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
    private readonly NarEncoder _encoder = new(BufferSize);

    /// <summary>Creates a writer that writes to <paramref name="output"/> (which it does not dispose).</summary>
    public NarWriter(Stream output)
    {
        _output = output;
    }

    /// <inheritdoc />
    public async ValueTask RegularFileAsync(bool executable, long size, Stream contents, long narOffset, CancellationToken cancellationToken)
    {
        _encoder.BeginRegular(executable, size);
        var remaining = size;
        while (remaining > 0)
        {
            if (_encoder.Free == 0) await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            var chunk = (int)Math.Min(remaining, _encoder.Free);
            var read = await contents.ReadAsync(_encoder.Buffer.AsMemory(_encoder.Length, chunk), cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new InvalidOperationException($"the file contents ended {remaining} bytes before the announced size of {size}");
            _encoder.Advance(read);
            remaining -= read;
        }
        _encoder.EndRegular(size);
    }

    /// <summary>A regular file whose contents are in memory.</summary>
    public ValueTask RegularFileAsync(bool executable, ReadOnlyMemory<byte> contents, CancellationToken cancellationToken = default)
    {
        _encoder.BeginRegular(executable, contents.Length);
        _encoder.Append(contents.Span);
        _encoder.EndRegular(contents.Length);
        return MaybeFlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask SymlinkAsync(ReadOnlyMemory<byte> target, CancellationToken cancellationToken)
    {
        _encoder.Symlink(target.Span);
        return MaybeFlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask BeginDirectoryAsync(CancellationToken cancellationToken)
    {
        _encoder.BeginDirectory();
        return MaybeFlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask BeginEntryAsync(ReadOnlyMemory<byte> name, CancellationToken cancellationToken)
    {
        _encoder.BeginEntry(name.Span);
        return MaybeFlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask EndEntryAsync(CancellationToken cancellationToken)
    {
        _encoder.EndEntry();
        return MaybeFlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask EndDirectoryAsync(CancellationToken cancellationToken)
    {
        _encoder.EndDirectory();
        return MaybeFlushAsync(cancellationToken);
    }

    /// <summary>Checks that the tree is complete and flushes everything to the stream.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        _encoder.Complete();
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private ValueTask MaybeFlushAsync(CancellationToken ct) =>
        _encoder.Length >= BufferSize / 2 ? FlushBufferAsync(ct) : ValueTask.CompletedTask;

    private async ValueTask FlushBufferAsync(CancellationToken ct)
    {
        if (_encoder.Length == 0) return;
        await _output.WriteAsync(_encoder.Buffer.AsMemory(0, _encoder.Length), ct).ConfigureAwait(false);
        _encoder.Clear();
    }

    /// <summary>Returns the buffer to the pool (without flushing: call <see cref="CompleteAsync"/> first).</summary>
    public ValueTask DisposeAsync()
    {
        _encoder.Dispose();
        return ValueTask.CompletedTask;
    }
}
