namespace Tvix.Eval;

/// <summary>Computes a digest of <paramref name="data"/> into <paramref name="digest"/>, whose length is the algorithm's digest size.</summary>
public delegate void HashFunction(ReadOnlySpan<byte> data, Span<byte> digest);

/// <summary>
/// A hash algorithm that <c>builtins.hashString</c>, <c>hashFile</c> and <c>convertHash</c>
/// accept in addition to the ones the evaluator implements itself (md5, sha1, sha256, sha512).
/// The evaluator has no BLAKE3 of its own (it lives in Tvix.CAStore, which the evaluator must
/// not depend on): Tvix.Glue adds <c>blake3</c> through <see cref="EvaluatorOptions.ExtraHashAlgorithms"/>.
/// As in Nix, <c>blake3</c> is still refused unless the <c>blake3-hashes</c> experimental
/// feature is on.
/// </summary>
public sealed class ExtraHashAlgorithm
{
    /// <summary>Creates an algorithm.</summary>
    /// <param name="name">Its name in Nix (lower case, e.g. <c>blake3</c>); not one the evaluator implements itself.</param>
    /// <param name="digestSize">Length of a digest in bytes (1 to 64, as Nix's hashes are at most 64 bytes).</param>
    /// <param name="hash">The hash function.</param>
    public ExtraHashAlgorithm(string name, int digestSize, HashFunction hash)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(hash);
        if (name is "md5" or "sha1" or "sha256" or "sha512") throw new ArgumentException($"'{name}' is implemented by the evaluator itself", nameof(name));
        // A name with ':' or '-' could not be told apart from the rest of "algo:digest" or SRI "algo-digest".
        if (HasSeparator(name)) throw new ArgumentException($"'{name}' contains ':' or '-'", nameof(name));
        ArgumentOutOfRangeException.ThrowIfLessThan(digestSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digestSize, 64);
        Name = name;
        DigestSize = digestSize;
        Hash = hash;
    }

    /// <summary>
    /// A plain loop, not <c>IndexOfAny</c>: Tvix.Glue creates one of these at every start-up, and
    /// the first call of the runtime's vectorised search costs about 1.5 ms (type loading).
    /// </summary>
    private static bool HasSeparator(string name)
    {
        foreach (var c in name)
            if (c is ':' or '-') return true;
        return false;
    }

    /// <summary>The algorithm's name in Nix.</summary>
    public string Name { get; }

    /// <summary>Length of a digest in bytes.</summary>
    public int DigestSize { get; }

    /// <summary>The hash function.</summary>
    public HashFunction Hash { get; }
}
