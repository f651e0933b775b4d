using System.Text.Json;
using Tvix.Testing;

namespace Tvix.NixCompat.Tests;

/// <summary>Reads JSON vector files from ../shared/vectors.</summary>
internal static class VectorFiles
{
    public static string Path(params string[] parts) => TestPaths.Shared(["vectors", .. parts]);

    public static JsonElement Json(params string[] parts)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path(parts)));
        return doc.RootElement.Clone();
    }

    public static JsonElement.ArrayEnumerator Cases(params string[] parts) => Json(parts).GetProperty("cases").EnumerateArray();

    public static string? OptionalString(this JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
