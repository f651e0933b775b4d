using System.Buffers;

namespace Tvix.NixCompat.Nar;

/// <summary>The kind of a node in a NAR.</summary>
public enum NarNodeType
{
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A symbolic link.</summary>
    Symlink,
    /// <summary>A directory.</summary>
    Directory,
}

/// <summary>
/// One node of a NAR listing (what <c>nix nar ls</c> shows): type, size, executable bit and
/// content offset of files, target of symlinks, entries of directories (in NAR order).
/// </summary>
public sealed class NarListingNode
{
    private readonly List<KeyValuePair<ByteString, NarListingNode>>? _entries;

    private NarListingNode(NarNodeType type, long size, bool executable, long narOffset, ByteString target)
    {
        Type = type;
        Size = size;
        Executable = executable;
        NarOffset = narOffset;
        Target = target;
        if (type == NarNodeType.Directory) _entries = [];
    }

    internal static NarListingNode File(bool executable, long size, long narOffset) => new(NarNodeType.Regular, size, executable, narOffset, default);

    internal static NarListingNode Link(ByteString target) => new(NarNodeType.Symlink, 0, false, -1, target);

    internal static NarListingNode Dir() => new(NarNodeType.Directory, 0, false, -1, default);

    /// <summary>The node type.</summary>
    public NarNodeType Type { get; }

    /// <summary>Size of a regular file in bytes.</summary>
    public long Size { get; }

    /// <summary>Whether a regular file is executable.</summary>
    public bool Executable { get; }

    /// <summary>Position of a regular file's contents in the NAR, or -1 when unknown.</summary>
    public long NarOffset { get; }

    /// <summary>Target of a symlink.</summary>
    public ByteString Target { get; }

    /// <summary>Entries of a directory in NAR (bytewise) order; empty for other nodes.</summary>
    public IReadOnlyList<KeyValuePair<ByteString, NarListingNode>> Entries => (IReadOnlyList<KeyValuePair<ByteString, NarListingNode>>?)_entries ?? [];

    internal void Add(ByteString name, NarListingNode node) => _entries!.Add(new(name, node));

    /// <summary>
    /// The node at a slash-separated path relative to this one (<c>""</c>, <c>"/"</c> or
    /// <c>"."</c> is this node); null when absent. Symlinks are not followed.
    /// </summary>
    public NarListingNode? Find(string path)
    {
        var node = this;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (node._entries == null) return null;
            var name = ByteString.FromUtf8(part);
            NarListingNode? next = null;
            foreach (var (key, child) in node._entries)
            {
                if (key == name)
                {
                    next = child;
                    break;
                }
            }
            if (next == null) return null;
            node = next;
        }
        return node;
    }

    /// <summary>
    /// Writes the JSON of <c>nix nar ls --json</c> (with <paramref name="recursive"/>: <c>-R</c>):
    /// <c>{"type":"regular","size":N,"executable":true,"narOffset":N}</c>, <c>{"type":"symlink","target":…}</c>
    /// or <c>{"type":"directory","entries":{…}}</c>, compact, as Nix 2.8 prints it.
    /// </summary>
    public void WriteJson(IBufferWriter<byte> destination, bool recursive = true)
    {
        switch (Type)
        {
            case NarNodeType.Regular:
                NixJson.WriteRaw(destination, "{\"type\":\"regular\",\"size\":"u8);
                NixJson.WriteNumber(destination, Size);
                if (Executable) NixJson.WriteRaw(destination, ",\"executable\":true"u8);
                if (NarOffset > 0)
                {
                    NixJson.WriteRaw(destination, ",\"narOffset\":"u8);
                    NixJson.WriteNumber(destination, NarOffset);
                }
                NixJson.WriteRaw(destination, "}"u8);
                break;
            case NarNodeType.Symlink:
                NixJson.WriteRaw(destination, "{\"type\":\"symlink\",\"target\":"u8);
                NixJson.WriteString(destination, Target.Span);
                NixJson.WriteRaw(destination, "}"u8);
                break;
            default:
                NixJson.WriteRaw(destination, "{\"type\":\"directory\",\"entries\":{"u8);
                var first = true;
                foreach (var (name, child) in Entries)
                {
                    if (!first) NixJson.WriteRaw(destination, ","u8);
                    first = false;
                    NixJson.WriteString(destination, name.Span);
                    NixJson.WriteRaw(destination, ":"u8);
                    if (recursive) child.WriteJson(destination, true);
                    else NixJson.WriteRaw(destination, "{}"u8);
                }
                NixJson.WriteRaw(destination, "}}"u8);
                break;
        }
    }
}

/// <summary>A sink that records the tree as <see cref="NarListingNode"/>s without keeping file contents.</summary>
public sealed class NarListingBuilder : INarSink
{
    private readonly Stack<NarListingNode> _directories = new();
    private ByteString? _pendingName;

    /// <summary>The root node once the NAR has been read.</summary>
    public NarListingNode? Root { get; private set; }

    private void Place(NarListingNode node)
    {
        if (_directories.Count == 0)
        {
            if (Root != null) throw new InvalidOperationException("a NAR has exactly one root node");
            Root = node;
            return;
        }
        var name = _pendingName ?? throw new InvalidOperationException("a node inside a directory must be inside an entry");
        _directories.Peek().Add(name, node);
        _pendingName = null;
    }

    /// <inheritdoc />
    public ValueTask RegularFileAsync(bool executable, long size, Stream contents, long narOffset, CancellationToken cancellationToken)
    {
        Place(NarListingNode.File(executable, size, narOffset));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask SymlinkAsync(ReadOnlyMemory<byte> target, CancellationToken cancellationToken)
    {
        Place(NarListingNode.Link(ByteString.CopyFrom(target.Span)));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask BeginDirectoryAsync(CancellationToken cancellationToken)
    {
        var node = NarListingNode.Dir();
        Place(node);
        _directories.Push(node);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask BeginEntryAsync(ReadOnlyMemory<byte> name, CancellationToken cancellationToken)
    {
        _pendingName = ByteString.CopyFrom(name.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask EndEntryAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask EndDirectoryAsync(CancellationToken cancellationToken)
    {
        _directories.Pop();
        return ValueTask.CompletedTask;
    }
}
