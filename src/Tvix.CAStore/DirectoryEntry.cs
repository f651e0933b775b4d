namespace Tvix.CAStore;

/// <summary>One named entry of a <see cref="CADirectory"/>.</summary>
public readonly struct DirectoryEntry
{
    /// <summary>An entry; the name is not checked here (<see cref="CADirectoryBuilder"/> checks it).</summary>
    public DirectoryEntry(ReadOnlyMemory<byte> name, Node node)
    {
        Name = name;
        Node = node ?? throw new ArgumentNullException(nameof(node));
    }

    /// <summary>The entry's base name (bytes, usually UTF-8).</summary>
    public ReadOnlyMemory<byte> Name { get; }

    /// <summary>What the name points to.</summary>
    public Node Node { get; }
}
