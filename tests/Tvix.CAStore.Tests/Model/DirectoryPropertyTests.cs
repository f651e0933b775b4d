using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;

namespace Tvix.CAStore.Tests.Model;

/// <summary>Random directories: the canonical encoding round-trips, and every kind of corruption is rejected.</summary>
public sealed class DirectoryPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(200);

    private static Gen<byte[]> Names() =>
        Gen.OneOf(
            Gen.Elements("a", "b", "A", "é", ".keep", "...", "with space", "x:y", "ü-ünïcode").Select(s => System.Text.Encoding.UTF8.GetBytes(s)),
            Gen.ArrayOf(Gen.Choose(1, 255).Select(i => (byte)i)).Where(n => NodeNames.NameError(n) is null));

    private static Gen<B3Digest> Digests() => Gen.Choose(0, int.MaxValue).Select(i => B3Digest.Compute(BitConverter.GetBytes(i)));

    private static Gen<Node> Nodes() => Gen.OneOf(
        from d in Digests() from s in Gen.Choose(0, 1000) select (Node)new DirectoryNode(d, (ulong)s),
        from d in Digests() from s in Gen.Choose(0, 100000) from x in Gen.Elements(true, false) select (Node)new FileNode(d, (ulong)s, x),
        from t in Gen.Elements("target", "../up", "/abs/path", "x") select (Node)new SymlinkNode(System.Text.Encoding.UTF8.GetBytes(t)));

    internal static Gen<CADirectory> Directories() =>
        from entries in Gen.ListOf(from n in Names() from node in Nodes() select (n, node))
        select Build(entries);

    private static CADirectory Build(IEnumerable<(byte[] Name, Node Node)> entries)
    {
        var builder = new CADirectoryBuilder();
        var seen = new HashSet<string>();
        foreach (var (name, node) in entries)
            if (seen.Add(Convert.ToHexString(name))) builder.Add(name, node);
        return builder.Build();
    }

    [Fact]
    public void CanonicalEncodingRoundTrips()
    {
        Prop.ForAll(Directories().ToArbitrary(), dir =>
        {
            var bytes = dir.Encode();
            var back = CADirectory.Decode(bytes);
            return back.Digest == dir.Digest && back.Encode().AsSpan().SequenceEqual(bytes) && back.Size == dir.Size
                   && B3Digest.Compute(bytes) == dir.Digest;
        }).Check(Config);
    }

    private enum Corruption { BadName, Unsorted, Duplicate, ShortDigest, EmptyTarget }

    [Fact]
    public void ValidatorRejectsCorruptedDirectories()
    {
        // The names appended below start with 0xff; random names that do would collide with them
        // before any corruption is applied.
        var gen = from dir in Directories().Where(d => d.Entries.Count >= 2 && d.Entries.All(e => e.Name.Span[0] != 0xff))
                  from corruption in Gen.Elements(Enum.GetValues<Corruption>())
                  from bad in Gen.Elements("", ".", "..", "a/b", "nul\0")
                  select (dir, corruption, bad);
        Prop.ForAll(gen.ToArbitrary(), t =>
        {
            var proto = t.dir.ToProto();
            // Every directory here has at least two entries; make sure the lists we corrupt are populated.
            proto.Files.Add(new Protos.FileNode { Name = ByteString.CopyFrom(0xff, 0xfe), Digest = B3Digest.Empty.ToByteString() });
            proto.Files.Add(new Protos.FileNode { Name = ByteString.CopyFrom(0xff, 0xff), Digest = B3Digest.Empty.ToByteString() });
            proto.Symlinks.Add(new Protos.SymlinkNode { Name = ByteString.CopyFrom(0xff, 0xff, 0x01), Target = ByteString.CopyFromUtf8("t") });
            CADirectory.FromProto(proto); // still valid before the corruption
            var last = proto.Files.Count - 1;
            switch (t.corruption)
            {
                case Corruption.BadName:
                    proto.Files[last].Name = ByteString.CopyFromUtf8(t.bad);
                    break;
                case Corruption.Unsorted:
                    (proto.Files[last], proto.Files[last - 1]) = (proto.Files[last - 1], proto.Files[last]);
                    break;
                case Corruption.Duplicate:
                    proto.Symlinks[^1].Name = proto.Files[last].Name;
                    break;
                case Corruption.ShortDigest:
                    proto.Files[last].Digest = ByteString.CopyFrom(new byte[31]);
                    break;
                case Corruption.EmptyTarget:
                    proto.Symlinks[^1].Target = ByteString.Empty;
                    break;
            }
            try
            {
                CADirectory.FromProto(proto);
                return false;
            }
            catch (CAStoreValidationException)
            {
                return true;
            }
        }).Check(Config);
    }
}
