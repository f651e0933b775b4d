using Tvix.Eval;
using Tvix.Glue.Store;
using Tvix.NixCompat;
using Tvix.NixCompat.Derivations;

namespace Tvix.Glue;

/// <summary>
/// What the store builtins share across calls: the store directory, where new paths go, the
/// derivations created so far (a dependent needs each input's hash modulo) and the paths
/// already imported from the filesystem. Store paths are pure functions of content, so the
/// caches are valid for every evaluator on the same store; they are thread-safe.
/// </summary>
internal sealed class GlueState
{
    /// <summary>How many distinct environment variable names are kept as shared byte strings.</summary>
    private const int MaxInternedKeys = 4096;

    /// <summary>Interned variable names (arrays, not <see cref="ByteString"/>s: a reference-typed value keeps the dictionary on the runtime's shared, precompiled code).</summary>
    private Dictionary<string, byte[]>? _keys;

    /// <summary>
    /// The derivations created here or read from the store, by <c>.drv</c> path; also found by
    /// the printed path that string contexts name them by (<see cref="StorePathKeys"/>). One plain
    /// dictionary under a lock: its span lookup is precompiled framework code, where a concurrent
    /// dictionary's is JIT-compiled in every process (and contention is rare).
    /// </summary>
    private Dictionary<StorePath, KnownDerivation>? _derivations;

    /// <summary>Made under <see cref="TablesLock"/> on first use, like the other tables here.</summary>
    private Dictionary<StorePath, KnownDerivation> Derivations => _derivations ??= new(new StorePathKeys(StoreDirPrefix));

    private Lock? _tablesLock;

    /// <summary>
    /// Guards every table and spare list here. Plain dictionaries under one lock rather than
    /// concurrent ones: contention is rare, and System.Collections.Concurrent would add a
    /// framework assembly to every evaluation that makes a derivation.
    /// </summary>
    private Lock TablesLock =>
        _tablesLock ?? Interlocked.CompareExchange(ref _tablesLock, new Lock(), null) ?? _tablesLock!;

    /// <summary>Filesystem paths already copied by path coercion: source path → store path string.</summary>
    private Dictionary<string, string>? _copiedSources;

    /// <param name="storeDirectoryPath">The store directory's normalised path (see <see cref="TvixBuilder"/>).</param>
    /// <param name="storeDirectory">The store directory itself when the caller has it; else it is made on first use.</param>
    /// <param name="store">Where created paths go.</param>
    /// <param name="features">The glue's experimental features.</param>
    /// <param name="readOnly">Nix's read-only mode.</param>
    public GlueState(string storeDirectoryPath, StoreDirectory? storeDirectory, IGlueStoreWriter store, GlueFeatures features, bool readOnly = false)
    {
        _storeDirectory = storeDirectory;
        Store = store;
        Features = features;
        ReadOnly = readOnly;
        StoreDirPrefix = storeDirectoryPath + "/";
    }

    private StoreDirectory? _storeDirectory;

    /// <summary>The store directory (made on first use: an evaluation that makes no store path never needs it).</summary>
    public StoreDirectory StoreDirectory =>
        _storeDirectory ?? Interlocked.CompareExchange(ref _storeDirectory, new StoreDirectory(StoreDirPrefix[..^1]), null) ?? _storeDirectory!;

    private Builtins.DerivationSelectors? _selectors;

    /// <summary>The shared selector functions of <c>derivation</c>'s lazy attributes.</summary>
    public Builtins.DerivationSelectors Selectors =>
        _selectors ?? Interlocked.CompareExchange(ref _selectors, new(), null) ?? _selectors!;

    public string StoreDirPrefix { get; }

    public IGlueStoreWriter Store { get; }

    public GlueFeatures Features { get; }

