using Tvix.NixCompat;

namespace Tvix.Glue.Builtins;

/// <summary>
/// Short byte strings packed into shared chunks: the values <c>derivationStrict</c> coerces for
/// one derivation's environment (numbers, lists of paths, short strings), which only the
/// derivation being instantiated refers to. One derivation after another reuses the same chunk
/// (<see cref="Reset"/>) instead of allocating an array per value.
/// </summary>
internal sealed class ByteArena
{
    private const int ChunkSize = 8192;

    /// <summary>Values longer than this get an array of their own (a chunk would be mostly wasted on them).</summary>
    private const int MaxPacked = 1024;

    private byte[] _chunk = new byte[ChunkSize];
    private int _used;

    /// <summary>A byte string holding a copy of <paramref name="bytes"/>, valid until <see cref="Reset"/>.</summary>
    public ByteString Copy(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) return ByteString.Empty;
        if (bytes.Length > MaxPacked) return ByteString.CopyFrom(bytes);
        if (ChunkSize - _used < bytes.Length)
        {
            // The full chunk stays alive only as long as the strings in it.
            _chunk = new byte[ChunkSize];
            _used = 0;
        }
        bytes.CopyTo(_chunk.AsSpan(_used));
        var result = new ByteString(_chunk, _used, bytes.Length);
        _used += bytes.Length;
        return result;
    }

    /// <summary>Makes the space free again: nothing may refer to the strings handed out before.</summary>
    public void Reset() => _used = 0;
}

/// <summary>
/// What one <c>derivationStrict</c> call works with besides the derivation, reused by the next
/// call (the buffer's array stays rented from the shared pool while this is kept).
/// </summary>
internal sealed class DerivationScratch
{
    /// <summary>The context gathered from the attributes.</summary>
    public readonly ContextSet Context = new();

    /// <summary>The coerced values of the environment and arguments.</summary>
    public readonly ByteArena Bytes = new();

    /// <summary>Where non-string values are coerced before they are copied into <see cref="Bytes"/>.</summary>
    public readonly PooledByteWriter Buffer = new(1024);

    /// <summary>The output names of an <c>outputs</c> attribute.</summary>
    public readonly List<string> Outputs = [];

    /// <summary>Empties everything for the next derivation.</summary>
    public void Clear()
    {
        Context.Clear();
        Bytes.Reset();
        Buffer.Reset();
        Outputs.Clear();
    }
}
