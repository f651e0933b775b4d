namespace Tvix.CAStore;

/// <summary>Data that breaks the castore rules: a bad name, digest, size, symlink target or ordering.</summary>
public sealed class CAStoreValidationException : Exception
{
    /// <summary>An exception with a message that says what is wrong and where.</summary>
    public CAStoreValidationException(string message) : base(message)
    {
    }

    /// <summary>An exception with a message and the error that caused it.</summary>
    public CAStoreValidationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
