namespace Tvix.Eval.Support.Json;

/// <summary>
/// Builds the caller's values while <see cref="NixJsonReader{TValue, TFactory}"/> parses, so no intermediate tree
/// is allocated. Implement it on a struct to let the JIT devirtualise the calls.
/// </summary>
internal interface INixJsonFactory<TValue>
{
    TValue Null();

    TValue Boolean(bool value);

    TValue Integer(long value);

    TValue Float(double value);

    /// <summary>A string as UTF-8 bytes (valid UTF-8 and free of NUL, as Nix requires).</summary>
    TValue String(ReadOnlySpan<byte> utf8);

    TValue Array(List<TValue> items);

    /// <summary>
    /// An object's members in document order; a key may repeat, and then the last one wins,
    /// as in Nix.
    /// </summary>
    TValue Object(List<KeyValuePair<byte[], TValue>> members);
}
