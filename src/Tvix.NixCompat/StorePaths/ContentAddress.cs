namespace Tvix.NixCompat;

/// <summary>How a content-addressed store object was hashed.</summary>
public enum ContentAddressMethod
{
    /// <summary><c>text:</c> — a text file (builtins.toFile, .drv), always SHA-256, may have references.</summary>
    Text,
    /// <summary><c>fixed:</c> — the flat contents of a single file.</summary>
    Flat,
    /// <summary><c>fixed:r:</c> — the NAR serialisation.</summary>
    Recursive,
}

/// <summary>
/// A content address as Nix prints it in path info and narinfo <c>CA</c> fields:
/// <c>text:sha256:HASH</c>, <c>fixed:ALGO:HASH</c> or <c>fixed:r:ALGO:HASH</c> (hash in nixbase32).
/// </summary>
public sealed class ContentAddress : IEquatable<ContentAddress>
{
    /// <summary>Creates a content address.</summary>
    public ContentAddress(ContentAddressMethod method, NixHash hash)
    {
        if (method == ContentAddressMethod.Text && hash.Algorithm != NixHashAlgorithm.Sha256)
            throw new ArgumentException("text content addresses use SHA-256", nameof(hash));
        Method = method;
        Hash = hash;
    }

    /// <summary>The method.</summary>
    public ContentAddressMethod Method { get; }

    /// <summary>The hash of the contents (flat) or of the NAR (recursive, text).</summary>
    public NixHash Hash { get; }

    /// <summary>Parses <c>text:sha256:…</c>, <c>fixed:ALGO:…</c> or <c>fixed:r:ALGO:…</c>.</summary>
    /// <exception cref="NixFormatException">Not a content address.</exception>
    public static ContentAddress Parse(string text)
    {
        if (text.StartsWith("text:", StringComparison.Ordinal))
        {
            var hash = NixHash.Parse(text[5..]);
            if (hash.Algorithm != NixHashAlgorithm.Sha256) throw new NixFormatException($"text content address '{text}' must use sha256");
            return new ContentAddress(ContentAddressMethod.Text, hash);
        }
        if (text.StartsWith("fixed:r:", StringComparison.Ordinal))
            return new ContentAddress(ContentAddressMethod.Recursive, NixHash.Parse(text[8..]));
        if (text.StartsWith("fixed:", StringComparison.Ordinal))
            return new ContentAddress(ContentAddressMethod.Flat, NixHash.Parse(text[6..]));
        throw new NixFormatException($"'{text}' is not a content address (expected 'text:' or 'fixed:')");
    }

    /// <summary>The Nix text form.</summary>
    public override string ToString() => Method switch
    {
        ContentAddressMethod.Text => "text:",
        ContentAddressMethod.Recursive => "fixed:r:",
        _ => "fixed:",
    } + Hash.ToString(NixHashEncoding.NixBase32, includeAlgorithm: true);

    /// <summary>The store path this content address gives an object named <paramref name="name"/>.</summary>
    public StorePath ComputeStorePath(string name, StoreDirectory store, IEnumerable<StorePath>? references = null, bool selfReference = false) =>
        Method == ContentAddressMethod.Text
            ? store.MakeTextPath(name, Hash.Digest, references ?? [])
            : store.MakeFixedOutputPath(name, Hash, Method == ContentAddressMethod.Recursive, references, selfReference);

    /// <inheritdoc />
    public bool Equals(ContentAddress? other) => other is not null && other.Method == Method && other.Hash.Equals(Hash);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ContentAddress);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Method, Hash);
}