    /// <summary>
    /// Nix's read-only mode (<c>nix-instantiate --eval</c>): <c>derivationStrict</c> only hashes the
    /// <c>.drv</c> files for their paths (what dependents need stays in the derivations table),
    /// and <c>builtins.path</c> computes a copy of a store path without that path's references
    /// (Nix's <c>computeStorePathForPath</c> instead of <c>addToStore</c>).
    /// </summary>
    public bool ReadOnly { get; }

    /// <summary>Whether <c>derivationStrict</c> writes the <c>.drv</c> files into <see cref="Store"/>.</summary>
    public bool WriteDerivations => !ReadOnly;

    /// <summary>How many emptied derivations are kept for reuse (calls nest: an attribute's value may be another derivation's path).</summary>
    private const int MaxSpareDerivations = 8;

    private Derivation?[]? _spareDerivations;
    private int _spareCount;

    /// <summary>
    /// An empty derivation for <c>derivationStrict</c> to fill: one used before and given back
    /// with <see cref="ReturnDerivation"/> when there is one, so that a run of derivations does not
    /// allocate a derivation and its collections' arrays each time (nothing of it is kept once
    /// the result is built).
    /// </summary>
    public Derivation RentDerivation()
    {
        lock (TablesLock)
        {
            if (_spareCount > 0)
            {
                var spare = _spareDerivations![--_spareCount]!;
                _spareDerivations[_spareCount] = null;
                return spare;
            }
        }
        return new Derivation();
    }

    /// <summary>Gives a derivation back for reuse once nothing refers to it any more.</summary>
    public void ReturnDerivation(Derivation drv)
    {
        drv.Clear();
        lock (TablesLock)
        {
            if (_spareCount < MaxSpareDerivations) (_spareDerivations ??= new Derivation?[MaxSpareDerivations])[_spareCount++] = drv;
        }
    }

    private Builtins.DerivationScratch?[]? _spareScratch;
    private int _spareScratchCount;

    /// <summary>
    /// An empty context set and byte arena for <c>derivationStrict</c> (used before when there is
    /// one), given back with <see cref="ReturnScratch"/> like <see cref="RentDerivation"/>.
    /// </summary>
    public Builtins.DerivationScratch RentScratch()
    {
        lock (TablesLock)
        {
            if (_spareScratchCount > 0)
            {
                var spare = _spareScratch![--_spareScratchCount]!;
                _spareScratch[_spareScratchCount] = null;
                return spare;
            }
        }
        return new Builtins.DerivationScratch();
    }

    /// <summary>Gives scratch space back once nothing refers to its strings any more (the derivation filled from it is cleared).</summary>
    public void ReturnScratch(Builtins.DerivationScratch scratch)
    {
        scratch.Clear();
        lock (TablesLock)
        {
            if (_spareScratchCount < MaxSpareDerivations) (_spareScratch ??= new Builtins.DerivationScratch?[MaxSpareDerivations])[_spareScratchCount++] = scratch;
        }
    }

    /// <summary>How many output names are shared (a program uses a few: out, dev, lib, man, …).</summary>
    private const int MaxOutputNames = 64;

    private readonly List<string> _outputNames = [];

    /// <summary>
    /// The output name written as <paramref name="name"/> (UTF-8): one shared string per name,
    /// since every multi-output derivation keeps its names.
    /// </summary>
    public string OutputName(ReadOnlySpan<byte> name)
    {
        lock (TablesLock)
        {
            foreach (var known in _outputNames)
            {
                if (IsAsciiEqual(name, known)) return known;
            }
        }
        return OutputName(System.Text.Encoding.UTF8.GetString(name));
    }

    /// <summary>The shared string equal to <paramref name="name"/> (itself when it is new).</summary>
    public string OutputName(string name)
    {
        lock (TablesLock)
        {
            foreach (var known in _outputNames)
            {
                if (known == name) return known;
            }
            if (_outputNames.Count < MaxOutputNames) _outputNames.Add(name);
        }
        return name;
    }

