using System.Numerics;
using System.Runtime.CompilerServices;

namespace Tvix.Hashing;

/// <summary>
/// SHA-256 (FIPS 180-4) in managed code: where Nettle is not installed, what hashes while a
/// process has hashed little (<see cref="NativeDigest"/>), so that a small evaluation never loads libcrypto, whose loading
/// alone costs 1.7 MB of resident memory (its relocated tables) against about 1.5 MB hashed by
/// instantiating a package. libcrypto's SHA-NI code is several times faster, so larger amounts
/// go there (<see cref="NativeDigest.ManagedSha256Budget"/>).
/// </summary>
/// <remarks>A mutable struct (a one-shot digest lives on the stack); keep it in a field or a local and call it in place.</remarks>
internal struct ManagedSha256
{
    public const int DigestSize = 32;
    private const int BlockSize = 64;

    private static ReadOnlySpan<uint> K =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    // The chaining state, the bytes of an unfinished block, and the message length so far.
    private uint _h0, _h1, _h2, _h3, _h4, _h5, _h6, _h7;
    private Block _pending;
    private int _pendingCount;
    private long _length;

    /// <summary>A state ready for a message.</summary>
    public static ManagedSha256 Create()
    {
        var sha = default(ManagedSha256);
        sha.Reset();
        return sha;
    }

    /// <summary>The digest of <paramref name="data"/> into <paramref name="destination"/> (32 bytes).</summary>
    public static void HashData(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var sha = Create();
        sha.Append(data);
        sha.Finish(destination);
    }

    /// <summary>Starts a new message.</summary>
    public void Reset()
    {
        _h0 = 0x6a09e667; _h1 = 0xbb67ae85; _h2 = 0x3c6ef372; _h3 = 0xa54ff53a;
        _h4 = 0x510e527f; _h5 = 0x9b05688c; _h6 = 0x1f83d9ab; _h7 = 0x5be0cd19;
        _pendingCount = 0;
        _length = 0;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        Span<byte> pending = _pending;
        _length += data.Length;
        if (_pendingCount > 0)
        {
            var take = Math.Min(BlockSize - _pendingCount, data.Length);
            data[..take].CopyTo(pending[_pendingCount..]);
            _pendingCount += take;
            data = data[take..];
            if (_pendingCount < BlockSize) return;
            Blocks(pending);
            _pendingCount = 0;
        }
        var whole = data.Length & ~(BlockSize - 1);
        if (whole > 0) Blocks(data[..whole]);
        data[whole..].CopyTo(pending);
        _pendingCount = data.Length - whole;
    }

    /// <summary>Writes the digest of the message into <paramref name="destination"/> (32 bytes); the state is then spent (call <see cref="Reset"/>).</summary>
    public void Finish(Span<byte> destination)
    {
        Span<byte> pending = _pending;
        var bits = _length * 8;
        Span<byte> tail = stackalloc byte[2 * BlockSize];
        pending[.._pendingCount].CopyTo(tail);
        tail[_pendingCount] = 0x80;
        // The padding ends with the length in the last 8 bytes of one or two blocks.
        var total = _pendingCount + 9 <= BlockSize ? BlockSize : 2 * BlockSize;
        tail[(_pendingCount + 1)..(total - 8)].Clear();
        for (var i = 0; i < 8; i++) tail[total - 1 - i] = (byte)(bits >> (8 * i));
        Blocks(tail[..total]);
        Write(destination, 0, _h0);
        Write(destination, 4, _h1);
        Write(destination, 8, _h2);
        Write(destination, 12, _h3);
        Write(destination, 16, _h4);
        Write(destination, 20, _h5);
        Write(destination, 24, _h6);
        Write(destination, 28, _h7);
    }

    /// <summary>The digest of the message so far, leaving the state as it is.</summary>
    public readonly void Peek(Span<byte> destination)
    {
        var copy = this;
        copy.Finish(destination);
    }

    // Compresses whole blocks into the state. Pointers rather than spans: without bounds checks
    // the rounds run about twice as fast.
    private unsafe void Blocks(ReadOnlySpan<byte> data)
    {
        uint* w = stackalloc uint[64];
        uint h0 = _h0, h1 = _h1, h2 = _h2, h3 = _h3, h4 = _h4, h5 = _h5, h6 = _h6, h7 = _h7;
        fixed (uint* k = K)
        fixed (byte* start = data)
        {
            for (var block = start; block < start + data.Length; block += BlockSize)
            {
                for (var i = 0; i < 16; i++)
                {
                    var p = block + 4 * i;
                    w[i] = (uint)p[0] << 24 | (uint)p[1] << 16 | (uint)p[2] << 8 | p[3];
                }
                for (var i = 16; i < 64; i++)
                {
                    var x = w[i - 15];
                    var y = w[i - 2];
                    var s0 = BitOperations.RotateRight(x, 7) ^ BitOperations.RotateRight(x, 18) ^ (x >> 3);
                    var s1 = BitOperations.RotateRight(y, 17) ^ BitOperations.RotateRight(y, 19) ^ (y >> 10);
                    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
                }
                uint a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
                for (var i = 0; i < 64; i += 4)
                {
                    Round(a, b, c, ref d, e, f, g, ref h, k[i] + w[i]);
                    Round(h, a, b, ref c, d, e, f, ref g, k[i + 1] + w[i + 1]);
                    Round(g, h, a, ref b, c, d, e, ref f, k[i + 2] + w[i + 2]);
                    Round(f, g, h, ref a, b, c, d, ref e, k[i + 3] + w[i + 3]);
                    // Four rounds rotate the eight words by four places: swap the halves back.
                    (a, b, c, d, e, f, g, h) = (e, f, g, h, a, b, c, d);
                }
                h0 += a; h1 += b; h2 += c; h3 += d; h4 += e; h5 += f; h6 += g; h7 += h;
            }
        }
        _h0 = h0; _h1 = h1; _h2 = h2; _h3 = h3; _h4 = h4; _h5 = h5; _h6 = h6; _h7 = h7;
    }

    // One round, with the variables renamed instead of shifted: d and h are the two that change.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(uint a, uint b, uint c, ref uint d, uint e, uint f, uint g, ref uint h, uint kw)
    {
        var t1 = h + Sigma1(e) + ((e & f) ^ (~e & g)) + kw;
        var t2 = Sigma0(a) + ((a & b) ^ (a & c) ^ (b & c));
        d += t1;
        h = t1 + t2;
    }

    // Byte loops rather than BinaryPrimitives: that type is named through System.Memory, an
    // assembly an evaluation does not load otherwise.
    private static void Write(Span<byte> destination, int at, uint word)
    {
        destination[at] = (byte)(word >> 24);
        destination[at + 1] = (byte)(word >> 16);
        destination[at + 2] = (byte)(word >> 8);
        destination[at + 3] = (byte)word;
    }

    /// <summary>The bytes of an unfinished block, inside the struct.</summary>
    [InlineArray(BlockSize)]
    private struct Block
    {
        private byte _first;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Sigma0(uint a) => BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Sigma1(uint e) => BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25);
}
