
namespace Tvix.NixCompat;

/// <summary>
/// A digest together with its algorithm, parsed and printed the way C++ Nix does it: base16,
/// nixbase32 or base64, with or without an <c>algo:</c> prefix, or SRI (<c>algo-base64</c>).
/// </summary>
public sealed class NixHash : IEquatable<NixHash>
{
    private readonly byte[] _digest;

    /// <summary>Wraps a digest; its length must match the algorithm.</summary>
    public NixHash(NixHashAlgorithm algorithm, ReadOnlySpan<byte> digest)
    {
        if (digest.Length != algorithm.DigestSize())
            throw new ArgumentException($"a {algorithm.Name()} digest has {algorithm.DigestSize()} bytes, not {digest.Length}", nameof(digest));
        Algorithm = algorithm;
        _digest = digest.ToArray();
    }

    /// <summary>The algorithm.</summary>
    public NixHashAlgorithm Algorithm { get; }

    /// <summary>The digest bytes.</summary>
    public ReadOnlySpan<byte> Digest => _digest;

    /// <summary>Hashes bytes with an algorithm.</summary>
    public static NixHash Compute(NixHashAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[64];
        digest = digest[..algorithm.DigestSize()];
        algorithm.HashData(data, digest);
        return new NixHash(algorithm, digest);
    }

