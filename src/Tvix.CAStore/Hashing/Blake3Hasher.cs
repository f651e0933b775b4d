using System.Buffers;
using System.Text;

namespace Tvix.CAStore.Hashing;

/// <summary>
/// An incremental BLAKE3 hasher: feed any number of <see cref="Update"/> calls, then read any
/// amount of output with <see cref="Finalize(Span{byte})"/>. Finalizing does not change the
/// state, so more input may follow and the output can be read again or from any offset.
/// </summary>
/// <remarks>Not thread-safe; <see cref="UpdateParallel"/> itself uses several cores for large inputs.</remarks>
public sealed class Blake3Hasher
{
    // The tree's subtrees must start at multiples of their own size, so a stream fed in pieces that
    // do not fall on such boundaries (a NAR's file contents, read after its headers) could only be
    // hashed as small subtrees, with narrow SIMD and many scalar parents: measured a third slower.
    // So input reaches the state in whole stages at stage-aligned positions; the rest waits here.
    private const int StageSize = 64 * 1024;
    private Blake3State _state;
    private byte[]? _stage; // rented while input is waiting
    private int _staged;

    /// <summary>A hasher in the default (unkeyed) mode.</summary>
    public Blake3Hasher() : this(Blake3Many.MaxLanes)
    {
    }

    /// <summary>A default-mode hasher whose SIMD width is capped (1 forces the scalar path); for tests.</summary>
    internal unsafe Blake3Hasher(int lanes)
    {
        var iv = stackalloc uint[8];
        Blake3Compress.WriteIv(iv);
        Init(iv, 0, lanes);
    }

    private unsafe Blake3Hasher(uint* key, uint flags, int lanes) => Init(key, flags, lanes);

    private unsafe void Init(uint* key, uint flags, int lanes)
    {
        fixed (Blake3State* s = &_state) Blake3State.Init(s, key, flags, lanes);
    }

    /// <summary>A hasher in keyed mode (a MAC / PRF) with a 32-byte key.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes long.</exception>
    public static Blake3Hasher CreateKeyed(ReadOnlySpan<byte> key) => CreateKeyed(key, Blake3Many.MaxLanes);

    internal static unsafe Blake3Hasher CreateKeyed(ReadOnlySpan<byte> key, int lanes)
    {
        if (key.Length != Blake3.KeySize)
            throw new ArgumentException($"a BLAKE3 key is {Blake3.KeySize} bytes, not {key.Length}", nameof(key));
        var words = stackalloc uint[8];
        fixed (byte* k = key) Blake3Many.LoadCv(k, words);
        return new Blake3Hasher(words, Blake3Compress.KeyedHash, lanes);
    }

    /// <summary>
    /// A hasher in key-derivation mode: its output is a key derived from the key material fed to
    /// <see cref="Update"/>, specific to <paramref name="context"/> (a hard-coded, globally unique,
    /// application-specific string).
    /// </summary>
    public static Blake3Hasher CreateDeriveKey(string context) => CreateDeriveKey(context, Blake3Many.MaxLanes);

    internal static unsafe Blake3Hasher CreateDeriveKey(string context, int lanes)
    {
        ArgumentNullException.ThrowIfNull(context);
        var iv = stackalloc uint[8];
        Blake3Compress.WriteIv(iv);
        var contextHasher = new Blake3Hasher(iv, Blake3Compress.DeriveKeyContext, lanes);
        contextHasher.Update(Encoding.UTF8.GetBytes(context));
        Span<byte> contextKey = stackalloc byte[Blake3.KeySize];
        contextHasher.Finalize(contextKey);
        var words = stackalloc uint[8];
        fixed (byte* k = contextKey) Blake3Many.LoadCv(k, words);
        return new Blake3Hasher(words, Blake3Compress.DeriveKeyMaterial, lanes);
    }

    /// <summary>Absorbs more input.</summary>
    public void Update(ReadOnlySpan<byte> input) => Absorb(input, parallel: false);

    /// <summary>
    /// Absorbs more input, hashing independent subtrees of a large input on several cores.
    /// Gives the same result as <see cref="Update"/>.
    /// </summary>
    public void UpdateParallel(ReadOnlySpan<byte> input) => Absorb(input, parallel: true);

    private void Absorb(ReadOnlySpan<byte> input, bool parallel)
    {
        if (_staged > 0)
        {
            var take = Math.Min(StageSize - _staged, input.Length);
            input[..take].CopyTo(_stage.AsSpan(_staged));
            _staged += take;
            input = input[take..];
            if (_staged < StageSize) return;
            Feed(_stage, parallel);
            _staged = 0;
        }
        // Here the state has taken a whole number of stages: whole stages go straight in.
        var whole = input.Length / StageSize * StageSize;
        if (whole > 0) Feed(input[..whole], parallel);
        input = input[whole..];
        if (input.IsEmpty) return;
        _stage ??= ArrayPool<byte>.Shared.Rent(StageSize);
        input.CopyTo(_stage);
        _staged = input.Length;
    }

    private unsafe void Feed(ReadOnlySpan<byte> input, bool parallel)
    {
        fixed (Blake3State* s = &_state)
        fixed (byte* p = input)
            Blake3State.Update(s, p, input.Length, parallel);
    }

    /// <summary>Absorbs the rest of <paramref name="stream"/>, reading it in bounded pieces.</summary>
    public async ValueTask UpdateAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = ArrayPool<byte>.Shared.Rent(Blake3.StreamBufferSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, Blake3.StreamBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                Update(buffer.AsSpan(0, read));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the first <c>output.Length</c> bytes of the (extended) output; 32 bytes is the standard hash.</summary>
    public void Finalize(Span<byte> output) => Finalize(output, 0);

    /// <summary>Writes <c>output.Length</c> bytes of the extended output starting at byte <paramref name="offset"/>.</summary>
    public unsafe void Finalize(Span<byte> output, ulong offset)
    {
        // The input still waiting goes into a copy of the state, so this one can take more input.
        var state = _state;
        if (_staged > 0)
        {
            fixed (byte* staged = _stage)
                Blake3State.Update(&state, staged, _staged, parallel: false);
        }
        fixed (byte* p = output)
            Blake3State.Finalize(&state, offset, p, output.Length);
    }

    /// <summary>The standard 32-byte hash of everything absorbed so far.</summary>
    public byte[] FinalizeToArray()
    {
        var result = new byte[Blake3.HashSize];
        Finalize(result);
        return result;
    }

    /// <summary>Forgets all input, keeping the mode (and key).</summary>
    public unsafe void Reset()
    {
        fixed (Blake3State* s = &_state) Blake3State.Reset(s);
        _staged = 0;
        if (_stage is not null) ArrayPool<byte>.Shared.Return(_stage);
        _stage = null;
    }
}
