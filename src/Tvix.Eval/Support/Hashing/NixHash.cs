using System.Security.Cryptography;

namespace Tvix.Eval.Support.Hashing;

/// <summary>The hash algorithms Nix's builtins accept.</summary>
internal enum NixHashAlgorithm
{
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

/// <summary>How a digest is written.</summary>
internal enum NixHashFormat
{
    Base16,
    Nix32,
    Base64,
    Sri,
}

/// <summary>A hash-related error with Nix's message.</summary>
internal sealed class NixHashException(string message) : Exception(message);

/// <summary>
/// Hashing, parsing and printing of digests for <c>hashString</c>, <c>hashFile</c> and
/// <c>convertHash</c>, with C++ Nix's rules for which spellings are accepted.
/// </summary>
internal static class NixHash
{
    /// <summary>Parses an algorithm name (lower case only, as Nix).</summary>
    /// <exception cref="NixHashException">Unknown name, or blake3 (which needs an experimental feature).</exception>
    public static NixHashAlgorithm ParseAlgorithm(string name) => name switch
    {
        "md5" => NixHashAlgorithm.Md5,
        "sha1" => NixHashAlgorithm.Sha1,
        "sha256" => NixHashAlgorithm.Sha256,
        "sha512" => NixHashAlgorithm.Sha512,
        "blake3" => throw new NixHashException("experimental Nix feature 'blake3-hashes' is disabled; add '--extra-experimental-features blake3-hashes' to enable it"),
        _ => throw new NixHashException($"unknown hash algorithm '{name}', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'"),
    };

    /// <summary>Parses a format name; <paramref name="deprecatedAlias"/> is set for "base32".</summary>
    public static NixHashFormat ParseFormat(string name, out bool deprecatedAlias)
    {
        deprecatedAlias = name == "base32";
        return name switch
        {
            "base16" => NixHashFormat.Base16,
            "nix32" or "base32" => NixHashFormat.Nix32,
            "base64" => NixHashFormat.Base64,
            "sri" => NixHashFormat.Sri,
            _ => throw new NixHashException($"unknown hash format '{name}', expect 'base16', 'base32', 'base64', or 'sri'"),
        };
    }

    public static string Name(NixHashAlgorithm algorithm) => algorithm switch
    {
        NixHashAlgorithm.Md5 => "md5",
        NixHashAlgorithm.Sha1 => "sha1",
        NixHashAlgorithm.Sha256 => "sha256",
        _ => "sha512",
    };

    public static int Size(NixHashAlgorithm algorithm) => algorithm switch
    {
        NixHashAlgorithm.Md5 => 16,
        NixHashAlgorithm.Sha1 => 20,
        NixHashAlgorithm.Sha256 => 32,
        _ => 64,
    };

    public static byte[] Compute(NixHashAlgorithm algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        NixHashAlgorithm.Md5 => MD5.HashData(data),
        NixHashAlgorithm.Sha1 => SHA1.HashData(data),
        NixHashAlgorithm.Sha256 => SHA256.HashData(data),
        _ => SHA512.HashData(data),
    };

    /// <summary>Hashes a stream without holding it in memory.</summary>
    public static byte[] Compute(NixHashAlgorithm algorithm, Stream data)
    {
        using var hash = IncrementalHash.CreateHash(algorithm switch
        {
            NixHashAlgorithm.Md5 => HashAlgorithmName.MD5,
            NixHashAlgorithm.Sha1 => HashAlgorithmName.SHA1,
            NixHashAlgorithm.Sha256 => HashAlgorithmName.SHA256,
            _ => HashAlgorithmName.SHA512,
        });
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int n;
            while ((n = data.Read(buffer, 0, buffer.Length)) > 0) hash.AppendData(buffer, 0, n);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
        return hash.GetHashAndReset();
    }

    public static string Format(NixHashAlgorithm algorithm, ReadOnlySpan<byte> digest, NixHashFormat format) => format switch
    {
        NixHashFormat.Base16 => Convert.ToHexStringLower(digest),
        NixHashFormat.Nix32 => NixBase32.Encode(digest),
        NixHashFormat.Base64 => Convert.ToBase64String(digest),
        _ => Name(algorithm) + "-" + Convert.ToBase64String(digest),
    };

    /// <summary>
    /// Parses a hash in any spelling Nix accepts: <c>algo:</c> prefix or SRI <c>algo-</c> prefix, or
    /// bare with the algorithm given; base16 (any case), nix32, or padded base64 told apart by
    /// length (SRI is always base64, padding optional).
    /// </summary>
    public static (NixHashAlgorithm Algorithm, byte[] Digest) Parse(string original, NixHashAlgorithm? expected)
    {
        var rest = original;
        var isSri = false;
        NixHashAlgorithm? parsed = null;
        var colon = rest.IndexOf(':');
        var prefixEnd = colon;
        if (colon < 0)
        {
            prefixEnd = rest.IndexOf('-');
            isSri = prefixEnd >= 0;
        }
        if (prefixEnd >= 0)
        {
            parsed = ParseAlgorithm(rest[..prefixEnd]);
            rest = rest[(prefixEnd + 1)..];
        }
        if (parsed == null && expected == null)
        {
            throw new NixHashException($"hash '{rest}' does not include a type, nor is the type otherwise known from context");
        }
        if (parsed != null && expected != null && parsed != expected)
        {
            throw new NixHashException($"hash '{original}' should have type '{Name(expected.Value)}'");
        }
        var algorithm = parsed ?? expected!.Value;
        return (algorithm, Decode(rest, algorithm, isSri));
    }

    private static byte[] Decode(string rest, NixHashAlgorithm algorithm, bool isSri)
    {
        var size = Size(algorithm);
        if (!isSri && rest.Length == size * 2)
        {
            try
            {
                return Convert.FromHexString(rest);
            }
            catch (FormatException)
            {
                throw new NixHashException($"invalid base-16 hash '{rest}'");
            }
        }
        if (!isSri && rest.Length == NixBase32.EncodedLength(size))
        {
            return NixBase32.TryDecode(rest, size, out var bytes) ? bytes : throw new NixHashException($"invalid base-32 hash '{rest}'");
        }
        if (isSri || rest.Length == (size + 2) / 3 * 4)
        {
            var decoded = DecodeBase64(rest);
            if (decoded.Length != size) throw new NixHashException($"invalid {(isSri ? "SRI" : "base-64")} hash '{rest}'");
            return decoded;
        }
        throw new NixHashException($"hash '{rest}' has wrong length for hash type '{Name(algorithm)}'");
    }

    /// <summary>Nix's lenient base64 decoder: stops at the first '=', rejects other stray characters.</summary>
    private static byte[] DecodeBase64(string s)
    {
        var result = new List<byte>(s.Length * 3 / 4);
        int bits = 0, acc = 0;
        foreach (var c in s)
        {
            if (c == '=') break;
            int v = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a' + 26,
                >= '0' and <= '9' => c - '0' + 52,
                '+' => 62,
                '/' => 63,
                _ => throw new NixHashException($"invalid character in Base64 string: '{c}'"),
            };
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                result.Add((byte)(acc >> bits));
                acc &= (1 << bits) - 1;
            }
        }
        return result.ToArray();
    }
}
