namespace Tvix.Eval;

/// <summary>
/// An <see cref="IEvalIO"/> over an in-memory tree of files, for tests and for hosts that
/// evaluate code they supply themselves. Directories are implied by the files under them.
/// </summary>
public sealed class InMemoryEvalIO : IEvalIO
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirs = new(StringComparer.Ordinal) { "/" };
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal);

    /// <summary>Adds (or replaces) a file; its parent directories come into existence.</summary>
    public InMemoryEvalIO AddFile(string path, byte[] contents)
    {
        path = NixPath.Canonicalize(path);
        _files[path] = contents;
        for (var dir = NixPath.DirOf(path); _dirs.Add(dir) && dir != "/"; dir = NixPath.DirOf(dir)) { }
        return this;
    }

    /// <summary>Adds a UTF-8 text file.</summary>
    public InMemoryEvalIO AddFile(string path, string text) => AddFile(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Sets an environment variable seen by <c>builtins.getEnv</c>.</summary>
    public InMemoryEvalIO SetEnv(string name, string value)
    {
        _env[name] = value;
        return this;
    }

    /// <summary>The time <c>builtins.currentTime</c> reports (default: the Unix epoch).</summary>
    public DateTimeOffset CurrentTime { get; set; } = DateTimeOffset.UnixEpoch;

    /// <inheritdoc />
    public bool PathExists(string path) => _files.ContainsKey(path) || _dirs.Contains(path);

    /// <inheritdoc />
    public byte[] ReadFile(string path)
    {
        if (_files.TryGetValue(path, out var bytes)) return bytes;
        if (_dirs.Contains(path)) throw new NixEvalException($"reading file '{path}': Is a directory");
        throw new NixEvalException($"opening file '{path}': No such file or directory");
    }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, EvalFileType Type)> ReadDir(string path)
    {
        if (!_dirs.Contains(path))
            throw new NixEvalException(_files.ContainsKey(path) ? $"'{path}' is not a directory" : $"path '{path}' does not exist");
        var prefix = path == "/" ? "/" : path + "/";
        var result = new List<(string, EvalFileType)>();
        foreach (var f in _files.Keys)
            if (f.StartsWith(prefix, StringComparison.Ordinal) && f.IndexOf('/', prefix.Length) < 0) result.Add((f[prefix.Length..], EvalFileType.Regular));
        foreach (var d in _dirs)
            if (d != path && d.StartsWith(prefix, StringComparison.Ordinal) && d.IndexOf('/', prefix.Length) < 0) result.Add((d[prefix.Length..], EvalFileType.Directory));
        return result;
    }

    /// <inheritdoc />
    public EvalFileType ReadFileType(string path)
    {
        if (_files.ContainsKey(path)) return EvalFileType.Regular;
        if (_dirs.Contains(path)) return EvalFileType.Directory;
        throw new NixEvalException($"path '{path}' does not exist");
    }

    /// <inheritdoc />
    public string ResolveImport(string path) => _dirs.Contains(path) ? NixPath.Join(path, "default.nix") : path;

    /// <inheritdoc />
    public string? GetEnv(string name) => _env.TryGetValue(name, out var v) ? v : null;
}
