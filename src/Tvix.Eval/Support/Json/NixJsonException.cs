namespace Tvix.Eval.Support.Json;

/// <summary>A JSON document was rejected by <see cref="NixJsonReader{TValue, TKey, TFactory}"/>, or a value cannot be written as JSON.</summary>
internal sealed class NixJsonException : Exception
{
    public NixJsonException(string message)
        : base(message)
    {
    }
}
