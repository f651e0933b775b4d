using System.Buffers;

namespace Tvix.NixCompat;

/// <summary>
/// A store directory (<c>/nix/store</c> or another): prints and parses absolute store paths and
/// computes the paths of content-addressed objects exactly as C++ Nix does. Every path is
/// <c>nixbase32(compress20(sha256("TYPE:sha256:HEX:STOREDIR:NAME")))-NAME</c>.
/// </summary>
public sealed class StoreDirectory
{
    /// <summary>The usual <c>/nix/store</c>.</summary>
    public static StoreDirectory Default { get; } = new("/nix/store");

    /// <summary>Creates a store directory from an absolute path (a trailing slash is dropped).</summary>
    public StoreDirectory(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path[0] != '/') throw new ArgumentException("the store directory must be an absolute path", nameof(path));
        Path = path.Length > 1 ? path.TrimEnd('/') : path;
        _pathUtf8 = System.Text.Encoding.UTF8.GetBytes(Path);
        IsPlainAscii = true;
        foreach (var c in Path) IsPlainAscii &= c is >= ' ' and < (char)127 and not '"' and not '\\';
    }

    /// <summary><see cref="Path"/> as UTF-8, as fingerprints contain it.</summary>
    private readonly byte[] _pathUtf8;

    /// <summary>True when the directory is printable ASCII needing no escapes (the fast path of writers).</summary>
    internal bool IsPlainAscii { get; }

    /// <summary>The absolute directory, without a trailing slash.</summary>
    public string Path { get; }

    /// <summary>The absolute path of a store path in this directory.</summary>
    public string Print(StorePath path) => Path + "/" + path.BaseName;

    /// <summary>Parses an absolute store path directly inside this directory (not a path below one).</summary>
    /// <exception cref="NixFormatException">Not a store path in this directory.</exception>
    public StorePath ParsePath(string absolutePath)
    {
        if (!absolutePath.StartsWith(Path, StringComparison.Ordinal) || absolutePath.Length <= Path.Length + 1 || absolutePath[Path.Length] != '/')
            throw new NixFormatException($"path '{absolutePath}' is not in the Nix store");
        var baseName = absolutePath[(Path.Length + 1)..];
        if (baseName.Contains('/')) throw new NixFormatException($"path '{absolutePath}' is not a store path but a path below one");
        return StorePath.ParseBaseName(baseName);
    }

    /// <summary>Like <see cref="ParsePath"/>, returning false instead of throwing.</summary>
    public bool TryParsePath(string absolutePath, out StorePath? path)
    {
        path = null;
        if (!absolutePath.StartsWith(Path, StringComparison.Ordinal) || absolutePath.Length <= Path.Length + 1 || absolutePath[Path.Length] != '/')
            return false;
        var baseName = absolutePath[(Path.Length + 1)..];
        return !baseName.Contains('/') && StorePath.TryParseBaseName(baseName, out path);
    }

    /// <summary>
    /// The general rule: hashes <c>TYPE:sha256:HEX:STOREDIR:NAME</c> (HEX = <paramref name="sha256"/>
    /// in base16), folds the SHA-256 to 20 bytes by XOR and names the path.
    /// </summary>
    public StorePath MakeStorePath(string type, ReadOnlySpan<byte> sha256, string name) =>
        MakePath(default, type, default, sha256, name, name);

    /// <summary>
    /// The path of a text file (a <c>.drv</c>) whose references are already sorted and distinct:
    /// the fingerprint is written directly, without the intermediate type string.
    /// </summary>
    internal StorePath MakeTextPathSorted(string name, ReadOnlySpan<byte> contentSha256, ReadOnlySpan<StorePath> sortedReferences) =>
        MakePath("text"u8, null, sortedReferences, contentSha256, name, name);

    /// <summary>
    /// <see cref="MakeTextPathSorted(string, ReadOnlySpan{byte}, ReadOnlySpan{StorePath})"/> for the
    /// name <paramref name="name"/> + <paramref name="suffix"/> (a derivation's <c>.drv</c>), without
    /// making that name as a string of its own.
    /// </summary>
    internal StorePath MakeTextPathSorted(string name, string suffix, ReadOnlySpan<byte> contentSha256, ReadOnlySpan<StorePath> sortedReferences)
    {
        var length = name.Length + suffix.Length;
        Span<char> joined = length <= 512 ? stackalloc char[length] : new char[length];
        name.CopyTo(joined);
        suffix.CopyTo(joined[name.Length..]);
        return MakePath("text"u8, null, sortedReferences, contentSha256, joined, null);
    }

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    /// <summary>Fingerprints up to this size are built on the stack.</summary>
    private const int StackFingerprint = 1024;

    /// <summary>
    /// Hashes the fingerprint <c>TYPE:sha256:HEX:STOREDIR:NAME</c>, where TYPE is
    /// <paramref name="typeHead"/>, <paramref name="typeTail"/> and <c>:STOREDIR/REF</c> for each
    /// reference, folds the hash and names the path. The fingerprint is written into one buffer
    /// of its exact size (on the stack when it is short), not grown through a builder.
    /// </summary>
    /// <remarks><paramref name="nameString"/> is <paramref name="name"/> as a string when the caller has one (the path shares it), else null.</remarks>
    private StorePath MakePath(ReadOnlySpan<byte> typeHead, string? typeTail, ReadOnlySpan<StorePath> references, ReadOnlySpan<byte> sha256,
        ReadOnlySpan<char> name, string? nameString)
    {
        if (sha256.Length != 32) throw new ArgumentException("a SHA-256 digest has 32 bytes", nameof(sha256));
        var utf8 = System.Text.Encoding.UTF8;
        var directory = _pathUtf8;
        var length = typeHead.Length + (typeTail is null ? 0 : utf8.GetByteCount(typeTail))
            + ":sha256:".Length + 64 + 1 + directory.Length + 1 + utf8.GetByteCount(name);
        foreach (var reference in references) length += 1 + directory.Length + 1 + utf8.GetByteCount(reference.BaseName);
        byte[]? rented = null;
        var buffer = length <= StackFingerprint ? stackalloc byte[StackFingerprint] : (rented = ArrayPool<byte>.Shared.Rent(length));
        var at = 0;
        typeHead.CopyTo(buffer);
        at += typeHead.Length;
        if (typeTail is not null) at += utf8.GetBytes(typeTail, buffer[at..]);
        foreach (var reference in references)
        {
            buffer[at++] = (byte)':';
            directory.AsSpan().CopyTo(buffer[at..]);
            at += directory.Length;
            buffer[at++] = (byte)'/';
            at += utf8.GetBytes(reference.BaseName, buffer[at..]);
        }
        ":sha256:"u8.CopyTo(buffer[at..]);
        at += 8;
        // By hand: Convert's vectorised hex encoder is JIT-compiled in every process that uses it.
        for (var i = 0; i < 32; i++)
        {
            buffer[at++] = HexDigits[sha256[i] >> 4];
            buffer[at++] = HexDigits[sha256[i] & 15];
        }
        buffer[at++] = (byte)':';
        directory.AsSpan().CopyTo(buffer[at..]);
        at += directory.Length;
        buffer[at++] = (byte)':';
        at += utf8.GetBytes(name, buffer[at..]);
        Span<byte> hash = stackalloc byte[32];
        Sha256Digest.HashData(buffer[..at], hash);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        Span<byte> folded = stackalloc byte[StorePath.DigestLength];
        folded.Clear();
        for (var i = 0; i < hash.Length; i++) folded[i % StorePath.DigestLength] ^= hash[i];
        // Like Nix, the name is checked on the finished path, so the message shows its hash.
        var error = StorePath.ValidateName(name);
        if (error != null) throw new NixFormatException($"store path '{NixBase32.Encode(folded)}-{name}' {error}");
        return StorePath.FromValidatedName(folded, name, nameString);
    }

    /// <summary>
    /// Writes the printed path (<see cref="Print"/>) as bytes; only for a store directory that is
    /// <see cref="IsPlainAscii"/>. <paramref name="destination"/> must hold
    /// <c>Path.Length + 1 + BaseName.Length</c> bytes. Returns the count written.
    /// </summary>
    internal int WritePrinted(StorePath path, Span<byte> destination)
    {
        // Plain ASCII: UTF-8 gives the same bytes, through code every process has precompiled
        // (Latin-1's narrowing helpers are JIT-compiled on first use).
        var i = System.Text.Encoding.UTF8.GetBytes(Path, destination);
        destination[i++] = (byte)'/';
        return i + System.Text.Encoding.UTF8.GetBytes(path.BaseName, destination[i..]);
    }

    /// <summary>The printed path (<see cref="Print"/>) as UTF-8 bytes, without the intermediate string.</summary>
    internal byte[] PrintUtf8(StorePath path)
    {
        if (!IsPlainAscii) return System.Text.Encoding.UTF8.GetBytes(Print(path));
        var bytes = new byte[Path.Length + 1 + path.BaseName.Length];
        WritePrinted(path, bytes);
        return bytes;
    }

    /// <summary>
    /// The path of a text file written by <c>builtins.toFile</c> or of a <c>.drv</c>: type
    /// <c>text:REF1:REF2…</c> (references sorted), hash = SHA-256 of the contents.
    /// </summary>
    public StorePath MakeTextPath(string name, ReadOnlySpan<byte> contentSha256, IEnumerable<StorePath> references) =>
        MakeStorePath(MakeType("text", references, selfReference: false), contentSha256, name);

    /// <summary>The path of a text file from its contents (see <see cref="MakeTextPath(string, ReadOnlySpan{byte}, IEnumerable{StorePath})"/>).</summary>
    public StorePath MakeTextPathFromContents(string name, ReadOnlySpan<byte> contents, IEnumerable<StorePath> references)
    {
        Span<byte> hash = stackalloc byte[32];
        Sha256Digest.HashData(contents, hash);
        return MakeTextPath(name, hash, references);
    }

    /// <summary>
    /// The path of a fixed-output object: recursive SHA-256 is a "source" path (which may have
    /// references); every other combination hashes <c>fixed:out:[r:]ALGO:HEX:</c> into an
    /// <c>output:out</c> path and may not have references.
    /// </summary>
    public StorePath MakeFixedOutputPath(string name, NixHash hash, bool recursive, IEnumerable<StorePath>? references = null, bool selfReference = false)
    {
        if (recursive && hash.Algorithm == NixHashAlgorithm.Sha256)
            return MakeStorePath(MakeType("source", references ?? [], selfReference), hash.Digest, name);
        if (selfReference || (references != null && HasAny(references)))
            throw new ArgumentException("only recursive SHA-256 fixed-output paths may have references", nameof(references));
        using var inner = new ByteBuilder(256);
        inner.Append(recursive ? "fixed:out:r:"u8 : "fixed:out:"u8);
        inner.Append(hash.Algorithm.Name());
        inner.Append((byte)':');
        inner.AppendHexLower(hash.Digest);
        inner.Append((byte)':');
        Span<byte> innerHash = stackalloc byte[32];
        Sha256Digest.HashData(inner.WrittenSpan, innerHash);
        return MakeStorePath("output:out", innerHash, name);
    }

    /// <summary>The path of a source added to the store (a path import): recursive SHA-256 of its NAR.</summary>
    public StorePath MakeSourcePath(string name, ReadOnlySpan<byte> narSha256, IEnumerable<StorePath>? references = null, bool selfReference = false) =>
        MakeStorePath(MakeType("source", references ?? [], selfReference), narSha256, name);

    /// <summary>
    /// The path of output <paramref name="outputName"/> of an input-addressed derivation named
    /// <paramref name="derivationName"/>, from the hash of its masked ATerm. The path name is the
    /// derivation name, with <c>-OUTPUT</c> appended unless the output is <c>out</c>.
    /// </summary>
    public StorePath MakeOutputPath(string derivationName, string outputName, ReadOnlySpan<byte> maskedSha256)
    {
        if (outputName == "out") return MakePath("output:"u8, outputName, default, maskedSha256, derivationName, derivationName);
        // `name-output`, on the stack: the path's base name is the only string made of it.
        var length = derivationName.Length + 1 + outputName.Length;
        Span<char> joined = length <= 512 ? stackalloc char[length] : new char[length];
        derivationName.CopyTo(joined);
        joined[derivationName.Length] = '-';
        outputName.CopyTo(joined[(derivationName.Length + 1)..]);
        return MakePath("output:"u8, outputName, default, maskedSha256, joined, null);
    }

    /// <summary><c>name</c> for the output <c>out</c>, otherwise <c>name-output</c>.</summary>
    public static string OutputPathName(string derivationName, string outputName) =>
        outputName == "out" ? derivationName : derivationName + "-" + outputName;

    // A loop rather than LINQ's Any: every path import comes here, and LINQ would load
    // System.Linq.dll (half a megabyte of resident image) for this one call.
    private static bool HasAny(IEnumerable<StorePath> items)
    {
        foreach (var _ in items) return true;
        return false;
    }

    private string MakeType(string type, IEnumerable<StorePath> references, bool selfReference)
    {
        var sorted = new List<StorePath>(references);
        if (sorted.Count == 0 && !selfReference) return type;
        sorted.Sort();
        var builder = new System.Text.StringBuilder(type);
        StorePath? previous = null;
        foreach (var reference in sorted)
        {
            if (reference.Equals(previous)) continue;
            builder.Append(':').Append(Path).Append('/').Append(reference.BaseName);
            previous = reference;
        }
        if (selfReference) builder.Append(":self");
        return builder.ToString();
    }
}
