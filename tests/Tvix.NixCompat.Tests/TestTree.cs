using System.Text;
using System.Text.Json;
using Tvix.NixCompat.Nar;

namespace Tvix.NixCompat.Tests;

/// <summary>An in-memory file tree for NAR tests: built from vector JSON or at random.</summary>
internal abstract record TestTree
{
    public sealed record File(byte[] Contents, bool Executable) : TestTree;
    public sealed record Link(string Target) : TestTree;
    public sealed record Dir(SortedDictionary<string, TestTree> Entries) : TestTree;

    public static readonly IComparer<string> Utf8Order = Comparer<string>.Create((a, b) => Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)));

    public static TestTree FromJson(JsonElement node)
    {
        switch (node.GetProperty("type").GetString())
        {
            case "regular":
                byte[] contents;
                if (node.OptionalString("contentsBase64") is { } b64) contents = Convert.FromBase64String(b64);
                else if (node.OptionalString("contentsGenerator") == "mod251") contents = HashTests.Mod251(node.GetProperty("size").GetInt32());
                else throw new InvalidOperationException("unknown contents " + node);
                return new File(contents, node.GetProperty("executable").GetBoolean());
            case "symlink":
                return new Link(node.GetProperty("target").GetString()!);
            default:
                var entries = new SortedDictionary<string, TestTree>(Utf8Order);
                foreach (var e in node.GetProperty("entries").EnumerateObject()) entries.Add(e.Name, FromJson(e.Value));
                return new Dir(entries);
        }
    }

    public void Materialize(string path)
    {
        switch (this)
        {
            case File f:
                System.IO.File.WriteAllBytes(path, f.Contents);
                if (!OperatingSystem.IsWindows()) System.IO.File.SetUnixFileMode(path, f.Executable ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100);
                break;
            case Link l:
                System.IO.File.CreateSymbolicLink(path, l.Target);
                break;
            case Dir d:
                Directory.CreateDirectory(path);
                foreach (var (name, child) in d.Entries) child.Materialize(Path.Join(path, name));
                break;
        }
    }

    public async Task WriteToAsync(INarSink sink)
    {
        switch (this)
        {
            case File f:
                await sink.RegularFileAsync(f.Executable, f.Contents.Length, new MemoryStream(f.Contents), -1, default);
                break;
            case Link l:
                await sink.SymlinkAsync(Encoding.UTF8.GetBytes(l.Target), default);
                break;
            case Dir d:
                await sink.BeginDirectoryAsync(default);
                foreach (var (name, child) in d.Entries)
                {
                    await sink.BeginEntryAsync(Encoding.UTF8.GetBytes(name), default);
                    await child.WriteToAsync(sink);
                    await sink.EndEntryAsync(default);
                }
                await sink.EndDirectoryAsync(default);
                break;
        }
    }

    public async Task<byte[]> ToNarAsync()
    {
        var output = new MemoryStream();
        await using (var writer = new NarWriter(output))
        {
            await WriteToAsync(writer);
            await writer.CompleteAsync();
        }
        return output.ToArray();
    }

    public static TestTree Random(Random random, int depth)
    {
        switch (random.Next(depth > 3 ? 2 : 3))
        {
            case 0:
                var contents = new byte[random.Next(4) == 0 ? random.Next(200_000) : random.Next(20)];
                random.NextBytes(contents);
                return new File(contents, random.Next(2) == 0);
            case 1:
                return new Link(RandomName(random) + (random.Next(2) == 0 ? "/../x" : ""));
            default:
                var entries = new SortedDictionary<string, TestTree>(Utf8Order);
                for (var i = random.Next(5); i > 0; i--) entries.TryAdd(RandomName(random), Random(random, depth + 1));
                return new Dir(entries);
        }
    }

    private static string RandomName(Random random)
    {
        const string chars = "abcXYZ019._- éü中";
        var length = random.Next(1, 12);
        var sb = new StringBuilder();
        for (var i = 0; i < length; i++) sb.Append(chars[random.Next(chars.Length)]);
        var name = sb.ToString();
        return name is "." or ".." ? name + "x" : name;
    }
}
