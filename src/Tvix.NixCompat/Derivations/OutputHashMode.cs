namespace Tvix.NixCompat.Derivations;

/// <summary>How a content-addressed output is hashed: the prefix of <c>hashAlgo</c> in an ATerm.</summary>
public enum OutputHashMode
{
    /// <summary>The file's contents (no prefix).</summary>
    Flat,
    /// <summary>The NAR serialisation (<c>r:</c>).</summary>
    Recursive,
    /// <summary>Text hashing (<c>text:</c>), used by newer Nix for derivations as outputs.</summary>
    Text,
}
