namespace Tvix.Eval.Serialization;

/// <summary>How C# member names map to Nix attribute names when no <see cref="NixNameAttribute"/> is given.</summary>
public enum NixNamingPolicy
{
    /// <summary><c>ListenPort</c> → <c>listenPort</c> (the usual Nix style; the default).</summary>
    CamelCase,
    /// <summary>The member name as written.</summary>
    Exact,
    /// <summary><c>ListenPort</c> → <c>listen-port</c>.</summary>
    KebabCase,
    /// <summary><c>ListenPort</c> → <c>listen_port</c>.</summary>
    SnakeCase,
}

/// <summary>Options for <see cref="NixSerializer"/>.</summary>
public sealed class NixSerializerOptions
{
    /// <summary>Options of the evaluator created for <see cref="NixSerializer.Deserialize{T}(string, NixSerializerOptions?)"/>; null for the defaults (pure file access is not enforced).</summary>
    public EvaluatorOptions? EvaluatorOptions { get; init; }

    /// <summary>How member names become attribute names; <see cref="NixNamingPolicy.CamelCase"/> by default.</summary>
    public NixNamingPolicy NamingPolicy { get; init; } = NixNamingPolicy.CamelCase;

    /// <summary>Whether an attribute that no member consumes is an error (default: ignored, as in most config loaders).</summary>
    public bool RejectUnknownAttributes { get; init; }

    /// <summary>Directory that relative paths in an expression string resolve against (default: the current directory).</summary>
    public string? BaseDirectory { get; init; }
}

/// <summary>Names the Nix attribute a property, field or constructor parameter is read from.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class NixNameAttribute(string name) : Attribute
{
    /// <summary>The attribute name.</summary>
    public string Name { get; } = name;
}

/// <summary>
/// A Nix value could not be turned into the requested C# type, or the expression failed to
/// evaluate. <see cref="AttributePath"/> says where (e.g. <c>server.hosts[2].port</c>).
/// </summary>
public sealed class NixDeserializationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NixDeserializationException(string attributePath, string message, Exception? inner = null)
        : base(attributePath.Length == 0 ? message : $"{attributePath}: {message}", inner)
    {
        AttributePath = attributePath;
    }

    /// <summary>Where in the value the failure happened; empty for the top level.</summary>
    public string AttributePath { get; }
}
