namespace Tvix.Testing;

/// <summary>Locates the repository root and the shared test material beside it.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> RepoRootLazy = new(FindRepoRoot);

    /// <summary>The folder that holds <c>Tvix.sln</c>.</summary>
    public static string RepoRoot => RepoRootLazy.Value;

    /// <summary>
    /// <c>../shared</c> next to the repository (or <c>TVIX_SHARED</c>), or null when it is absent.
    /// </summary>
    public static string? SharedDir
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("TVIX_SHARED");
            if (!string.IsNullOrEmpty(fromEnv) && Directory.Exists(fromEnv)) return Path.GetFullPath(fromEnv);
            var beside = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
            return Directory.Exists(beside) ? beside : null;
        }
    }

    /// <summary>A path below the shared folder; throws if the folder is absent (guard with <see cref="SharedFactAttribute"/>).</summary>
    public static string Shared(params string[] parts) =>
        Path.Combine([SharedDir ?? throw new InvalidOperationException("../shared is absent"), .. parts]);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tvix.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("cannot find Tvix.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>A fact that needs <c>../shared</c>; skipped with a clear message when it is absent.</summary>
internal sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (TestPaths.SharedDir == null) Skip = "../shared (test vectors) is absent; set TVIX_SHARED or place it beside the repository";
    }
}

/// <summary>A theory that needs <c>../shared</c>; skipped with a clear message when it is absent.</summary>
internal sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (TestPaths.SharedDir == null) Skip = "../shared (test vectors) is absent; set TVIX_SHARED or place it beside the repository";
    }
}
