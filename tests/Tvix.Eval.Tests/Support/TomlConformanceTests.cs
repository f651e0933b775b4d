using System.Globalization;
using System.Text.Json;
using Tvix.Eval.Support.Toml;
using Tvix.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Tvix.Eval.Tests.Support;

/// <summary>The toml-test TOML 1.0.0 suite from ../shared/vectors/toml.</summary>
public sealed class TomlConformanceTests(ITestOutputHelper output)
{
    private static string Root => TestPaths.Shared("vectors", "toml", "toml-test");

    [SharedFact]
    public void EveryValidDocumentParsesToItsTaggedJson()
    {
        var failures = new List<string>();
        var files = Directory.GetFiles(Path.Combine(Root, "valid"), "*.toml", SearchOption.AllDirectories);
        Assert.True(files.Length >= 200, $"only {files.Length} valid documents found");
        foreach (var file in files)
        {
            var rel = Path.GetRelativePath(Root, file);
            try
            {
                var value = TomlParser.Parse(File.ReadAllBytes(file));
                using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.ChangeExtension(file, ".json")));
                var diff = Compare(value, expected.RootElement, "");
                if (diff != null) failures.Add($"{rel}: {diff}");
            }
            catch (TomlException e)
            {
                failures.Add($"{rel}: rejected: {e.Message}");
            }
        }
        output.WriteLine($"valid: {files.Length - failures.Count}/{files.Length} pass");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [SharedFact]
    public void EveryInvalidDocumentIsRejectedWithAPosition()
    {
        var accepted = new List<string>();
        var files = Directory.GetFiles(Path.Combine(Root, "invalid"), "*.toml", SearchOption.AllDirectories);
        Assert.True(files.Length >= 400, $"only {files.Length} invalid documents found");
        foreach (var file in files)
        {
            try
            {
                TomlParser.Parse(File.ReadAllBytes(file));
                accepted.Add(Path.GetRelativePath(Root, file));
            }
            catch (TomlException e)
            {
                Assert.True(e.Line >= 1 && e.Column >= 1);
                Assert.Contains("line", e.Message, StringComparison.Ordinal);
            }
        }
        output.WriteLine($"invalid: {files.Length - accepted.Count}/{files.Length} rejected");
        Assert.True(accepted.Count == 0, "accepted: " + string.Join('\n', accepted));
    }

    private static string? Compare(TomlValue value, JsonElement expected, string path)
    {
        switch (value.Kind)
        {
            case TomlValueKind.Table:
                if (expected.ValueKind != JsonValueKind.Object) return $"{path}: table, expected {expected}";
                var count = 0;
                foreach (var prop in expected.EnumerateObject())
                {
                    count++;
                    if (!value.Entries!.TryGetValue(prop.Name, out var child)) return $"{path}: missing key '{prop.Name}'";
                    var d = Compare(child, prop.Value, path + "." + prop.Name);
                    if (d != null) return d;
                }
                return count == value.Entries!.Count ? null : $"{path}: {value.Entries.Count} keys, expected {count}";
            case TomlValueKind.Array:
                if (expected.ValueKind != JsonValueKind.Array) return $"{path}: array, expected {expected}";
                if (expected.GetArrayLength() != value.Items!.Count) return $"{path}: {value.Items.Count} items, expected {expected.GetArrayLength()}";
                for (var i = 0; i < value.Items.Count; i++)
                {
                    var d = Compare(value.Items[i], expected[i], $"{path}[{i}]");
                    if (d != null) return d;
                }
                return null;
        }
        if (expected.ValueKind != JsonValueKind.Object || !expected.TryGetProperty("type", out var type)) return $"{path}: scalar, expected {expected}";
        var text = expected.GetProperty("value").GetString()!;
        var typeName = type.GetString();
        switch (value.Kind)
        {
            case TomlValueKind.String:
                return typeName == "string" && text == value.StringValue ? null : $"{path}: string '{value.StringValue}', expected {expected}";
            case TomlValueKind.Integer:
                return typeName == "integer" && long.Parse(text, CultureInfo.InvariantCulture) == value.IntegerValue ? null : $"{path}: integer {value.IntegerValue}, expected {expected}";
            case TomlValueKind.Boolean:
                return typeName == "bool" && text == (value.BooleanValue ? "true" : "false") ? null : $"{path}: bool, expected {expected}";
            case TomlValueKind.Float:
                if (typeName != "float") return $"{path}: float, expected {expected}";
                var want = text switch
                {
                    "inf" or "+inf" => double.PositiveInfinity,
                    "-inf" => double.NegativeInfinity,
                    "nan" or "+nan" or "-nan" => double.NaN,
                    _ => double.Parse(text, CultureInfo.InvariantCulture),
                };
                return want.Equals(value.FloatValue) ? null : $"{path}: float {value.FloatValue:R}, expected {expected}";
            default:
                var wantKind = typeName switch
                {
                    "datetime" => TomlValueKind.OffsetDateTime,
                    "datetime-local" => TomlValueKind.LocalDateTime,
                    "date-local" => TomlValueKind.LocalDate,
                    "time-local" => TomlValueKind.LocalTime,
                    _ => (TomlValueKind)(-1),
                };
                if (wantKind != value.Kind) return $"{path}: {value.Kind}, expected {expected}";
                // The expected text is itself a TOML date-time; compare the fields.
                var parsed = TomlParser.Parse("v = " + text).Entries!["v"].DateTimeValue;
                return parsed == value.DateTimeValue ? null : $"{path}: {value.DateTimeValue.ToNixString()}, expected {expected}";
        }
    }
}
