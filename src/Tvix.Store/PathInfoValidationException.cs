namespace Tvix.Store;

/// <summary>A <see cref="PathInfo"/> (or its protobuf form) breaks a rule: the message says which and why.</summary>
public sealed class PathInfoValidationException : Exception
{
    /// <summary>Creates the exception with its explanation.</summary>
    public PathInfoValidationException(string message) : base(message) { }

    /// <summary>Creates the exception with its explanation and the error underneath.</summary>
    public PathInfoValidationException(string message, Exception innerException) : base(message, innerException) { }
}
