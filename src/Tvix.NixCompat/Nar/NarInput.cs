using System.Buffers;
using System.Buffers.Binary;

namespace Tvix.NixCompat.Nar;

/// <summary>
/// Buffered reading of NAR tokens from a stream, counting the bytes consumed and optionally
/// hashing them. Every failure of the input's shape is a <see cref="NixFormatException"/>.
/// </summary>
internal sealed class NarInput : IDisposable
{
    private readonly Stream _stream;
    private readonly NixIncrementalHash? _hash;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public NarInput(Stream stream, NixIncrementalHash? hash)
    {
        _stream = stream;
        _hash = hash;
        _buffer = ArrayPool<byte>.Shared.Rent(65536);
    }

    /// <summary>Bytes consumed so far: the position in the NAR.</summary>
    public long Position { get; private set; }

    private async ValueTask FillAsync(int needed, CancellationToken ct)
    {
        if (_end - _start >= needed) return;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
        while (_end < needed)
        {
            int read;
            try
            {
                read = await _stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new NixFormatException("cannot read the NAR: " + e.Message, e);
            }
            if (read == 0) throw new NixFormatException("unexpected end of NAR");
            _end += read;
        }
    }

    private void Consume(int count)
    {
        _hash?.AppendData(_buffer, _start, count);
        _start += count;
        Position += count;
    }

    public async ValueTask<ulong> ReadUInt64Async(CancellationToken ct)
    {
        await FillAsync(8, ct).ConfigureAwait(false);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_start, 8));
        Consume(8);
        return value;
    }

    /// <summary>Reads a length-prefixed, zero-padded string of at most <paramref name="maxLength"/> bytes.</summary>
    public async ValueTask<byte[]> ReadStringAsync(int maxLength, string what, CancellationToken ct)
    {
        var length = await ReadUInt64Async(ct).ConfigureAwait(false);
        if (length > (ulong)maxLength) throw new NixFormatException($"NAR {what} of {length} bytes is longer than the limit of {maxLength}");
        var total = (int)length + NarFormat.Padding((long)length);
        await FillAsync(total, ct).ConfigureAwait(false);
        var result = _buffer.AsSpan(_start, (int)length).ToArray();
        CheckPadding(_buffer.AsSpan(_start + (int)length, total - (int)length));
        Consume(total);
        return result;
    }

    /// <summary>
    /// Consumes the next string when it equals <paramref name="token"/> and returns true;
    /// otherwise consumes nothing and returns false. Compares in the buffer, without allocating.
    /// </summary>
    public async ValueTask<bool> TryExpectAsync(byte[] token, CancellationToken ct)
    {
        await FillAsync(8, ct).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_start, 8));
        if (length != (ulong)token.Length) return false;
        var total = 8 + token.Length + NarFormat.Padding(token.Length);
        await FillAsync(total, ct).ConfigureAwait(false);
        if (!_buffer.AsSpan(_start + 8, token.Length).SequenceEqual(token)) return false;
        CheckPadding(_buffer.AsSpan(_start + 8 + token.Length, total - 8 - token.Length));
        Consume(total);
        return true;
    }

    /// <summary>Reads a token and requires it to be <paramref name="expected"/>.</summary>
    public async ValueTask ExpectAsync(byte[] expected, CancellationToken ct)
    {
        if (await TryExpectAsync(expected, ct).ConfigureAwait(false)) return;
        var token = await ReadStringAsync(NarFormat.MaxTokenLength, "token", ct).ConfigureAwait(false);
        if (!token.AsSpan().SequenceEqual(expected))
            throw new NixFormatException($"bad archive: expected '{System.Text.Encoding.UTF8.GetString(expected)}' at byte {Position - 8 - token.Length - NarFormat.Padding(token.Length)}, found '{Printable(token)}'");
    }

    internal static string Printable(byte[] token) =>
        System.Text.Encoding.UTF8.GetString(token).Replace("\0", "\\0");

    private static void CheckPadding(ReadOnlySpan<byte> padding)
    {
        if (padding.IndexOfAnyExcept((byte)0) >= 0) throw new NixFormatException("bad archive: non-zero padding");
    }

    /// <summary>Reads up to <paramref name="destination"/>.Length content bytes (at least one unless it is empty).</summary>
    public async ValueTask<int> ReadContentsAsync(Memory<byte> destination, CancellationToken ct)
    {
        if (destination.Length == 0) return 0;
        if (_end == _start) await FillAsync(1, ct).ConfigureAwait(false);
        var count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination.Span);
        Consume(count);
        return count;
    }

    /// <summary>Skips content bytes without copying them.</summary>
    public async ValueTask SkipContentsAsync(long count, CancellationToken ct)
    {
        while (count > 0)
        {
            if (_end == _start) await FillAsync(1, ct).ConfigureAwait(false);
            var step = (int)Math.Min(count, _end - _start);
            Consume(step);
            count -= step;
        }
    }

    public async ValueTask ReadPaddingAsync(long contentLength, CancellationToken ct)
    {
        var padding = NarFormat.Padding(contentLength);
        if (padding == 0) return;
        await FillAsync(padding, ct).ConfigureAwait(false);
        CheckPadding(_buffer.AsSpan(_start, padding));
        Consume(padding);
    }

    /// <summary>True when the stream has no bytes left.</summary>
    public async ValueTask<bool> AtEndAsync(CancellationToken ct)
    {
        if (_end > _start) return false;
        _start = _end = 0;
        var read = await _stream.ReadAsync(_buffer.AsMemory(), ct).ConfigureAwait(false);
        _end = read;
        return read == 0;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}
