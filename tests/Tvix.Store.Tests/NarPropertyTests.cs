using FsCheck;
using FsCheck.Fluent;
using Tvix.CAStore.Import;
using Tvix.NixCompat.Nar;
using Tvix.Store.Nar;

namespace Tvix.Store.Tests;

/// <summary>Random trees: ingest(render(tree)) is the identity, and adding a tree agrees with castore's importer and Nix's dumper.</summary>
public sealed class NarPropertyTests
{
    private abstract record Tree
    {
        public sealed record File(byte[] Contents, bool Executable) : Tree;
        public sealed record Link(string Target) : Tree;
        public sealed record Dir((string Name, Tree Child)[] Entries) : Tree;
    }

    private static readonly string[] Names = ["a", "B", "_", "b", "with space", "ünï", "中", ".keep", "x:y", "back\\slash", "quote\"", "...", "-"];
    private static readonly string[] Targets = ["target", "../up", "/abs/nowhere", "dangling/x", "a b", "."];

    private static Gen<Tree> Files() =>
        from size in Gen.Frequency((2, Gen.Constant(0)), (6, Gen.Choose(1, 2000)), (1, Gen.Choose(70_000, 200_000)))
        from seed in Gen.Choose(0, int.MaxValue)
        from exec in Gen.Elements(false, false, true)
        select (Tree)new Tree.File(Bytes(size, seed), exec);

    private static Gen<Tree> Links() => Gen.Elements(Targets).Select(t => (Tree)new Tree.Link(t));

    private static Gen<Tree> Trees(int depth) => depth == 0
        ? Gen.OneOf(Files(), Links(), Gen.Constant<Tree>(new Tree.Dir([])))
        : Gen.Frequency((3, Files()), (1, Links()), (3,
            from count in Gen.Choose(0, 5)
            from entries in Gen.ArrayOf(from name in Gen.Elements(Names) from child in Trees(depth - 1) select (name, child), count)
            select (Tree)new Tree.Dir(entries.DistinctBy(e => e.name, StringComparer.Ordinal).ToArray())));

    private static byte[] Bytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task WriteAsync(Tree tree, INarSink sink)
    {
        switch (tree)
        {
            case Tree.File f:
                await sink.RegularFileAsync(f.Executable, f.Contents.Length, new MemoryStream(f.Contents), -1, default);
                break;
            case Tree.Link l:
                await sink.SymlinkAsync(System.Text.Encoding.UTF8.GetBytes(l.Target), default);
                break;
            case Tree.Dir d:
                await sink.BeginDirectoryAsync(default);
                foreach (var (name, child) in d.Entries.Select(e => (Name: System.Text.Encoding.UTF8.GetBytes(e.Name), e.Child))
                             .OrderBy(e => e.Name, Comparer<byte[]>.Create(static (a, b) => a.AsSpan().SequenceCompareTo(b))))
                {
                    await sink.BeginEntryAsync(name, default);
                    await WriteAsync(child, sink);
                    await sink.EndEntryAsync(default);
                }
                await sink.EndDirectoryAsync(default);
                break;
        }
    }

    private static void WriteToDisk(Tree tree, string path)
    {
        switch (tree)
        {
            case Tree.File f:
                File.WriteAllBytes(path, f.Contents);
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | (f.Executable ? UnixFileMode.UserExecute : 0));
                break;
            case Tree.Link l:
                File.CreateSymbolicLink(path, l.Target);
                break;
            case Tree.Dir d:
                Directory.CreateDirectory(path);
                foreach (var (name, child) in d.Entries) WriteToDisk(child, Path.Combine(path, name));
                break;
        }
    }

    private static byte[] NarOf(Tree tree)
    {
        var output = new MemoryStream();
        var writer = new NarWriter(output);
        WriteAsync(tree, writer).GetAwaiter().GetResult();
        writer.CompleteAsync().AsTask().GetAwaiter().GetResult();
        return output.ToArray();
    }

    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(60);

    [Fact]
    public void IngestThenRenderIsTheIdentity() =>
        Prop.ForAll(Trees(3).ToArbitrary(), tree =>
        {
            var nar = NarOf(tree);
            var store = TestStore.CreateMemory();
            var ingested = new NarIngester(store.Blobs, store.Directories).IngestAsync(new MemoryStream(nar)).GetAwaiter().GetResult();
            var rendered = new MemoryStream();
            var summary = new NarRenderer(store.Blobs, store.Directories).WriteNarAsync(ingested.Root, rendered).GetAwaiter().GetResult();
            var again = new NarIngester(store.Blobs, store.Directories).IngestAsync(new MemoryStream(rendered.ToArray())).GetAwaiter().GetResult();
            return rendered.ToArray().AsSpan().SequenceEqual(nar) && summary.Equals(ingested.Nar) && (ulong)nar.Length == summary.Size
                   && again.Root.Equals(ingested.Root);
        }).Check(Config);

    [Fact]
    public void AddingATreeAgreesWithTheCastoreImporterAndTheNarDumper() =>
        Prop.ForAll(Trees(2).ToArbitrary(), tree =>
        {
            using var temp = new TempDir();
            var path = temp.Combine("tree");
            WriteToDisk(tree, path);
            var store = TestStore.CreateMemory();
            var info = store.AddPathAsync(path).GetAwaiter().GetResult();
            var imported = new FileSystemImporter(store.Blobs, store.Directories).ImportAsync(path).GetAwaiter().GetResult();
            var dumped = new MemoryStream();
            NarDumper.DumpToStreamAsync(path, dumped).GetAwaiter().GetResult();
            var rendered = new MemoryStream();
            store.DumpAsync(info.StorePath, rendered).GetAwaiter().GetResult();
            return info.Node.Equals(imported) && dumped.ToArray().AsSpan().SequenceEqual(rendered.ToArray())
                   && (ulong)dumped.Length == info.Nar.Size;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(25));
}
