using System.Text;
using System.Text.Json;
using Tvix.Testing;

namespace Tvix.Store.Tests;

/// <summary>Reads ../shared/vectors/nar: the trees, NARs, hashes and store paths C++ Nix produced.</summary>
internal static class NarVectors
{
    public static string CasesDir => TestPaths.Shared("vectors", "nar", "cases");

    public static IEnumerable<object[]> CaseNames()
    {
        if (TestPaths.SharedDir is null) return [["(absent)"]];
        return Directory.EnumerateFiles(CasesDir, "*.json").Order(StringComparer.Ordinal)
            .Select(static f => new object[] { Path.GetFileNameWithoutExtension(f) });
    }

    public static JsonElement Case(string name) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(CasesDir, name + ".json"))).RootElement;

    public static byte[] Nar(string name) => File.ReadAllBytes(Path.Combine(CasesDir, name + ".nar"));

    /// <summary>Builds the case's <c>tree</c> at <paramref name="path"/>.</summary>
    public static void BuildTree(JsonElement node, string path)
    {
        switch (node.GetProperty("type").GetString())
        {
            case "regular":
            {
                File.WriteAllBytes(path, Contents(node));
                var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
                if (node.GetProperty("executable").GetBoolean()) mode |= UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
                break;
            }
            case "symlink":
                File.CreateSymbolicLink(path, node.GetProperty("target").GetString()!);
                break;
            case "directory":
                Directory.CreateDirectory(path);
                foreach (var entry in node.GetProperty("entries").EnumerateObject())
                    BuildTree(entry.Value, Path.Combine(path, entry.Name));
                break;
            default:
                throw new InvalidOperationException("unknown node type in vector");
        }
    }

    private static byte[] Contents(JsonElement node)
    {
        if (node.TryGetProperty("contentsBase64", out var b64)) return Convert.FromBase64String(b64.GetString()!);
        var generator = node.GetProperty("contentsGenerator").GetString();
        if (generator != "mod251") throw new InvalidOperationException("unknown contents generator " + generator);
        var bytes = new byte[node.GetProperty("size").GetInt64()];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i % 251);
        return bytes;
    }

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
