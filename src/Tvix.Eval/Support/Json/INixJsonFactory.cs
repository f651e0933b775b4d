namespace Tvix.Eval.Support.Json;

/// <summary>
/// Builds the caller's values while <see cref="NixJsonReader{TValue, TKey, TFactory}"/> parses, so no
/// intermediate tree is allocated. Implement it on a struct to let the JIT devirtualise the calls.
/// The spans passed to <see cref="Array"/> and <see cref="Object"/> are the parser's scratch
/// space: copy what you keep.
/// </summary>
internal interface INixJsonFactory<TValue, TKey>
{
    TValue Null();

    TValue Boolean(bool value);

    TValue Integer(long value);

    TValue Float(double value);

    /// <summary>A string as UTF-8 bytes (valid UTF-8 and free of NUL, as Nix requires).</summary>
    TValue String(ReadOnlySpan<byte> utf8);

    /// <summary>An object member's name (same rules as <see cref="String"/>).</summary>
    TKey Key(ReadOnlySpan<byte> utf8);

    TValue Array(ReadOnlySpan<TValue> items);

    /// <summary>
    /// An object's members in document order (<paramref name="keys"/>[i] names
    /// <paramref name="values"/>[i]); a key may repeat, and then the last one wins, as in Nix.
    /// </summary>
    TValue Object(ReadOnlySpan<TKey> keys, ReadOnlySpan<TValue> values);
}