    /// <summary>Whether UTF-8 bytes spell the ASCII string <paramref name="text"/> (a non-ASCII name never matches, and is decoded instead).</summary>
    private static bool IsAsciiEqual(ReadOnlySpan<byte> bytes, string text)
    {
        if (bytes.Length != text.Length) return false;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != text[i] || bytes[i] >= 128) return false;
        }
        return true;
    }

    /// <summary>Records a derivation; returns the one recorded first when it was already known.</summary>
    public KnownDerivation AddDerivation(KnownDerivation known)
    {
        lock (TablesLock)
            return Derivations.TryAdd(known.Path, known) ? known : Derivations[known.Path];
    }

    /// <summary>The derivation at <paramref name="drvPath"/> if this evaluator has made or read it.</summary>
    public bool TryGetDerivation(StorePath drvPath, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out KnownDerivation? known)
    {
        lock (TablesLock) return Derivations.TryGetValue(drvPath, out known);
    }

    /// <summary>The known derivation whose printed <c>.drv</c> path is <paramref name="printedPath"/> (no allocation), or null.</summary>
    public KnownDerivation? FindDerivation(ReadOnlySpan<char> printedPath)
    {
        lock (TablesLock)
            return Derivations.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(printedPath, out var known) ? known : null;
    }

    /// <summary>The store path string a filesystem path was copied to by path coercion, if it was.</summary>
    public bool TryGetCopiedSource(string sourcePath, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? printedStorePath)
    {
        lock (TablesLock)
        {
            printedStorePath = null;
            return _copiedSources?.TryGetValue(sourcePath, out printedStorePath) == true;
        }
    }

    /// <summary>Records that path coercion copied <paramref name="sourcePath"/> to <paramref name="printedStorePath"/>.</summary>
    public void AddCopiedSource(string sourcePath, string printedStorePath)
    {
        lock (TablesLock) (_copiedSources ??= new(StringComparer.Ordinal)).TryAdd(sourcePath, printedStorePath);
    }

    /// <summary>
    /// The bytes of an environment variable name; the common names are shared by every
    /// derivation instead of being encoded (and kept) once per derivation.
    /// </summary>
    public ByteString EnvironmentKey(string key)
    {
        lock (TablesLock)
        {
            var keys = _keys ??= new(StringComparer.Ordinal);
            if (!keys.TryGetValue(key, out var bytes))
            {
                bytes = System.Text.Encoding.UTF8.GetBytes(key);
                if (keys.Count < MaxInternedKeys) keys.Add(key, bytes);
            }
            return new ByteString(bytes);
        }
    }

    /// <summary>The known derivation at <paramref name="drvPath"/>, reading it from the store when it was not made here.</summary>
    public KnownDerivation GetDerivation(StorePath drvPath)
    {
        if (TryGetDerivation(drvPath, out var known)) return known;
        var text = Store.ReadText(drvPath)
            ?? throw new NixEvalException($"derivation '{StoreDirectory.Print(drvPath)}' is not known to this evaluator or its store");
        return AddDerivation(KnownDerivation.Loaded(drvPath, Derivation.ParseAterm(text, StoreDirectory), StoreDirectory));
    }

    /// <summary>
    /// Nix's <c>hashDerivationModulo</c> of a known derivation as its dependents see it (with
    /// whether it is deferred). Derivations made here carry it from <c>derivationStrict</c>; for
    /// ones read from the store it is computed on first use, inputs first and without recursion.
    /// </summary>
    public DerivationHashModulo HashModulo(StorePath drvPath)
    {
        var known = GetDerivation(drvPath);
        if (known.TryGetHashModulo(out var hash)) return hash;
        var stack = new Stack<KnownDerivation>();
        var onStack = new HashSet<StorePath> { drvPath };
        stack.Push(known);
        while (stack.Count > 0)
        {
            var top = stack.Peek();
            var drv = top.PendingDerivation;
            KnownDerivation? missing = null;
            if (drv != null)
            {
                foreach (var input in drv.InputDerivations.Keys)
                {
                    var inputKnown = GetDerivation(input);
                    if (inputKnown.TryGetHashModulo(out _)) continue;
                    missing = inputKnown;
                    break;
                }
            }
            if (missing != null)
            {
                if (!onStack.Add(missing.Path)) throw new NixEvalException($"derivation '{StoreDirectory.Print(missing.Path)}' depends on itself");
                stack.Push(missing);
                continue;
            }
            if (drv != null)
            {
                try { top.SetHashModulo(drv.CalculateHashModulo(input => GetDerivation(input).HashModuloOrThrow(StoreDirectory), StoreDirectory)); }
                catch (NixFormatException e) { throw new NixEvalException(e.Message); }
            }
            stack.Pop();
            onStack.Remove(top.Path);
        }
        return known.HashModuloOrThrow(StoreDirectory);
    }

    /// <summary>The callback <see cref="Derivation"/>'s hashing methods take (one delegate, not one per call).</summary>
    public Func<StorePath, DerivationHashModulo> InputHashModulo => _inputHashModulo ??= HashModulo;

    private Func<StorePath, DerivationHashModulo>? _inputHashModulo;

    /// <summary>The references of a store path this evaluation created or the store holds.</summary>
    public IEnumerable<StorePath> References(StorePath path)
    {
        if (TryGetDerivation(path, out var known)) return known.References;
        return Store.References(path);
    }
}

