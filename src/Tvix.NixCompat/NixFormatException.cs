namespace Tvix.NixCompat;

/// <summary>
/// Thrown when bytes or text do not follow one of Nix's formats (a hash, a store path, an ATerm,
/// a NAR, a narinfo). The message names what was wrong, in the words C++ Nix uses where it has them.
/// </summary>
public sealed class NixFormatException : FormatException
{
    /// <summary>Creates the exception with a message naming the problem.</summary>
    public NixFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public NixFormatException(string message, Exception innerException) : base(message, innerException) { }
}
