namespace Tvix.Store;

/// <summary>
/// One signature of a path, as a <c>Sig:</c> line of a <c>.narinfo</c> holds it: the signing key's
/// name and the raw signature bytes (64 for Ed25519).
/// </summary>
public sealed class PathSignature : IEquatable<PathSignature>
{
    private readonly byte[] _data;

    /// <summary>Creates a signature by the key named <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty or contains ':'.</exception>
    public PathSignature(string name, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || name.Contains(':')) throw new ArgumentException($"signature key name '{name}' must be non-empty and without ':'", nameof(name));
        Name = name;
        _data = data.ToArray();
    }

    /// <summary>The signing key's name, e.g. <c>cache.nixos.org-1</c>.</summary>
    public string Name { get; }

    /// <summary>The signature bytes.</summary>
    public ReadOnlyMemory<byte> Data => _data;

    /// <summary>Parses <c>name:base64</c>, the form of <c>.narinfo</c> files and <c>nix path-info --json</c>.</summary>
    /// <exception cref="FormatException">The text has no ':' or the part after it is not base64.</exception>
    public static PathSignature Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':');
        if (colon <= 0) throw new FormatException($"signature '{text}' is not of the form name:base64");
        return new PathSignature(text[..colon], Convert.FromBase64String(text[(colon + 1)..]));
    }

    /// <summary>The <c>name:base64</c> form.</summary>
    public override string ToString() => Name + ":" + Convert.ToBase64String(_data);

    /// <inheritdoc />
    public bool Equals(PathSignature? other) => other is not null && other.Name == Name && other._data.AsSpan().SequenceEqual(_data);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PathSignature);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, _data.Length);
}
