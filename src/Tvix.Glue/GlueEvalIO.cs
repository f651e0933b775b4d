using Tvix.Eval;
using Tvix.NixCompat;

namespace Tvix.Glue;

/// <summary>
/// The evaluator's I/O with the store in front: a file inside a store path that the store holds
/// (a <c>toFile</c> result, a <c>.drv</c>, a file of an imported source) is read from the store;
/// everything else, including store paths the store does not hold, goes to the inner I/O
/// (normally the filesystem). Directory listings still come from the inner I/O.
/// </summary>
internal sealed class GlueEvalIO(IEvalIO inner, GlueState state) : IEvalIO
{
    private byte[]? StoreText(string path) =>
        path.StartsWith(state.StoreDirPrefix, StringComparison.Ordinal) ? StoreTextInStore(path) : null;

    // Apart, never inlined: the store path parsing inlined from Tvix.NixCompat made every file
    // read load that assembly and its types, for files outside the store too.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private byte[]? StoreTextInStore(string path)
    {
        var rest = path[state.StoreDirPrefix.Length..];
        var slash = rest.IndexOf('/');
        if (!StorePath.TryParseBaseName(slash < 0 ? rest : rest[..slash], out var storePath)) return null;
        return state.Store.ReadFile(storePath!, slash < 0 ? "" : rest[(slash + 1)..].Trim('/'));
    }

    public bool PathExists(string path) => StoreText(path) != null || inner.PathExists(path);

    public byte[] ReadFile(string path) => StoreText(path) ?? inner.ReadFile(path);

    public IReadOnlyList<(string Name, EvalFileType Type)> ReadDir(string path) => inner.ReadDir(path);

    public EvalFileType ReadFileType(string path) => StoreText(path) != null ? EvalFileType.Regular : inner.ReadFileType(path);

    public bool IsDirectory(string path) => StoreText(path) == null && inner.IsDirectory(path);

    public string ResolveImport(string path) => StoreText(path) != null ? path : inner.ResolveImport(path);

    public string? GetEnv(string name) => inner.GetEnv(name);

    public DateTimeOffset CurrentTime => inner.CurrentTime;
}
