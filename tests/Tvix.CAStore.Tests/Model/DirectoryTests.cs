using Google.Protobuf;
using Tvix.CAStore.Protos;

namespace Tvix.CAStore.Tests.Model;

public sealed class DirectoryTests
{
    private static readonly B3Digest Dummy = new(new byte[32]);

    [Fact]
    public void EmptyDirectoryEncodesToNothing()
    {
        Assert.Empty(CADirectory.Empty.Encode());
        Assert.Equal(B3Digest.Empty, CADirectory.Empty.Digest);
        Assert.Equal(0UL, CADirectory.Empty.Size);
        Assert.Equal(CADirectory.Empty.Digest, new CADirectoryBuilder().Build().Digest);
    }

    [Fact]
    public void EncodingIsCanonicalProtobuf()
    {
        // Tvix's DIRECTORY_WITH_KEEP: one empty, non-executable file ".keep".
        var dir = new CADirectoryBuilder().Add(".keep", new FileNode(B3Digest.Empty, 0, false)).Build();
        byte[] expected = [0x12, 0x29, 0x0a, 0x05, .. ".keep"u8, 0x12, 0x20, .. B3Digest.Empty.ToArray()];
        Assert.Equal(expected, dir.Encode());
        Assert.Equal(B3Digest.Compute(expected), dir.Digest);
        Assert.Equal(1UL, dir.Size);

        // Set fields appear in field-number order; size and executable only when not default.
        var dir2 = new CADirectoryBuilder()
            .Add("x", new FileNode(Dummy, 300, true))
            .Add("d", new DirectoryNode(Dummy, 1))
            .Add("l", new SymlinkNode("t"u8))
            .Build();
        byte[] expected2 =
        [
            0x0a, 0x27, 0x0a, 0x01, (byte)'d', 0x12, 0x20, .. new byte[32], 0x18, 0x01,
            0x12, 0x2a, 0x0a, 0x01, (byte)'x', 0x12, 0x20, .. new byte[32], 0x18, 0xac, 0x02, 0x20, 0x01,
            0x1a, 0x06, 0x0a, 0x01, (byte)'l', 0x12, 0x01, (byte)'t',
        ];
        Assert.Equal(expected2, dir2.Encode());
        Assert.Equal(4UL, dir2.Size); // three entries plus the subdirectory's one
    }

