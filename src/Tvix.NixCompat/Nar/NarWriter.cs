using Microsoft.Win32.SafeHandles;
using Tvix.NixCompat.Nar.Linux;

namespace Tvix.NixCompat.Nar;

/// <summary>
/// Writes a NAR to a stream, as a sink: call the <see cref="INarSink"/> methods in tree order
/// (one root node; directory entries in strictly increasing bytewise order), then
/// <see cref="CompleteAsync"/>. Small tokens are batched in a pooled buffer; file contents are
/// copied in chunks, so memory stays bounded whatever the file sizes. Misuse (unsorted entries,
/// a file shorter than announced, a second root) throws <see cref="InvalidOperationException"/>.
/// </summary>
/// <remarks>
/// When the output is a plain writable <see cref="FileStream"/> on Linux (a file, or standard
/// output as a pipe), the NAR goes to its file descriptor directly, with synchronous writes from
/// the stream's position (which <see cref="CompleteAsync"/> moves past the NAR); a file whose
/// contents come as a <see cref="FileStream"/> (a local blob) is then copied by the kernel
/// (<c>copy_file_range</c>, <c>sendfile</c>) from the contents stream's position, without
/// passing through this process. Do not write to the output yourself until the NAR is complete.
/// </remarks>
public sealed class NarWriter : INarSink, IAsyncDisposable
{
    private const int BufferSize = 65536;
    private readonly Stream _output;
    private readonly NarEncoder _encoder;
    private readonly DescriptorOutput? _descriptor;

    /// <summary>Creates a writer that writes to <paramref name="output"/> (which it does not dispose).</summary>
    public NarWriter(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        // Exactly FileStream: a derived class may expect to see the writes.
        if (LinuxFs.IsSupported && output.GetType() == typeof(FileStream) && output.CanWrite)
        {
            _descriptor = new DescriptorOutput((FileStream)output);
            _encoder = _descriptor.Writer.Encoder;
        }
        else
        {
            _encoder = new NarEncoder(BufferSize);
        }
    }

    /// <inheritdoc />
    public ValueTask RegularFileAsync(bool executable, long size, Stream contents, long narOffset, CancellationToken cancellationToken)
    {
        if (_descriptor is not null && contents is FileStream { CanSeek: true, CanRead: true } file)
        {
            if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
            try
            {
                _descriptor.RegularFile(executable, size, file);
                return ValueTask.CompletedTask;
            }
            catch (Exception e)
            {
                return ValueTask.FromException(e);
            }
        }
        return CopyRegularFileAsync(executable, size, contents, cancellationToken);
    }

    /// <summary>
    /// A regular file whose contents are the first <paramref name="size"/> bytes of an open file,
    /// read at offsets (the handle's position is neither used nor moved). Into a file descriptor
    /// output (see the remarks on <see cref="NarWriter"/>) the kernel copies them; a caller holding
    /// a file handle (a local blob store) saves opening a stream on it.
    /// </summary>
    public ValueTask RegularFileAsync(bool executable, long size, SafeFileHandle contents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contents);
        if (_descriptor is null) return CopyRegularFileAsync(executable, size, contents, cancellationToken);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        try
        {
            _descriptor.RegularFile(executable, size, contents, 0);
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    private async ValueTask CopyRegularFileAsync(bool executable, long size, SafeFileHandle contents, CancellationToken cancellationToken)
    {
        _encoder.BeginRegular(executable, size);
        long offset = 0;
        while (offset < size)
        {
            if (_encoder.Free == 0) await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            var chunk = (int)Math.Min(size - offset, _encoder.Free);
            // Positioned reads of a local file take microseconds: inline, not on the thread pool.
            var read = RandomAccess.Read(contents, _encoder.Buffer.AsSpan(_encoder.Length, chunk), offset);
            if (read == 0) throw new InvalidOperationException($"the file contents ended {size - offset} bytes before the announced size of {size}");
            _encoder.Advance(read);
            offset += read;
        }
        _encoder.EndRegular(size);
    }

    private async ValueTask CopyRegularFileAsync(bool executable, long size, Stream contents, CancellationToken cancellationToken)
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
        if (_descriptor is not null)
        {
            _descriptor.Complete();
            return;
        }
        await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private ValueTask MaybeFlushAsync(CancellationToken ct)
    {
        if (_descriptor is not null)
        {
            _descriptor.Writer.FlushIfFull();
            return ValueTask.CompletedTask;
        }
        return _encoder.Length >= BufferSize / 2 ? FlushBufferAsync(ct) : ValueTask.CompletedTask;
    }

    private async ValueTask FlushBufferAsync(CancellationToken ct)
    {
        if (_encoder.Length == 0) return;
        if (_descriptor is not null)
        {
            _descriptor.Writer.Flush();
            return;
        }
        await _output.WriteAsync(_encoder.Buffer.AsMemory(0, _encoder.Length), ct).ConfigureAwait(false);
        _encoder.Clear();
    }

    /// <summary>Returns the buffer to the pool (without flushing: call <see cref="CompleteAsync"/> first).</summary>
    public ValueTask DisposeAsync()
    {
        if (_descriptor is not null) _descriptor.Dispose();
        else _encoder.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>The output's descriptor, written directly (see the remarks on <see cref="NarWriter"/>).</summary>
    private sealed class DescriptorOutput : IDisposable
    {
        private readonly FileStream _file;
        private readonly SafeFileHandle _handle;
        private bool _referenced;

        public DescriptorOutput(FileStream file)
        {
            _file = file;
            file.Flush();
            _handle = file.SafeFileHandle;
            _handle.DangerousAddRef(ref _referenced);
            var fd = (int)_handle.DangerousGetHandle();
            // Write at the stream's position through the descriptor's own offset, which the kernel
            // copies advance too; Complete tells the stream where the NAR ended.
            if (file.CanSeek) LinuxFs.LSeek(fd, file.Position, LinuxFs.SeekSet);
            Writer = new NarFdWriter(fd);
        }

        public NarFdWriter Writer { get; }

        public void RegularFile(bool executable, long size, FileStream contents)
        {
            var position = contents.Position;
            RegularFile(executable, size, contents.SafeFileHandle, position);
            contents.Position = position + size;
        }

        public void RegularFile(bool executable, long size, SafeFileHandle contents, long offset)
        {
            var added = false;
            contents.DangerousAddRef(ref added);
            try
            {
                Writer.RegularFile(executable, size, (int)contents.DangerousGetHandle(), offset, null);
            }
            finally
            {
                if (added) contents.DangerousRelease();
            }
        }

        public void Complete()
        {
            Writer.Flush();
            if (_file.CanSeek) _file.Position = LinuxFs.LSeek((int)_handle.DangerousGetHandle(), 0, LinuxFs.SeekCur);
        }

        public void Dispose()
        {
            Writer.Dispose();
            if (_referenced)
            {
                _referenced = false;
                _handle.DangerousRelease();
            }
        }
    }
}