/// <summary>
/// What this evaluator keeps of a derivation: the few facts dependents need (output names and
/// paths, the <c>.drv</c>'s references, the hash modulo), not the derivation itself — its
/// environment is most of its size and nothing reads it again. A derivation read from the store
/// keeps its parsed form only until its hash modulo has been computed.
/// </summary>
internal sealed class KnownDerivation
{
    private DerivationHashModulo _hashModulo;
    private volatile bool _hashKnown;
    private Derivation? _pending;

    private KnownDerivation(StorePath path, Derivation drv, IReadOnlyList<StorePath> references, StoreDirectory store)
    {
        Path = path;
        ContextElement = string.Concat("=", store.Path, "/", path.BaseName);
        References = references;
        var count = drv.Outputs.Count;
        // Most derivations have the one output `out`: they share one array of names.
        OutputNames = count == 1 && drv.Outputs.ContainsKey("out") ? OutOnly : new string[count];
        // The one path in place of an array of one (this is kept for every derivation).
        var paths = count == 1 ? null : new StorePath?[count];
        var i = 0;
        foreach (var (name, output) in drv.Outputs)
        {
            if (!ReferenceEquals(OutputNames, OutOnly)) OutputNames[i] = name;
            if (paths is null) _outputPaths = output.Path;
            else paths[i] = output.Path;
            i++;
        }
        if (paths is not null) _outputPaths = paths;
    }

    // The output paths, parallel to OutputNames (null when deferred): the path itself for a
    // derivation with one output, else an array.
    private object? _outputPaths;

    /// <summary>The output names of a derivation whose only output is <c>out</c> (never written to).</summary>
    private static readonly string[] OutOnly = ["out"];

    /// <summary>A derivation <c>derivationStrict</c> has just instantiated.</summary>
    public static KnownDerivation Created(Derivation drv, InstantiatedDerivation instantiated, StoreDirectory store)
    {
        var known = new KnownDerivation(instantiated.Path, drv, instantiated.References, store);
        known.SetHashModulo(instantiated.HashModulo);
        return known;
    }

    /// <summary>A derivation read from the store; its hash modulo is computed when first needed.</summary>
    public static KnownDerivation Loaded(StorePath path, Derivation drv, StoreDirectory store) =>
        new(path, drv, [.. drv.References()], store) { _pending = drv };

    public StorePath Path { get; }

    /// <summary>
    /// <c>=</c> and the absolute <c>.drv</c> path: the context element of the <c>drvPath</c>
    /// string, kept once for that and as the printed path (<see cref="PrintedPath"/>).
    /// </summary>
    public string ContextElement { get; }

