namespace Tvix.NixCompat;

/// <summary>The text encodings of a <see cref="NixHash"/>.</summary>
public enum NixHashEncoding
{
    /// <summary>Lower-case hexadecimal.</summary>
    Base16,
    /// <summary>Nix's base-32 (<see cref="NixBase32"/>).</summary>
    NixBase32,
    /// <summary>Standard base64 with padding.</summary>
    Base64,
    /// <summary>Subresource integrity: <c>algo-base64</c>.</summary>
    Sri,
}