    [Fact]
    public void EntriesAreSortedBytewiseAndFound()
    {
        var dir = new CADirectoryBuilder()
            .Add("b", new FileNode(Dummy, 1, false))
            .Add("B", new FileNode(Dummy, 2, false))
            .Add([0xc3, 0xa9], new FileNode(Dummy, 3, false)) // é sorts after ASCII
            .Add("a", new DirectoryNode(Dummy, 0))
            .Build();
        Assert.Equal(["B", "a", "b", "é"], dir.Entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Name.Span)).ToArray());
        Assert.True(dir.TryGetNode("b"u8, out var node));
        Assert.Equal(new FileNode(Dummy, 1, false), node);
        Assert.False(dir.TryGetNode("c"u8, out _));
        Assert.Equal(dir.Digest, CADirectory.Decode(dir.Encode()).Digest);
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\0b")]
    public void BadNamesAreRejected(string name)
    {
        Assert.Throws<CAStoreValidationException>(() => new CADirectoryBuilder().Add(name, new FileNode(Dummy, 0, false)));
        var proto = new Protos.Directory();
        proto.Files.Add(new Protos.FileNode { Name = ByteString.CopyFromUtf8(name), Digest = Dummy.ToByteString() });
        Assert.Throws<CAStoreValidationException>(() => CADirectory.FromProto(proto));
    }

    [Fact]
    public void OverlongNameIsRejected() =>
        Assert.Throws<CAStoreValidationException>(() => new CADirectoryBuilder().Add(new string('a', 256), new FileNode(Dummy, 0, false)));

    [Fact]
    public void EntriesAddedInOrderOrNotBuildTheSameDirectory()
    {
        // Added sorted, the builder skips its sort; added in reverse, it sorts.
        string[] names = ["B", "a", "a.b", "ab", "b"];
        var inOrder = new CADirectoryBuilder();
        foreach (var name in names) inOrder.Add(name, new FileNode(Dummy, (ulong)name.Length, false));
        var reversed = new CADirectoryBuilder();
        foreach (var name in names.Reverse()) reversed.Add(name, new FileNode(Dummy, (ulong)name.Length, false));
        Assert.Equal(inOrder.Build().Encode(), reversed.Build().Encode());
        // Sorted apart from a repeated name: still a duplicate.
        Assert.Throws<CAStoreValidationException>(() =>
            new CADirectoryBuilder().Add("a", new FileNode(Dummy, 0, false)).Add("b", new FileNode(Dummy, 0, false)).Add("b", new FileNode(Dummy, 0, false)).Build());
    }

    [Fact]
    public void DuplicatesAreRejectedWithinAndAcrossLists()
    {
        Assert.Throws<CAStoreValidationException>(() =>
            new CADirectoryBuilder().Add("a", new FileNode(Dummy, 0, false)).Add("a", new SymlinkNode("x"u8)).Build());
        var proto = new Protos.Directory();
        proto.Directories.Add(new Protos.DirectoryNode { Name = ByteString.CopyFromUtf8("a"), Digest = Dummy.ToByteString() });
        proto.Symlinks.Add(new Protos.SymlinkNode { Name = ByteString.CopyFromUtf8("a"), Target = ByteString.CopyFromUtf8("x") });
        Assert.Throws<CAStoreValidationException>(() => CADirectory.FromProto(proto));
    }

    [Fact]
    public void UnsortedListIsRejected()
    {
        var proto = new Protos.Directory();
        proto.Files.Add(new Protos.FileNode { Name = ByteString.CopyFromUtf8("b"), Digest = Dummy.ToByteString() });
        proto.Files.Add(new Protos.FileNode { Name = ByteString.CopyFromUtf8("a"), Digest = Dummy.ToByteString() });
        var e = Assert.Throws<CAStoreValidationException>(() => CADirectory.FromProto(proto));
        Assert.Contains("sorted", e.Message);
    }

    [Fact]
    public void BadDigestsTargetsAndSizesAreRejected()
    {
        var shortDigest = new Protos.Directory();
        shortDigest.Files.Add(new Protos.FileNode { Name = ByteString.CopyFromUtf8("a"), Digest = ByteString.CopyFrom(0, 0x42) });
        Assert.Throws<CAStoreValidationException>(() => CADirectory.FromProto(shortDigest));

        foreach (var target in new[] { "", "a\0b" })
        {
            var badTarget = new Protos.Directory();
            badTarget.Symlinks.Add(new Protos.SymlinkNode { Name = ByteString.CopyFromUtf8("a"), Target = ByteString.CopyFromUtf8(target) });
            Assert.Throws<CAStoreValidationException>(() => CADirectory.FromProto(badTarget));
        }

        var overflow = new Protos.Directory();
        overflow.Directories.Add(new Protos.DirectoryNode { Name = ByteString.CopyFromUtf8("a"), Digest = Dummy.ToByteString(), Size = ulong.MaxValue });
        Assert.Throws<CAStoreValidationException>(() => CADirectory.FromProto(overflow));

        Assert.Throws<CAStoreValidationException>(() => CADirectory.Decode([0xff, 0xff]));
    }

    [Fact]
    public void NodesRoundTripThroughProtoAndText()
    {
        Node[] nodes = [new DirectoryNode(Dummy, 7), new FileNode(B3Digest.Empty, 0, true), new FileNode(Dummy, 12, false), new SymlinkNode("../a:b"u8)];
        foreach (var node in nodes)
        {
            var proto = node.ToProto("name"u8);
            Assert.Equal(node, Node.FromProto(Protos.Node.Parser.ParseFrom(proto.ToByteArray()), out var name));
            Assert.Equal("name"u8.ToArray(), name.ToArray());
            Assert.Equal(node, NodeText.Parse(NodeText.Format(node)));
        }
        Assert.Equal("file:b3:rxNJufX5oaagQE3qNtzJSZvLJcmtwRK3zJqTyuQfMmI=:0:x", NodeText.Format(nodes[1]));
        Assert.Equal(nodes[2], NodeText.Parse("file:" + Dummy.ToHex() + ":12"));
        Assert.Throws<CAStoreValidationException>(() => Node.FromProto(new Protos.Node(), out _));
        foreach (var bad in new[] { "dir:", "dir:b3:AAAA:1", "file:b3:rxNJufX5oaagQE3qNtzJSZvLJcmtwRK3zJqTyuQfMmI=:-1", "pipe:x", "symlink:" })
            Assert.Throws<FormatException>(() => NodeText.Parse(bad));
    }
}
