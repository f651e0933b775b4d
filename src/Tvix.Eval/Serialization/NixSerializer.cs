namespace Tvix.Eval.Serialization;

/// <summary>
/// Loads Nix values into C# objects (Tvix's "serde"): attribute sets become records and
/// classes (constructor parameters, settable and init properties), lists become arrays and
/// lists, attribute sets also become dictionaries, strings become enums. Only what the target
/// type asks for is forced, so unused attributes may stay unevaluated (and may even throw).
/// </summary>
public static class NixSerializer
{
    /// <summary>Evaluates <paramref name="nixExpression"/> and converts the result to <typeparamref name="T"/>.</summary>
    /// <exception cref="NixDeserializationException">Evaluation failed, or the value does not fit the type.</exception>
    public static T Deserialize<T>(string nixExpression, NixSerializerOptions? options = null)
    {
        options ??= new NixSerializerOptions();
        var evaluator = new Evaluator(options.EvaluatorOptions);
        var result = evaluator.EvaluateString(nixExpression, options.BaseDirectory);
        return FromResult<T>(evaluator, result, options);
    }

    /// <summary>Evaluates the Nix file at <paramref name="path"/> and converts the result to <typeparamref name="T"/>.</summary>
    /// <exception cref="NixDeserializationException">Evaluation failed, or the value does not fit the type.</exception>
    public static T DeserializeFile<T>(string path, NixSerializerOptions? options = null)
    {
        options ??= new NixSerializerOptions();
        var evaluator = new Evaluator(options.EvaluatorOptions);
        var result = evaluator.EvaluateFile(path);
        return FromResult<T>(evaluator, result, options);
    }

    /// <summary>Converts a value that <paramref name="evaluator"/> produced to <typeparamref name="T"/>, forcing what is needed.</summary>
    /// <exception cref="NixDeserializationException">The value does not fit the type, or forcing it failed.</exception>
    public static T Deserialize<T>(Evaluator evaluator, Value value, NixSerializerOptions? options = null) =>
        (T)Deserialize(evaluator, value, typeof(T), options)!;

    /// <summary>Converts a value that <paramref name="evaluator"/> produced to <paramref name="type"/>, forcing what is needed.</summary>
    /// <exception cref="NixDeserializationException">The value does not fit the type, or forcing it failed.</exception>
    public static object? Deserialize(Evaluator evaluator, Value value, Type type, NixSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(type);
        var converter = new NixValueConverter(options ?? new NixSerializerOptions());
        return evaluator.Run(cx => converter.ConvertRoot(cx, value, type));
    }

    private static T FromResult<T>(Evaluator evaluator, EvaluationResult result, NixSerializerOptions options)
    {
        if (!result.Success)
        {
            var message = result.Error?.Message
                ?? string.Join("; ", result.Diagnostics.Select(d => d.ToString()));
            throw new NixDeserializationException("", "evaluation failed: " + message, result.Error);
        }
        return Deserialize<T>(evaluator, result.Value, options);
    }
}
