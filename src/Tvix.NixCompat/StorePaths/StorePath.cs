namespace Tvix.NixCompat;

/// <summary>
/// A store path without its store directory: a 20-byte digest (printed as 32 nixbase32
/// characters) and a name, as in <c>00bgd045z0d4icpbc2yyz4gx48ak44la-net-tools-1.60_p20170221182432</c>.
/// Ordered and compared by that base name, which is how Nix sorts store paths.
/// </summary>
public sealed class StorePath : IEquatable<StorePath>, IComparable<StorePath>
{
    /// <summary>Size of the digest in bytes.</summary>
    public const int DigestLength = 20;

    /// <summary>Length of the digest in nixbase32 characters.</summary>
    public const int HashPartLength = 32;

    /// <summary>Longest name Nix allows.</summary>
    public const int MaxNameLength = 211;

    // Inside the object rather than an array of its own: one object less per path, and a
    // derivation-heavy evaluation keeps two or three paths per derivation alive.
    private readonly DigestBytes _digest;

    [System.Runtime.CompilerServices.InlineArray(DigestLength)]
    private struct DigestBytes
    {
        private byte _first;
    }

    private StorePath(ReadOnlySpan<byte> digest, string? name, string baseName)
    {
        digest.CopyTo(_digest);
        _name = name;
        BaseName = baseName;
    }

    // The name after the dash; null until asked for when the path was made without it as a
    // string (a derivation's `.drv` path: its name is read far less often than its base name).
    private string? _name;

    /// <summary>Creates a store path from its digest and name.</summary>
    /// <exception cref="NixFormatException">The name is not a valid store path name.</exception>
    public StorePath(ReadOnlySpan<byte> digest, string name)
    {
        if (digest.Length != DigestLength) throw new ArgumentException("a store path digest has 20 bytes", nameof(digest));
        var error = ValidateName(name);
        if (error != null) throw new NixFormatException($"store path name '{name}' {error}");
        digest.CopyTo(_digest);
        _name = name;
        BaseName = NixBase32.Encode(digest) + "-" + name;
    }

    /// <summary>
    /// A store path whose name the caller has already validated (store path computation checks
    /// it before hashing is done): the base name is built in one allocation.
    /// </summary>
    /// <remarks>
    /// <paramref name="nameString"/> is <paramref name="name"/> as a string to share, or null to make
    /// it from the base name when first asked for.
    /// </remarks>
    internal static StorePath FromValidatedName(ReadOnlySpan<byte> digest, ReadOnlySpan<char> name, string? nameString)
    {
        // Built on the stack and copied once: string.Create with a tuple state would be one more
        // generic instantiation to JIT in every process.
        var length = HashPartLength + 1 + name.Length;
        Span<char> chars = length <= 512 ? stackalloc char[length] : new char[length];
        NixBase32.Encode(digest, chars[..HashPartLength]);
        chars[HashPartLength] = '-';
        name.CopyTo(chars[(HashPartLength + 1)..]);
        return new StorePath(digest, nameString, new string(chars));
    }

    /// <summary>The 20-byte digest.</summary>
    public ReadOnlySpan<byte> Digest => _digest;

    /// <summary>The name after the dash.</summary>
    public string Name => _name ??= BaseName[(HashPartLength + 1)..];

    /// <summary>The digest as 32 nixbase32 characters.</summary>
    public string HashPart => BaseName[..HashPartLength];

    /// <summary><c>hash-name</c>, the last component of the absolute path.</summary>
    public string BaseName { get; }

    /// <summary>
    /// Parses a base name <c>hash-name</c>. Stricter than Nix 2.8 in three corners that no
    /// real path uses: the separator must be <c>-</c>, the hash exactly 32 characters, and the
    /// names <c>.</c> and <c>..</c> are refused (names starting with a dot are allowed, as 2.8 does).
    /// </summary>
    /// <exception cref="NixFormatException">Not a valid store path base name; the message is Nix's.</exception>
    public static StorePath ParseBaseName(string baseName)
    {
        var error = ParseCore(baseName, out var path);
        return error == null ? path! : throw new NixFormatException(error);
    }

    /// <summary>Like <see cref="ParseBaseName"/>, returning false instead of throwing.</summary>
    public static bool TryParseBaseName(string baseName, out StorePath? path) => ParseCore(baseName, out path) == null;

    private static string? ParseCore(string baseName, out StorePath? path)
    {
        path = null;
        if (baseName.Length < HashPartLength + 1) return $"'{baseName}' is too short to be a valid store path";
        for (var i = 0; i < HashPartLength; i++)
        {
            if (!NixBase32.IsDigit(baseName[i])) return $"store path '{baseName}' contains illegal base-32 character '{baseName[i]}'";
        }
        if (baseName[HashPartLength] != '-') return $"store path '{baseName}' has no '-' after its hash";
        var name = baseName[(HashPartLength + 1)..];
        var error = ValidateName(name);
        if (error != null) return $"store path '{baseName}' {error}";
        Span<byte> digest = stackalloc byte[DigestLength];
        NixBase32.TryDecode(baseName.AsSpan(0, HashPartLength), digest);
        path = new StorePath(digest, name, baseName);
        return null;
    }

    /// <summary>
    /// Checks a store path name: 1 to 211 characters from <c>A-Z a-z 0-9 + - . _ ? =</c>, and not
    /// <c>.</c> or <c>..</c>. Returns null when valid, otherwise the reason (completing "store path 'x' ...").
    /// </summary>
    public static string? ValidateName(ReadOnlySpan<char> name)
    {
        if (name.Length == 0) return "has an empty name";
        if (name.Length > MaxNameLength) return "has a name longer than 211 characters";
        foreach (var c in name)
        {
            // Nix reports the first byte of a multi-byte character, which prints as U+FFFD.
            if (!IsNameChar(c)) return $"contains illegal character '{(c < 128 ? c : '\uFFFD')}'";
        }
        if (name is "." or "..") return "has the name '.' or '..'";
        return null;
    }

    /// <summary>True for the characters allowed in a store path name.</summary>
    public static bool IsNameChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '+' or '-' or '.' or '_' or '?' or '=';

    /// <summary>The base name.</summary>
    public override string ToString() => BaseName;

    /// <inheritdoc />
    public bool Equals(StorePath? other) => other is not null && string.Equals(BaseName, other.BaseName, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as StorePath);

    /// <inheritdoc />
    // The digest is a hash already; two paths with one digest and different names do not occur
    // in practice, and Equals still compares the whole base name.
    public override int GetHashCode() => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(_digest);

    /// <inheritdoc />
    public int CompareTo(StorePath? other) => other is null ? 1 : string.CompareOrdinal(BaseName, other.BaseName);
}
