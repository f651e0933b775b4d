using Google.Protobuf;

namespace Tvix.CAStore;

/// <summary>
/// The validated contents of one directory: entries sorted by name (bytewise), names unique and
/// valid. Immutable; its <see cref="Digest"/> is BLAKE3 of its canonical protobuf encoding, the
/// same bytes Tvix hashes, so digests agree across implementations. (Named <c>CADirectory</c>
/// so it never collides with <see cref="System.IO.Directory"/>.)
/// </summary>
public sealed class CADirectory
{
    private readonly DirectoryEntry[] _entries;
    private System.Collections.ObjectModel.ReadOnlyCollection<DirectoryEntry>? _view;
    // The canonical encoding, made once for the digest and kept: a store writing the directory
    // needs it again, and building the protobuf message a second time cost more than keeping it.
    private readonly byte[] _encoded;

    private CADirectory(DirectoryEntry[] sortedEntries)
    {
        _entries = sortedEntries;
        Size = ComputeSize(sortedEntries);
        _encoded = ToProto().ToByteArray();
        Digest = B3Digest.Compute(_encoded);
    }

    /// <summary>The directory with no entries; its digest is BLAKE3 of zero bytes.</summary>
    public static CADirectory Empty { get; } = new([]);

    /// <summary>All entries, sorted by name.</summary>
    public IReadOnlyList<DirectoryEntry> Entries => _view ??= Array.AsReadOnly(_entries); // a cast cannot reach the array

    /// <summary>
    /// The entries as a span, for loops in this assembly: enumerating <see cref="Entries"/> runs the
    /// framework's read-only collection and array enumerator over this value type, generic code that
    /// ReadyToRun leaves out and every process JIT-compiles (a store add puts thousands of directories).
    /// </summary>
    internal ReadOnlySpan<DirectoryEntry> EntrySpan => _entries;

    /// <summary>
    /// The number of entries counted recursively: each entry counts one, and each subdirectory
    /// adds its own <see cref="DirectoryNode.Size"/>. This is what a <see cref="DirectoryNode"/>
    /// pointing here must carry.
    /// </summary>
    public ulong Size { get; }

    /// <summary>BLAKE3 of <see cref="Encode"/>: this directory's address.</summary>
    public B3Digest Digest { get; }

    /// <summary>A node that points at this directory.</summary>
    public DirectoryNode ToNode() => new(Digest, Size);

    /// <summary>Looks an entry up by name.</summary>
    public bool TryGetNode(ReadOnlySpan<byte> name, out Node node)
    {
        int lo = 0, hi = _entries.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = _entries[mid].Name.Span.SequenceCompareTo(name);
            if (c == 0)
            {
                node = _entries[mid].Node;
                return true;
            }
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        node = null!;
        return false;
    }

    private static ulong ComputeSize(DirectoryEntry[] entries)
    {
        var size = (ulong)entries.Length;
        foreach (var e in entries)
        {
            if (e.Node is DirectoryNode d)
            {
                try
                {
                    size = checked(size + d.Size);
                }
                catch (OverflowException)
                {
                    throw new CAStoreValidationException("directory size exceeds 2^64 - 1");
                }
            }
        }
        return size;
    }

    /// <summary>The protobuf message, with each list sorted by name.</summary>
    public Protos.Directory ToProto()
    {
        var proto = new Protos.Directory();
        foreach (var e in _entries)
        {
            var name = UnsafeByteOperations.UnsafeWrap(e.Name);
            switch (e.Node)
            {
                case DirectoryNode d:
                    proto.Directories.Add(new Protos.DirectoryNode { Name = name, Digest = d.Digest.ToByteString(), Size = d.Size });
                    break;
                case FileNode f:
                    proto.Files.Add(new Protos.FileNode { Name = name, Digest = f.Digest.ToByteString(), Size = f.Size, Executable = f.Executable });
                    break;
                case SymlinkNode s:
                    proto.Symlinks.Add(new Protos.SymlinkNode { Name = name, Target = UnsafeByteOperations.UnsafeWrap(s.Target) });
                    break;
            }
        }
        return proto;
    }

    /// <summary>The canonical protobuf encoding: fields in number order, default values left out.</summary>
    public byte[] Encode() => (byte[])_encoded.Clone();

    /// <summary><see cref="Encode"/> without a copy, for stores that write it as it is.</summary>
    internal ReadOnlyMemory<byte> Encoded => _encoded;

