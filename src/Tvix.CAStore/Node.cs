using Google.Protobuf;

namespace Tvix.CAStore;

/// <summary>
/// What a name in a directory points to, without the name: a directory (by digest and size),
/// a file (by content digest, size and executable bit) or a symlink (by target).
/// </summary>
public abstract class Node : IEquatable<Node>
{
    private protected Node()
    {
    }

    /// <inheritdoc/>
    public abstract bool Equals(Node? other);

    /// <inheritdoc/>
    public sealed override bool Equals(object? obj) => obj is Node n && Equals(n);

    /// <inheritdoc/>
    public abstract override int GetHashCode();

    /// <summary>This node with <paramref name="name"/> as a protobuf <c>Node</c> (an empty name for a root node).</summary>
    public Protos.Node ToProto(ReadOnlySpan<byte> name)
    {
        var n = ByteString.CopyFrom(name);
        return this switch
        {
            DirectoryNode d => new Protos.Node { Directory = new Protos.DirectoryNode { Name = n, Digest = d.Digest.ToByteString(), Size = d.Size } },
            FileNode f => new Protos.Node { File = new Protos.FileNode { Name = n, Digest = f.Digest.ToByteString(), Size = f.Size, Executable = f.Executable } },
            SymlinkNode s => new Protos.Node { Symlink = new Protos.SymlinkNode { Name = n, Target = ByteString.CopyFrom(s.Target.Span) } },
            _ => throw new InvalidOperationException("unknown node kind"),
        };
    }

    /// <summary>
    /// Reads a protobuf <c>Node</c>, checking its digest length and symlink target, and returns
    /// its name separately (not checked: a root node's name may be empty or follow other rules).
    /// </summary>
    /// <exception cref="CAStoreValidationException">The node is empty or invalid.</exception>
    public static Node FromProto(Protos.Node node, out ReadOnlyMemory<byte> name)
    {
        ArgumentNullException.ThrowIfNull(node);
        switch (node.NodeCase)
        {
            case Protos.Node.NodeOneofCase.Directory:
                name = node.Directory.Name.Memory;
                return new DirectoryNode(ReadDigest(node.Directory.Digest, "directory"), node.Directory.Size);
            case Protos.Node.NodeOneofCase.File:
                name = node.File.Name.Memory;
                return new FileNode(ReadDigest(node.File.Digest, "file"), node.File.Size, node.File.Executable);
            case Protos.Node.NodeOneofCase.Symlink:
                name = node.Symlink.Name.Memory;
                return new SymlinkNode(node.Symlink.Target.Span);
            default:
                throw new CAStoreValidationException("node has none of directory, file or symlink set");
        }
    }

    internal static B3Digest ReadDigest(ByteString bytes, string what) => B3Digest.TryCreate(bytes.Span, out var d)
        ? d
        : throw new CAStoreValidationException($"{what} digest has {bytes.Length} bytes, not {B3Digest.Length}");
}

/// <summary>A directory, by the digest of its <see cref="CADirectory"/> and its recursive entry count.</summary>
public sealed class DirectoryNode : Node
{
    /// <summary>A directory node.</summary>
    public DirectoryNode(B3Digest digest, ulong size)
    {
        Digest = digest;
        Size = size;
    }

    /// <summary>Digest of the directory's canonical encoding.</summary>
    public B3Digest Digest { get; }

    /// <summary>The directory's <see cref="CADirectory.Size"/>: entries, counted recursively.</summary>
    public ulong Size { get; }

    /// <inheritdoc/>
    public override bool Equals(Node? other) => other is DirectoryNode d && d.Digest == Digest && d.Size == Size;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(1, Digest, Size);

    /// <summary>The command-line form, see <see cref="NodeText"/>.</summary>
    public override string ToString() => NodeText.Format(this);
}

/// <summary>A regular file, by the digest of its contents, its length and its executable bit.</summary>
public sealed class FileNode : Node
{
    /// <summary>A file node.</summary>
    public FileNode(B3Digest digest, ulong size, bool executable)
    {
        Digest = digest;
        Size = size;
        Executable = executable;
    }

    /// <summary>BLAKE3 digest of the contents (the blob's address).</summary>
    public B3Digest Digest { get; }

    /// <summary>Length of the contents in bytes.</summary>
    public ulong Size { get; }

    /// <summary>Whether the file is executable.</summary>
    public bool Executable { get; }

    /// <inheritdoc/>
    public override bool Equals(Node? other) => other is FileNode f && f.Digest == Digest && f.Size == Size && f.Executable == Executable;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(2, Digest, Size, Executable);

    /// <summary>The command-line form, see <see cref="NodeText"/>.</summary>
    public override string ToString() => NodeText.Format(this);
}

/// <summary>A symbolic link, by its target.</summary>
public sealed class SymlinkNode : Node
{
    private readonly byte[] _target;

    /// <summary>A symlink node.</summary>
    /// <exception cref="CAStoreValidationException">The target is empty, too long or contains NUL.</exception>
    public SymlinkNode(ReadOnlySpan<byte> target)
    {
        if (NodeNames.SymlinkTargetError(target) is { } error) throw new CAStoreValidationException(error);
        _target = target.ToArray();
    }

    /// <summary>The target's bytes.</summary>
    public ReadOnlyMemory<byte> Target => _target;

    /// <inheritdoc/>
    public override bool Equals(Node? other) => other is SymlinkNode s && s._target.AsSpan().SequenceEqual(_target);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(_target);
        return h.ToHashCode();
    }

    /// <summary>The command-line form, see <see cref="NodeText"/>.</summary>
    public override string ToString() => NodeText.Format(this);
}