    /// <summary>The absolute <c>.drv</c> path, as the <c>drvPath</c> string and contexts carry it.</summary>
    public ReadOnlySpan<char> PrintedPath => ContextElement.AsSpan(1);

    /// <summary>Output names in Nix's (ordinal) order.</summary>
    public string[] OutputNames { get; }

    /// <summary>Input sources and input derivations: the references of the <c>.drv</c>.</summary>
    public IReadOnlyList<StorePath> References { get; }

    /// <summary>The parsed derivation of one read from the store, until its hash modulo is known.</summary>
    public Derivation? PendingDerivation => _hashKnown ? null : _pending;

    /// <summary>This derivation's own string for an output name, or null when it has no such output.</summary>
    public string? OutputName(ReadOnlySpan<char> name)
    {
        foreach (var outputName in OutputNames)
        {
            if (name.SequenceEqual(outputName)) return outputName;
        }
        return null;
    }

    /// <summary>The path of an output, or null when it is deferred or not an output.</summary>
    public StorePath? OutputPath(string name)
    {
        var index = Array.IndexOf(OutputNames, name);
        if (index < 0) return null;
        return _outputPaths is StorePath?[] paths ? paths[index] : (StorePath?)_outputPaths;
    }

    public bool TryGetHashModulo(out DerivationHashModulo hash)
    {
        if (_hashKnown)
        {
            hash = _hashModulo;
            return true;
        }
        hash = default;
        return false;
    }

    public DerivationHashModulo HashModuloOrThrow(StoreDirectory store) =>
        TryGetHashModulo(out var hash) ? hash : throw new InvalidOperationException($"the hash modulo of '{store.Print(Path)}' is not known yet");

    public void SetHashModulo(DerivationHashModulo hash)
    {
        // Written before the flag that publishes it; a second writer writes the same value.
        _hashModulo = hash;
        _hashKnown = true;
        _pending = null;
    }
}

/// <summary>Experimental Nix features the glue honours.</summary>
[Flags]
internal enum GlueFeatures
{
    None = 0,
    /// <summary><c>ca-derivations</c>: floating content-addressed derivations (<c>__contentAddressed = true</c>).</summary>
    CaDerivations = 1,
    /// <summary><c>impure-derivations</c> (<c>__impure = true</c>).</summary>
    ImpureDerivations = 2,
}

/// <summary>
/// Compares the keys of the derivations table, store paths, by their base names; a printed path
/// (the store directory, <c>/</c>, the base name) given as a span is looked up directly, as string
/// contexts name derivations. Hashes only the start of the hash part: it is random already.
/// </summary>
internal sealed class StorePathKeys(string storeDirPrefix) : IEqualityComparer<StorePath>, IAlternateEqualityComparer<ReadOnlySpan<char>, StorePath>
{
    /// <summary>How many characters of the hash part are hashed.</summary>
    private const int HashedLength = 12;

    public bool Equals(StorePath? x, StorePath? y) => ReferenceEquals(x, y) || (x is not null && x.Equals(y));

    public int GetHashCode(StorePath path) => string.GetHashCode(path.BaseName.AsSpan(0, HashedLength));

    public bool Equals(ReadOnlySpan<char> printed, StorePath path) =>
        printed.StartsWith(storeDirPrefix) && printed[storeDirPrefix.Length..].SequenceEqual(path.BaseName);

    // A printed path too short to be a store path gets any hash: it equals no key.
    public int GetHashCode(ReadOnlySpan<char> printed) =>
        printed.Length >= storeDirPrefix.Length + HashedLength ? string.GetHashCode(printed.Slice(storeDirPrefix.Length, HashedLength)) : 0;

    public StorePath Create(ReadOnlySpan<char> printed) =>
        throw new NotSupportedException("derivations are only looked up by printed path, not added by it");
}
