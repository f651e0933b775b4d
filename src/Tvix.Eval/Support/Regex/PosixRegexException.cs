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

    /// <summary>libstdc++'s error_space: the pattern needs too large an automaton.</summary>
    public static PosixRegexException TooLarge(string pattern) =>
        new(pattern, $"memory limit exceeded by regular expression '{pattern}'") { IsTooLarge = true };

    /// <summary>Whether this is the "memory limit exceeded" error rather than a syntax error.</summary>
    public bool IsTooLarge { get; private init; }

    /// <summary>The pattern as given (Latin-1 decoded bytes).</summary>
    public string Pattern { get; }
}
