namespace Tvix.Store;

/// <summary>
/// A castore blob or directory that a node refers to is not stored: the tree cannot be rendered,
/// and a <see cref="PathInfo"/> naming it is refused.
/// </summary>
public sealed class MissingContentException : IOException
{
    /// <summary>Creates the exception with its explanation.</summary>
    public MissingContentException(string message) : base(message) { }
}
