namespace Tvix.NixCompat.Nar.Linux;

/// <summary>
/// The entries of one directory as raw names, sorted bytewise (NAR order), with the file type
/// <c>readdir</c> reported. One instance per directory depth is reused for every directory at
/// that depth, so walking a tree allocates nothing per entry. The sort is written out here
/// rather than taken from the framework: its generic sorts would be compiled at run time.
/// </summary>
internal sealed unsafe class DirectoryEntries
{
    private byte[] _names = new byte[4096];
    private int _namesLength;
    // Per entry: name offset (high 32 bits), name length (8 bits), readdir type (8 bits).
    private ulong[] _entries = new ulong[64];
    private ulong[] _scratch = new ulong[64];

    public int Count { get; private set; }

    /// <summary>Index of the next entry to visit.</summary>
    public int Next { get; set; }

    /// <summary>The <c>DIR*</c> while the directory stays open (0 when closed).</summary>
    public nint Handle { get; set; }

    public ReadOnlySpan<byte> Name(int index) => NameOf(_entries[index]);

    public ReadOnlyMemory<byte> NameMemory(int index) => _names.AsMemory((int)(_entries[index] >> 32), (int)((_entries[index] >> 8) & 0xFF));

    public byte Type(int index) => (byte)_entries[index];

    private ReadOnlySpan<byte> NameOf(ulong entry) => _names.AsSpan((int)(entry >> 32), (int)((entry >> 8) & 0xFF));

    /// <summary>Reads every entry but <c>.</c> and <c>..</c> from <paramref name="dir"/> and sorts them.</summary>
    /// <returns>0, or the errno of a failed <c>readdir</c>.</returns>
    public int Load(nint dir)
    {
        Clear();
        while (true)
        {
            var entry = LinuxFs.ReadDir(dir);
            if (entry == null)
            {
                var errno = LinuxFs.LastError;
                if (errno != 0) return errno;
                break;
            }
            // The name is NUL-terminated within the record (d_reclen bytes).
            var name = new ReadOnlySpan<byte>(entry + LinuxFs.DirentNameOffset, *(ushort*)(entry + LinuxFs.DirentRecordLengthOffset) - LinuxFs.DirentNameOffset);
            var length = name.IndexOf((byte)0);
            if (length >= 0) name = name[..length];
            if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)) continue;
            Add(name, entry[LinuxFs.DirentTypeOffset]);
        }
        Sort();
        return 0;
    }

    public void Clear()
    {
        Count = 0;
        Next = 0;
        _namesLength = 0;
    }

    public void Add(ReadOnlySpan<byte> name, byte type)
    {
        // Linux names are at most 255 bytes (NAME_MAX), which the packed length relies on.
        if (name.Length > NarFormat.MaxNameLength) throw new IOException("a directory entry is longer than 255 bytes");
        if (_namesLength + name.Length > _names.Length) _names = Grow(_names, Math.Max(_names.Length * 2, _namesLength + name.Length), _namesLength);
        if (Count == _entries.Length)
        {
            _entries = Grow(_entries, Count * 2, Count);
            _scratch = new ulong[_entries.Length];
        }
        name.CopyTo(_names.AsSpan(_namesLength));
        _entries[Count++] = ((ulong)_namesLength << 32) | ((ulong)name.Length << 8) | type;
        _namesLength += name.Length;
    }

    private static byte[] Grow(byte[] array, int size, int used)
    {
        var next = new byte[size];
        Buffer.BlockCopy(array, 0, next, 0, used);
        return next;
    }

    private static ulong[] Grow(ulong[] array, int size, int used)
    {
        var next = new ulong[size];
        Buffer.BlockCopy(array, 0, next, 0, used * sizeof(ulong));
        return next;
    }

    /// <summary>Bottom-up merge sort of the entries by name bytes (names are distinct).</summary>
    public void Sort()
    {
        var source = _entries;
        var target = _scratch;
        for (var width = 1; width < Count; width *= 2)
        {
            for (var start = 0; start < Count; start += 2 * width)
            {
                var middle = Math.Min(start + width, Count);
                var end = Math.Min(start + 2 * width, Count);
                int left = start, right = middle, output = start;
                while (left < middle && right < end)
                    target[output++] = NameOf(source[left]).SequenceCompareTo(NameOf(source[right])) <= 0 ? source[left++] : source[right++];
                while (left < middle) target[output++] = source[left++];
                while (right < end) target[output++] = source[right++];
            }
            (source, target) = (target, source);
        }
        _entries = source;
        _scratch = target;
    }

    /// <summary>Forgets the names of a large directory so they do not stay allocated for the rest of the walk.</summary>
    public void Trim()
    {
        if (_names.Length > 65536) _names = new byte[4096];
        if (_entries.Length > 8192)
        {
            _entries = new ulong[64];
            _scratch = new ulong[64];
        }
    }
}
