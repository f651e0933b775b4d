namespace Tvix.NixCompat.Nar;

/// <summary>
/// Receives a file system tree in NAR order: a root node, and for a directory its entries in
/// strictly increasing bytewise order, each wrapped in <see cref="BeginEntryAsync"/> /
/// <see cref="EndEntryAsync"/>. <see cref="NarReader"/> and <see cref="NarDumper"/> drive a sink;
/// <see cref="NarWriter"/>, <see cref="NarRestorer"/> and <see cref="NarListingBuilder"/> are sinks.
/// A store can drive a <see cref="NarWriter"/> from its own tree representation to render NARs.
/// Names, targets and contents streams passed in are only valid during the call (a driver may
/// reuse their memory): a sink copies what it keeps.
/// </summary>
public interface INarSink
{
    /// <summary>
    /// A regular file of <paramref name="size"/> bytes. <paramref name="contents"/> yields exactly
    /// those bytes; the sink may read all, some or none of it. <paramref name="narOffset"/> is the
    /// position of the contents in the NAR when known (reading), otherwise -1.
    /// </summary>
    ValueTask RegularFileAsync(bool executable, long size, Stream contents, long narOffset, CancellationToken cancellationToken);

    /// <summary>A symbolic link with its raw target bytes.</summary>
    ValueTask SymlinkAsync(ReadOnlyMemory<byte> target, CancellationToken cancellationToken);

    /// <summary>Start of a directory; its entries follow.</summary>
    ValueTask BeginDirectoryAsync(CancellationToken cancellationToken);

    /// <summary>Start of a directory entry named <paramref name="name"/>; exactly one node follows.</summary>
    ValueTask BeginEntryAsync(ReadOnlyMemory<byte> name, CancellationToken cancellationToken);

    /// <summary>End of the current directory entry.</summary>
    ValueTask EndEntryAsync(CancellationToken cancellationToken);

    /// <summary>End of the current directory.</summary>
    ValueTask EndDirectoryAsync(CancellationToken cancellationToken);
}
