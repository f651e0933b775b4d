namespace Tvix.Eval.Support.Regex;

/// <summary>
/// Compiled regular expressions of one evaluator, keyed by the pattern's bytes. Nix code calls
/// <c>match</c>/<c>split</c> with the same few patterns over and over (nixpkgs' lib does it in
/// loops), so compiling each pattern once matters. The cache is owned by an evaluator instance,
/// never static. It is bounded: when it grows past its capacity it is emptied, which is cheap
/// and keeps memory bounded for programs that build patterns dynamically.
/// </summary>
internal sealed class PosixRegexCache
{
    /// <summary>
    /// A plain dictionary: like <see cref="_recent"/>, it is only used on the evaluation thread
    /// (an evaluator evaluates on one thread at a time), and a concurrent one would load
    /// System.Collections.Concurrent. Made on the first pattern that misses <see cref="_recent"/>:
    /// every evaluator has a cache, and most programs never match.
    /// </summary>
    private Dictionary<string, PosixRegex>? _entries;
    private readonly int _capacity;

    /// <summary>
    /// The patterns looked up last, most recent first: loops call match/split with one or a few
    /// patterns many times (often interleaved, as in <c>map (l: filter p (split re l))</c>), and
    /// these hits cost a byte comparison instead of a key string and a dictionary lookup.
    /// </summary>
    private readonly (byte[] Pattern, PosixRegex Regex)?[] _recent = new (byte[], PosixRegex)?[4];

    public PosixRegexCache(TimeSpan matchTimeout, int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        MatchTimeout = matchTimeout;
        _capacity = capacity;
    }

    /// <summary>The time one match may take before it fails with an error.</summary>
    public TimeSpan MatchTimeout { get; }

    /// <summary>Number of compiled patterns held.</summary>
    public int Count => _entries?.Count ?? 0;

    /// <summary>Returns the compiled form of <paramref name="pattern"/>, compiling it on first use.</summary>
    /// <exception cref="PosixRegexException">The pattern is invalid.</exception>
    public PosixRegex Get(ReadOnlySpan<byte> pattern)
    {
        for (var i = 0; i < _recent.Length; i++)
        {
            if (_recent[i] is not { } entry || !pattern.SequenceEqual(entry.Pattern)) continue;
            // Move to the front, so the patterns of the current loop stay in the list.
            for (var j = i; j > 0; j--) _recent[j] = _recent[j - 1];
            _recent[0] = entry;
            return entry.Regex;
        }
        // Latin-1 keeps every byte distinct, so the key is exact.
        var key = System.Text.Encoding.Latin1.GetString(pattern);
        var entries = _entries ??= new(StringComparer.Ordinal);
        if (!entries.TryGetValue(key, out var regex))
        {
            regex = PosixRegex.Compile(pattern, MatchTimeout);
            if (entries.Count >= _capacity) entries.Clear();
            entries[key] = regex;
        }
        for (var j = _recent.Length - 1; j > 0; j--) _recent[j] = _recent[j - 1];
        _recent[0] = (pattern.ToArray(), regex);
        return regex;
    }
}