    /// <summary>Hashes everything read from a stream, in bounded memory, synchronously.</summary>
    public static NixHash Compute(NixHashAlgorithm algorithm, Stream stream)
    {
        using var incremental = algorithm.CreateIncremental();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = stream.Read(buffer)) > 0)
                incremental.AppendData(buffer, 0, read);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return new NixHash(algorithm, incremental.GetHashAndReset());
    }

    /// <summary>Hashes everything read from a stream, in bounded memory.</summary>
    public static async Task<NixHash> ComputeAsync(NixHashAlgorithm algorithm, Stream stream, CancellationToken cancellationToken = default)
    {
        using var incremental = algorithm.CreateIncremental();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
                incremental.AppendData(buffer, 0, read);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return new NixHash(algorithm, incremental.GetHashAndReset());
    }

    /// <summary>
    /// Parses a hash as Nix's <c>Hash::parseAny</c> does: an optional <c>algo:</c> prefix or SRI
    /// <c>algo-</c> prefix, then base16 / nixbase32 / base64 told apart by length (SRI is always
    /// base64). <paramref name="expected"/> is the algorithm known from context (like
    /// <c>outputHashAlgo</c>); when both are given they must agree.
    /// </summary>
    /// <exception cref="NixFormatException">The string is not a valid hash; the message is Nix's.</exception>
    public static NixHash Parse(string text, NixHashAlgorithm? expected = null)
    {
        var error = TryParseCore(text, expected, out var hash);
        return error == null ? hash! : throw new NixFormatException(error);
    }

    /// <summary>Like <see cref="Parse"/>, but returns false instead of throwing.</summary>
    public static bool TryParse(string text, NixHashAlgorithm? expected, out NixHash? hash) =>
        TryParseCore(text, expected, out hash) == null;

    /// <summary>
    /// Parses a hash whose algorithm is given and which has no prefix (base16, nixbase32 or base64
    /// by length), as the hash field of a derivation output or a narinfo.
    /// </summary>
    /// <exception cref="NixFormatException">The string is not a valid hash of that algorithm.</exception>
    public static NixHash ParseUnprefixed(ReadOnlySpan<char> text, NixHashAlgorithm algorithm)
    {
        var error = ParseBody(text, algorithm, isSri: false, out var hash);
        return error == null ? hash! : throw new NixFormatException(error);
    }

    private static string? TryParseCore(string original, NixHashAlgorithm? expected, out NixHash? hash)
    {
        hash = null;
        ReadOnlySpan<char> rest = original;
        var isSri = false;
        NixHashAlgorithm? parsed = null;
        var separator = rest.IndexOf(':');
        if (separator < 0)
        {
            separator = rest.IndexOf('-');
            isSri = separator >= 0;
        }
        if (separator >= 0)
        {
            var name = rest[..separator];
            parsed = NixHashAlgorithms.TryParse(name);
            if (parsed == null) return $"unknown hash algorithm '{name}'";
            rest = rest[(separator + 1)..];
        }
        if (parsed == null && expected == null)
            return $"hash '{rest}' does not include a type, nor is the type otherwise known from context";
        if (parsed != null && expected != null && parsed != expected)
            return $"hash '{original}' should have type '{expected.Value.Name()}'";
        return ParseBody(rest, parsed ?? expected!.Value, isSri, out hash);
    }

    private static string? ParseBody(ReadOnlySpan<char> rest, NixHashAlgorithm algorithm, bool isSri, out NixHash? hash)
    {
        hash = null;
        var size = algorithm.DigestSize();
        Span<byte> digest = stackalloc byte[64];
        digest = digest[..size];
        if (!isSri && rest.Length == size * 2)
        {
            for (var i = 0; i < size; i++)
            {
                var hi = HexValue(rest[2 * i]);
                var lo = HexValue(rest[2 * i + 1]);
                if (hi < 0 || lo < 0) return $"invalid base-16 hash '{rest}'";
                digest[i] = (byte)(hi << 4 | lo);
            }
        }
        else if (!isSri && rest.Length == NixBase32.EncodedLength(size))
        {
            if (!NixBase32.TryDecode(rest, digest)) return $"invalid base-32 hash '{rest}'";
        }
        else if (isSri || rest.Length == Base64Length(size))
        {
            // Nix's base64 decoder stops at the first '=' and skips newlines; SRI needs no padding.
            var written = 0;
            uint bits = 0, accumulator = 0;
            Span<byte> decoded = stackalloc byte[size + 3];
            foreach (var c in rest)
            {
                if (c == '=') break;
                if (c == '\n') continue;
                var value = Base64Value(c);
                if (value < 0) return $"invalid character in Base64 string: '{c}'";
                accumulator = accumulator << 6 | (uint)value;
                bits += 6;
                if (bits >= 8)
                {
                    bits -= 8;
                    if (written == decoded.Length) return $"invalid {(isSri ? "SRI" : "base-64")} hash '{rest}'";
                    decoded[written++] = (byte)(accumulator >> (int)bits);
                }
            }
            if (written != size) return $"invalid {(isSri ? "SRI" : "base-64")} hash '{rest}'";
            decoded[..size].CopyTo(digest);
        }
        else
        {
            return $"hash '{rest}' has wrong length for hash type '{algorithm.Name()}'";
        }
        hash = new NixHash(algorithm, digest);
        return null;
    }

    private static int Base64Length(int size) => (size + 2) / 3 * 4;

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static int Base64Value(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        '/' => 63,
        _ => -1,
    };

    /// <summary>Lower-case hexadecimal digest, no prefix.</summary>
    public string ToBase16() => Convert.ToHexStringLower(_digest);

    /// <summary>nixbase32 digest, no prefix.</summary>
    public string ToNixBase32() => NixBase32.Encode(_digest);

    /// <summary>Padded base64 digest, no prefix.</summary>
    public string ToBase64() => Convert.ToBase64String(_digest);

    /// <summary>SRI form <c>algo-base64</c>.</summary>
    public string ToSri() => Algorithm.Name() + "-" + ToBase64();

    /// <summary>
    /// Prints in an encoding; <paramref name="includeAlgorithm"/> adds the <c>algo:</c> prefix
    /// (SRI always carries its algorithm).
    /// </summary>
    public string ToString(NixHashEncoding encoding, bool includeAlgorithm)
    {
        if (encoding == NixHashEncoding.Sri) return ToSri();
        var body = encoding switch
        {
            NixHashEncoding.Base16 => ToBase16(),
            NixHashEncoding.NixBase32 => ToNixBase32(),
            NixHashEncoding.Base64 => ToBase64(),
            _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
        };
        return includeAlgorithm ? Algorithm.Name() + ":" + body : body;
    }

    /// <summary>The SRI form.</summary>
    public override string ToString() => ToSri();

    /// <inheritdoc />
    public bool Equals(NixHash? other) =>
        other is not null && other.Algorithm == Algorithm && other._digest.AsSpan().SequenceEqual(_digest);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as NixHash);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Algorithm, BitConverter.ToInt32(_digest, 0));
}
