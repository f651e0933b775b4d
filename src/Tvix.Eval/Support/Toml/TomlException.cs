namespace Tvix.Eval.Support.Toml;

/// <summary>A TOML document was rejected; <see cref="Exception.Message"/> names the line and column.</summary>
internal sealed class TomlException : Exception
{
    public TomlException(string reason, int line, int column)
        : base($"{reason} (at line {line}, column {column})")
    {
        Reason = reason;
        Line = line;
        Column = column;
    }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>1-based line of the offending character.</summary>
    public int Line { get; }

    /// <summary>1-based column (in UTF-16 code units) of the offending character.</summary>
    public int Column { get; }
}
