namespace Tvix.Eval;

/// <summary>What a lint of path or URL literals does when it fires.</summary>
public enum LintLevel
{
    /// <summary>Nothing.</summary>
    Ignore,
    /// <summary>Prints a warning and goes on.</summary>
    Warn,
    /// <summary>Fails with an error.</summary>
    Fatal,
}

/// <summary>Settings of an evaluator. Options are read when the evaluator is created.</summary>
public sealed class EvaluatorOptions
{
    /// <summary>The seam to files, environment and clock. Default: the real filesystem; use <see cref="PureEvalIO"/> to forbid I/O.</summary>
    public IEvalIO IO { get; set; } = new FileSystemEvalIO();

    /// <summary>
    /// Search path entries for <c>&lt;name&gt;</c> lookups and <c>builtins.nixPath</c>, in
    /// order: <c>/some/dir</c> or <c>prefix=/some/dir</c>, as <c>-I</c> and <c>NIX_PATH</c> give them.
    /// </summary>
    public IList<string> SearchPath { get; } = new List<string>();

    /// <summary>
    /// Experimental Nix features that are on, by Nix's names (<c>parse-toml-timestamps</c>, ...),
    /// as <c>--extra-experimental-features</c> gives them. Names the evaluator does not know are
    /// ignored, as Nix ignores features it does not have.
    /// </summary>
    public ISet<string> ExperimentalFeatures { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Hash algorithms that <c>hashString</c>, <c>hashFile</c> and <c>convertHash</c> accept besides
    /// md5, sha1, sha256 and sha512. The evaluator has no BLAKE3 of its own; Tvix.Glue adds
    /// <c>blake3</c> here (which, as in Nix, also needs the <c>blake3-hashes</c> experimental feature).
    /// </summary>
    public IList<ExtraHashAlgorithm> ExtraHashAlgorithms { get; } = new List<ExtraHashAlgorithm>();

    /// <summary>Callbacks that add or replace builtins (run after the core and support builtins, in order).</summary>
    public IList<Action<BuiltinRegistry>> Builtins { get; } = new List<Action<BuiltinRegistry>>();

    /// <summary>
    /// Most nested function calls before "stack overflow; max-call-depth exceeded". The default
    /// is unlimited: deep recursion is bounded by the evaluation thread's stack instead (see
    /// <see cref="StackSize"/>), which also ends in a Nix error, never a crash.
    /// </summary>
    public int MaxCallDepth { get; set; } = int.MaxValue;

    /// <summary>The store directory reported by <c>builtins.storeDir</c>.</summary>
    public string StoreDir { get; set; } = "/nix/store";

    /// <summary>
    /// The value of <c>builtins.nixVersion</c>. Default: the version of C++ Nix whose
    /// <c>.drv</c> paths this evaluator is checked against (2.8.0). Some derivations embed it
    /// (nixpkgs 20.09's irods passes it to cmake), so another value changes their paths.
    /// </summary>
    public string NixVersion { get; set; } = "2.8.0";

    /// <summary>
    /// Whether <c>builtins.toJSON</c> writes floats as C++ Nix did before 2.12, with 6
    /// significant digits (<c>1.0</c> gives <c>1</c>, <c>1.0 / 3</c> <c>0.333333</c>). Off by
    /// default: like current Nix, the shortest form that reads back exactly (<c>1.0</c>,
    /// <c>0.3333333333333333</c>). NixOS 20.09's option documentation (<c>options.json</c>) holds
    /// floats, so its <c>.drv</c> equals the one Nix 2.8 computes only with this on.
    /// </summary>
    public bool LegacyJsonFloats { get; set; }

    /// <summary>The value of <c>builtins.currentSystem</c>.</summary>
    public string CurrentSystem { get; set; } = "x86_64-linux";

    /// <summary>Whether impure builtins (<c>currentTime</c>, <c>getEnv</c>, …) are allowed, as with <c>--impure</c>. Default true (like <c>nix-instantiate</c>).</summary>
    public bool Impure { get; set; } = true;

    /// <summary>
    /// How a path is turned into a string by interpolation (<c>"${./file}"</c>). C++ Nix copies
    /// the file to the store and returns the store path with context; a store-aware host
    /// (Tvix.Glue) sets this. Default (null): the path itself, without context.
    /// </summary>
    public Func<EvalContext, string, NixString>? PathToString { get; set; }

    /// <summary>Where <c>builtins.trace</c> and warnings are written (default: standard error).</summary>
    public TextWriter? Log { get; set; }

    /// <summary>Stack size of the evaluation thread, in bytes (deep Nix recursion needs a big stack).</summary>
    public int StackSize { get; set; } = 256 * 1024 * 1024;

    /// <summary>Lint for relative path literals without <c>./</c> (<c>a/b</c>).</summary>
    public LintLevel ShortPathLiterals { get; set; }

    /// <summary>Lint for absolute path literals (<c>/etc/x</c>).</summary>
    public LintLevel AbsolutePathLiterals { get; set; }

    /// <summary>Lint for unquoted URL literals (<c>http://x</c>).</summary>
    public LintLevel UrlLiterals { get; set; }
}