    /// <summary>Decodes and validates a directory from its protobuf encoding.</summary>
    /// <exception cref="CAStoreValidationException">The bytes are not a valid directory.</exception>
    public static CADirectory Decode(ReadOnlySpan<byte> encoded)
    {
        Protos.Directory proto;
        try
        {
            proto = Protos.Directory.Parser.ParseFrom(encoded);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new CAStoreValidationException("not a protobuf Directory: " + e.Message, e);
        }
        return FromProto(proto);
    }

    /// <summary>
    /// Validates a protobuf directory: names valid and unique across the three lists, each list
    /// sorted by name, digests 32 bytes, symlink targets valid, size not overflowing.
    /// </summary>
    /// <exception cref="CAStoreValidationException">The message breaks one of the rules.</exception>
    public static CADirectory FromProto(Protos.Directory proto)
    {
        ArgumentNullException.ThrowIfNull(proto);
        var dirs = new DirectoryEntry[proto.Directories.Count];
        for (var i = 0; i < dirs.Length; i++)
        {
            var d = proto.Directories[i];
            dirs[i] = new DirectoryEntry(CheckedName(d.Name, "directories", i, i > 0 ? proto.Directories[i - 1].Name : null),
                new DirectoryNode(Node.ReadDigest(d.Digest, "directory"), d.Size));
        }
        var files = new DirectoryEntry[proto.Files.Count];
        for (var i = 0; i < files.Length; i++)
        {
            var f = proto.Files[i];
            files[i] = new DirectoryEntry(CheckedName(f.Name, "files", i, i > 0 ? proto.Files[i - 1].Name : null),
                new FileNode(Node.ReadDigest(f.Digest, "file"), f.Size, f.Executable));
        }
        var links = new DirectoryEntry[proto.Symlinks.Count];
        for (var i = 0; i < links.Length; i++)
        {
            var s = proto.Symlinks[i];
            links[i] = new DirectoryEntry(CheckedName(s.Name, "symlinks", i, i > 0 ? proto.Symlinks[i - 1].Name : null),
                new SymlinkNode(s.Target.Span));
        }
        return new CADirectory(MergeUnique(dirs, files, links));
    }

    private static ReadOnlyMemory<byte> CheckedName(ByteString name, string list, int index, ByteString? previous)
    {
        if (NodeNames.NameError(name.Span) is { } error)
            throw new CAStoreValidationException($"{list}[{index}]: {error}");
        if (previous is not null)
        {
            var c = previous.Span.SequenceCompareTo(name.Span);
            if (c == 0) throw new CAStoreValidationException($"{list}[{index}]: duplicate name {NodeNames.Show(name.Span)}");
            if (c > 0) throw new CAStoreValidationException($"{list}[{index}]: {NodeNames.Show(name.Span)} is not sorted after {NodeNames.Show(previous.Span)}");
        }
        return name.Memory;
    }

    /// <summary>Merges three sorted lists into one, rejecting a name that appears in two of them.</summary>
    private static DirectoryEntry[] MergeUnique(DirectoryEntry[] a, DirectoryEntry[] b, DirectoryEntry[] c)
    {
        var result = new DirectoryEntry[a.Length + b.Length + c.Length];
        int i = 0, j = 0, k = 0;
        for (var n = 0; n < result.Length; n++)
        {
            // Pick the smallest head; equal heads mean a name used twice.
            var pick = -1;
            ReadOnlySpan<byte> best = default;
            if (i < a.Length) { pick = 0; best = a[i].Name.Span; }
            if (j < b.Length) Pick(b[j].Name.Span, ref best, ref pick, 1);
            if (k < c.Length) Pick(c[k].Name.Span, ref best, ref pick, 2);
            result[n] = pick switch { 0 => a[i++], 1 => b[j++], _ => c[k++] };
            if (n > 0 && result[n - 1].Name.Span.SequenceEqual(result[n].Name.Span))
                throw new CAStoreValidationException($"duplicate name {NodeNames.Show(result[n].Name.Span)} across the directory's lists");
        }
        return result;
    }

    private static void Pick(ReadOnlySpan<byte> candidate, ref ReadOnlySpan<byte> best, ref int pick, int list)
    {
        if (pick >= 0 && candidate.SequenceCompareTo(best) >= 0) return;
        best = candidate;
        pick = list;
    }

    /// <summary>Creates a directory from entries already sorted by name and checked; for the builder.</summary>
    internal static CADirectory FromSorted(DirectoryEntry[] sorted) => sorted.Length == 0 ? Empty : new CADirectory(sorted);
}
