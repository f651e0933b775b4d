using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Tvix.CAStore.Tests.Import;

/// <summary>A filesystem tree to generate, write to disk and compare.</summary>
internal abstract record RandomTree
{
    public sealed record File(byte[] Contents, bool Executable) : RandomTree;

    public sealed record Link(string Target) : RandomTree;

    public sealed record Dir(IReadOnlyList<(string Name, RandomTree Child)> Entries) : RandomTree;

    private static readonly string[] OddNames =
    [
        "a", "B", "with space", "-dash", "ünïcödé", "...", ".hidden", "x:y", "tab\tname", "new\nline", "*star",
        "back\\slash", "日本", "quote'\"", "%20", "a.b.c", "🙂",
    ];

    private static readonly string[] Targets = ["target", "../up", "/abs/nowhere", "dangling/x", "a b", "ünï", "."];

    private static Gen<string> Names() => Gen.OneOf(
        Gen.Elements(OddNames),
        Gen.Choose(1, 12).SelectMany(n => Gen.ArrayOf(Gen.Elements("abcXYZ0129_-.".ToCharArray()), n)).Select(c => new string(c))
            .Where(s => s != "." && s != ".."));

    private static Gen<RandomTree> Files() =>
        from size in Gen.Frequency((2, Gen.Constant(0)), (6, Gen.Choose(1, 3000)), (1, Gen.Choose(60_000, 140_000)))
        from seed in Gen.Choose(0, int.MaxValue)
        from exec in Gen.Elements(false, false, true)
        select (RandomTree)new File(Bytes(size, seed), exec);

    private static byte[] Bytes(int size, int seed)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        return b;
    }

    public static Gen<RandomTree> Directories(int depth) =>
        from count in Gen.Choose(0, depth > 0 ? 6 : 3)
        from entries in Gen.ArrayOf(
            from name in Names()
            from child in depth > 0
                ? Gen.Frequency((5, Files()), (2, Gen.Elements(Targets).Select(t => (RandomTree)new Link(t))), (2, Directories(depth - 1)))
                : Gen.Frequency((5, Files()), (2, Gen.Elements(Targets).Select(t => (RandomTree)new Link(t))), (1, Gen.Constant<RandomTree>(new Dir([]))))
            select (name, child), count)
        select (RandomTree)new Dir(entries.DistinctBy(e => e.name, StringComparer.Ordinal).ToArray());

    public void WriteTo(string path)
    {
        switch (this)
        {
            case File f:
                System.IO.File.WriteAllBytes(path, f.Contents);
                if (!OperatingSystem.IsWindows())
                    System.IO.File.SetUnixFileMode(path, f.Executable
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite);
                break;
            case Link l:
                System.IO.File.CreateSymbolicLink(path, l.Target);
                break;
            case Dir d:
                Directory.CreateDirectory(path);
                foreach (var (name, child) in d.Entries) child.WriteTo(Path.Combine(path, name));
                break;
        }
    }

    /// <summary>Describes what is on disk at <paramref name="path"/> (kinds, bytes, exec bit, targets), for comparisons.</summary>
    public static string Describe(string path)
    {
        var sb = new StringBuilder();
        Describe(path, "", sb);
        return sb.ToString();
    }

    private static void Describe(string path, string indent, StringBuilder sb)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            sb.Append(indent).Append("link -> ").AppendLine(target);
        }
        else if (Directory.Exists(path))
        {
            sb.Append(indent).AppendLine("dir");
            foreach (var child in new DirectoryInfo(path).EnumerateFileSystemInfos().OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                sb.Append(indent).Append("  ").Append(child.Name).AppendLine(":");
                Describe(child.FullName, indent + "    ", sb);
            }
        }
        else
        {
            var exec = !OperatingSystem.IsWindows() && (System.IO.File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0;
            sb.Append(indent).Append(exec ? "exec " : "file ").AppendLine(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.IO.File.ReadAllBytes(path))));
        }
    }
}
