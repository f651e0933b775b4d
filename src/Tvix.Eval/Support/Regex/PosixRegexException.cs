namespace Tvix.Eval.Support.Regex;

/// <summary>A pattern is not a valid POSIX extended regular expression; the message is Nix's.</summary>
internal sealed class PosixRegexException : Exception
{
    public PosixRegexException(string pattern)
        : base($"invalid regular expression '{pattern}'")
    {
        Pattern = pattern;
    }

    public PosixRegexException(string pattern, string message)
        : base(message)
    {
        Pattern = pattern;
    }

    /// <summary>The pattern as given (Latin-1 decoded bytes).</summary>
    public string Pattern { get; }
}
