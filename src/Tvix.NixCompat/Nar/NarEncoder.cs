using System.Buffers;
using System.Buffers.Binary;

namespace Tvix.NixCompat.Nar;

/// <summary>
/// Formats NAR tokens into a pooled buffer and checks that the calls describe one well-formed
/// tree (one root, entries only in directories, names valid and strictly increasing). What to
/// do with the buffer (a stream, a file descriptor) is up to the writer that owns it; file
/// contents are appended by the writer between <see cref="BeginRegular"/> and <see cref="EndRegular"/>.
/// Misuse throws <see cref="InvalidOperationException"/>.
/// </summary>
internal sealed class NarEncoder : IDisposable
{
    private byte[] _buffer;
    // The last entry name of each open directory, stacked in one array: no allocation per entry.
    private byte[] _names = new byte[512];
    private int[] _nameStarts = new int[16];
    private int[] _nameLengths = new int[16];
    private int _depth;
    private bool _inEntry;
    private bool _rootWritten;
    private bool _completed;

    public NarEncoder(int bufferSize)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        String(NarFormat.Magic);
    }

    public byte[] Buffer => _buffer;

    /// <summary>Bytes formatted and not yet taken.</summary>
    public int Length { get; private set; }

    /// <summary>Room left in <see cref="Buffer"/> after <see cref="Length"/>.</summary>
    public int Free => _buffer.Length - Length;

    /// <summary>The caller wrote <paramref name="count"/> bytes into <see cref="Buffer"/> at <see cref="Length"/>.</summary>
    public void Advance(int count) => Length += count;

    /// <summary>The caller has written out the buffer.</summary>
    public void Clear() => Length = 0;

    public bool IsComplete => _rootWritten && _depth == 0 && !_inEntry;

    /// <summary>The header of a regular file, up to and including its size; the contents follow.</summary>
    public void BeginRegular(bool executable, long size)
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
    }

    /// <summary>The padding of <paramref name="size"/> bytes of contents and the end of the file node.</summary>
    public void EndRegular(long size)
    {
        Padding(size);
        String(NarFormat.Close);
    }

    public void Symlink(ReadOnlySpan<byte> target)
    {
        if (NarFormat.ValidateTarget(target) is { } error) throw new InvalidOperationException(error);
        StartNode();
        String(NarFormat.Open);
        String(NarFormat.Type);
        String(NarFormat.Symlink);
        String(NarFormat.Target);
        String(target);
        String(NarFormat.Close);
    }

    public void BeginDirectory()
    {
        StartNode();
        String(NarFormat.Open);
        String(NarFormat.Type);
        String(NarFormat.Directory);
        if (_depth == _nameStarts.Length)
        {
            Array.Resize(ref _nameStarts, _depth * 2);
            Array.Resize(ref _nameLengths, _depth * 2);
        }
        _nameStarts[_depth] = _depth == 0 ? 0 : _nameStarts[_depth - 1] + Math.Max(0, _nameLengths[_depth - 1]);
        _nameLengths[_depth] = -1;
        _depth++;
    }

    public void BeginEntry(ReadOnlySpan<byte> name)
    {
        if (_depth == 0 || _inEntry) throw new InvalidOperationException("an entry must be inside a directory");
        if (NarFormat.ValidateName(name) is { } error) throw new InvalidOperationException(error);
        var start = _nameStarts[_depth - 1];
        var previousLength = _nameLengths[_depth - 1];
        if (previousLength >= 0 && _names.AsSpan(start, previousLength).SequenceCompareTo(name) >= 0)
            throw new InvalidOperationException("directory entries must be written in strictly increasing bytewise order");
        if (start + name.Length > _names.Length) Array.Resize(ref _names, Math.Max(_names.Length * 2, start + name.Length));
        name.CopyTo(_names.AsSpan(start));
        _nameLengths[_depth - 1] = name.Length;
        _inEntry = true;
        String(NarFormat.Entry);
        String(NarFormat.Open);
        String(NarFormat.Name);
        String(name);
        String(NarFormat.Node);
    }

    public void EndEntry()
    {
        if (_inEntry) throw new InvalidOperationException("an entry must contain a node");
        if (_depth == 0) throw new InvalidOperationException("no entry is open");
        String(NarFormat.Close);
    }

    public void EndDirectory()
    {
        if (_depth == 0 || _inEntry) throw new InvalidOperationException("no directory is open");
        _depth--;
        String(NarFormat.Close);
    }

    /// <summary>Checks that the tree is complete; nothing may follow.</summary>
    public void Complete()
    {
        if (!IsComplete) throw new InvalidOperationException("the NAR is not complete");
        _completed = true;
    }

    private void StartNode()
    {
        if (_depth == 0)
        {
            if (_rootWritten || _completed) throw new InvalidOperationException("a NAR has exactly one root node");
            _rootWritten = true;
        }
        else if (!_inEntry) throw new InvalidOperationException("a node inside a directory must be inside an entry");
        _inEntry = false;
    }

    /// <summary>Appends raw bytes, growing the buffer when they do not fit (only in-memory contents are that large).</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (Free < bytes.Length)
        {
            var next = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, Length + bytes.Length));
            _buffer.AsSpan(0, Length).CopyTo(next);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = next;
        }
        bytes.CopyTo(_buffer.AsSpan(Length));
        Length += bytes.Length;
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

    /// <summary>Returns the buffer to the pool.</summary>
    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        Length = 0;
        if (buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}
