using Tvix.Hashing;

namespace Tvix.Eval.Support.Hashing;

/// <summary>
/// A hash algorithm the builtins accept: one of the four the evaluator implements with the
/// BCL, or one a host supplied as an <see cref="ExtraHashAlgorithm"/>. Instances are compared
/// by reference (one per name per evaluator).
/// </summary>
internal sealed class NixHashAlgorithm
{
    public static readonly NixHashAlgorithm Md5 = new("md5", 16, null);
    public static readonly NixHashAlgorithm Sha1 = new("sha1", 20, null);
    public static readonly NixHashAlgorithm Sha256 = new("sha256", 32, null);
    public static readonly NixHashAlgorithm Sha512 = new("sha512", 64, null);

    private readonly HashFunction? _extra;

    private NixHashAlgorithm(string name, int size, HashFunction? extra)
    {
        Name = name;
        Size = size;
        _extra = extra;
    }

    public static NixHashAlgorithm FromExtra(ExtraHashAlgorithm extra) => new(extra.Name, extra.DigestSize, extra.Hash);

    public string Name { get; }

    public int Size { get; }

    public byte[] Compute(ReadOnlySpan<byte> data)
    {
        var digest = new byte[Size];
        if (_extra != null) _extra(data, digest);
        else NativeDigest.HashData(this == Md5 ? DigestKind.Md5 : this == Sha1 ? DigestKind.Sha1 : this == Sha256 ? DigestKind.Sha256 : DigestKind.Sha512, data, digest);
        return digest;
    }

    public override string ToString() => Name;
}

/// <summary>
/// The hash algorithms one evaluator accepts by name: the built-in four, plus the host's extra
/// ones. <c>blake3</c> follows Nix: refused unless the <c>blake3-hashes</c> experimental feature
/// is on, and then available only when the host supplied an implementation.
/// </summary>
internal sealed class NixHashAlgorithms
{
    /// <summary>The built-in algorithms only, with <c>blake3-hashes</c> off.</summary>
    public static readonly NixHashAlgorithms BuiltIn = new([], blake3Enabled: false);

    private readonly Dictionary<string, NixHashAlgorithm> _extra = new(StringComparer.Ordinal);
    private readonly bool _blake3Enabled;

    public NixHashAlgorithms(IEnumerable<ExtraHashAlgorithm> extra, bool blake3Enabled)
    {
        foreach (var e in extra) _extra[e.Name] = NixHashAlgorithm.FromExtra(e);
        _blake3Enabled = blake3Enabled;
    }

    /// <summary>Parses an algorithm name (lower case only, as Nix).</summary>
    /// <exception cref="NixHashException">Unknown name, blake3 without its feature, or an algorithm without an implementation.</exception>
    public NixHashAlgorithm Parse(string name)
    {
        switch (name)
        {
            case "md5": return NixHashAlgorithm.Md5;
            case "sha1": return NixHashAlgorithm.Sha1;
            case "sha256": return NixHashAlgorithm.Sha256;
            case "sha512": return NixHashAlgorithm.Sha512;
            case "blake3":
                if (!_blake3Enabled)
                    throw new NixHashException("experimental Nix feature 'blake3-hashes' is disabled; add '--extra-experimental-features blake3-hashes' to enable it");
                return _extra.TryGetValue(name, out var blake3) ? blake3
                    : throw new NixHashException("hash algorithm 'blake3' is not available: this evaluator has no BLAKE3 implementation " +
                        "(evaluate through Tvix.Glue, which supplies one, or add one to EvaluatorOptions.ExtraHashAlgorithms)");
        }
        return _extra.TryGetValue(name, out var extra) ? extra
            : throw new NixHashException($"unknown hash algorithm '{name}', expect 'blake3', 'md5', 'sha1', 'sha256', or 'sha512'");
    }

    /// <summary>
    /// Parses a hash in any spelling Nix accepts: <c>algo:</c> prefix or SRI <c>algo-</c> prefix, or
    /// bare with the algorithm given; base16 (any case), nix32, or padded base64 told apart by
    /// length (SRI is always base64, padding optional).
    /// </summary>
    public (NixHashAlgorithm Algorithm, byte[] Digest) ParseHash(string original, NixHashAlgorithm? expected)
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
            parsed = Parse(rest[..prefixEnd]);
            rest = rest[(prefixEnd + 1)..];
        }
        if (parsed == null && expected == null)
        {
            throw new NixHashException($"hash '{rest}' does not include a type, nor is the type otherwise known from context");
        }
        if (parsed != null && expected != null && parsed != expected)
        {
            throw new NixHashException($"hash '{original}' should have type '{expected.Name}'");
        }
        var algorithm = parsed ?? expected!;
        return (algorithm, NixHash.Decode(rest, algorithm, isSri));
    }
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
/// Parsing and printing of digests for <c>hashString</c>, <c>hashFile</c> and
/// <c>convertHash</c>, with C++ Nix's rules for which spellings are accepted.
/// </summary>
internal static class NixHash
{
    /// <summary>Parses a built-in algorithm name (see <see cref="NixHashAlgorithms.Parse"/>).</summary>
    public static NixHashAlgorithm ParseAlgorithm(string name) => NixHashAlgorithms.BuiltIn.Parse(name);

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

    public static string Format(NixHashAlgorithm algorithm, ReadOnlySpan<byte> digest, NixHashFormat format) => format switch
    {
        NixHashFormat.Base16 => Convert.ToHexStringLower(digest),
        NixHashFormat.Nix32 => NixBase32.Encode(digest),
        NixHashFormat.Base64 => Convert.ToBase64String(digest),
        _ => algorithm.Name + "-" + Convert.ToBase64String(digest),
    };

    /// <summary>Parses a hash with the built-in algorithms (see <see cref="NixHashAlgorithms.ParseHash"/>).</summary>
    public static (NixHashAlgorithm Algorithm, byte[] Digest) Parse(string original, NixHashAlgorithm? expected) =>
        NixHashAlgorithms.BuiltIn.ParseHash(original, expected);

    internal static byte[] Decode(string rest, NixHashAlgorithm algorithm, bool isSri)
    {
        var size = algorithm.Size;
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
        throw new NixHashException($"hash '{rest}' has wrong length for hash type '{algorithm.Name}'");
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
