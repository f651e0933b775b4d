using System.Collections.Concurrent;

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
    private readonly ConcurrentDictionary<string, PosixRegex> _entries = new(StringComparer.Ordinal);
    private readonly int _capacity;

    /// <summary>The last pattern looked up: loops call match/split with one pattern many times.</summary>
    private (byte[] Pattern, PosixRegex Regex)? _last;

    public PosixRegexCache(TimeSpan matchTimeout, int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        MatchTimeout = matchTimeout;
        _capacity = capacity;
    }

    /// <summary>The time one match may take before it fails with an error.</summary>
    public TimeSpan MatchTimeout { get; }

    /// <summary>Number of compiled patterns held.</summary>
    public int Count => _entries.Count;

    /// <summary>Returns the compiled form of <paramref name="pattern"/>, compiling it on first use.</summary>
    /// <exception cref="PosixRegexException">The pattern is invalid.</exception>
    public PosixRegex Get(ReadOnlySpan<byte> pattern)
    {
        if (_last is { } last && pattern.SequenceEqual(last.Pattern)) return last.Regex;
        // Latin-1 keeps every byte distinct, so the key is exact.
        var key = System.Text.Encoding.Latin1.GetString(pattern);
        if (!_entries.TryGetValue(key, out var regex))
        {
            regex = PosixRegex.Compile(pattern, MatchTimeout);
            if (_entries.Count >= _capacity) _entries.Clear();
            _entries[key] = regex;
        }
        _last = (pattern.ToArray(), regex);
        return regex;
    }
}
