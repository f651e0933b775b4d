namespace Tvix.Eval;

/// <summary>An <see cref="IEvalIO"/> that refuses every access to the outside world with a clear error.</summary>
public sealed class PureEvalIO : IEvalIO
{
    /// <inheritdoc />
    public bool PathExists(string path) => throw Denied($"access path '{path}'");

    /// <inheritdoc />
    public byte[] ReadFile(string path) => throw Denied($"read file '{path}'");

    /// <inheritdoc />
    public IReadOnlyList<(string Name, EvalFileType Type)> ReadDir(string path) => throw Denied($"read directory '{path}'");

    /// <inheritdoc />
    public EvalFileType ReadFileType(string path) => throw Denied($"access path '{path}'");

    /// <inheritdoc />
    public string ResolveImport(string path) => throw Denied($"import '{path}'");

    /// <inheritdoc />
    public string? GetEnv(string name) => null;

    /// <inheritdoc />
    public DateTimeOffset CurrentTime => throw Denied("read the current time");

    private static NixEvalException Denied(string what) => new($"cannot {what}: I/O is disabled in this evaluator (pure mode)");
}
