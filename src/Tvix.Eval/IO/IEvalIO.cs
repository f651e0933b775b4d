namespace Tvix.Eval;

/// <summary>The type of a filesystem entry, as <c>builtins.readFileType</c> and <c>readDir</c> name it.</summary>
public enum EvalFileType
{
    /// <summary><c>"regular"</c>.</summary>
    Regular,
    /// <summary><c>"directory"</c>.</summary>
    Directory,
    /// <summary><c>"symlink"</c>.</summary>
    Symlink,
    /// <summary><c>"unknown"</c> (sockets, devices, …).</summary>
    Unknown,
}

/// <summary>
/// The evaluator's only seam to the world: files, environment variables and the clock. Every
/// builtin that touches the outside goes through it, so a host can sandbox, virtualise or
/// deny access. Implementations: <see cref="FileSystemEvalIO"/> (the real filesystem),
/// <see cref="InMemoryEvalIO"/> (tests, embedding) and <see cref="PureEvalIO"/> (refuses all I/O).
/// Failures are reported by throwing <see cref="NixEvalException"/> (or an <see cref="IOException"/>,
/// which the evaluator turns into a Nix error).
/// </summary>
public interface IEvalIO
{
    /// <summary>Whether something exists at the absolute <paramref name="path"/> (symlinks are followed).</summary>
    bool PathExists(string path);

    /// <summary>The bytes of the file at <paramref name="path"/>.</summary>
    byte[] ReadFile(string path);

    /// <summary>The entries of a directory with their types (not following symlinks).</summary>
    IReadOnlyList<(string Name, EvalFileType Type)> ReadDir(string path);

    /// <summary>The type of the entry at <paramref name="path"/> (without following a final symlink).</summary>
    EvalFileType ReadFileType(string path);

    /// <summary>
    /// Whether <paramref name="path"/> is a directory, following symlinks (what <c>path/.</c>
    /// means). The default answers from <see cref="ReadFileType"/>, for implementations without
    /// symlinks.
    /// </summary>
    bool IsDirectory(string path) => PathExists(path) && ReadFileType(path) == EvalFileType.Directory;

    /// <summary>
    /// The file that <c>import path</c> reads: the path itself, or <c>path/default.nix</c> when
    /// it is a directory.
    /// </summary>
    string ResolveImport(string path);

    /// <summary>The value of an environment variable, or null when unset.</summary>
    string? GetEnv(string name);

    /// <summary>The current time (for <c>builtins.currentTime</c>).</summary>
    DateTimeOffset CurrentTime { get; }
}
