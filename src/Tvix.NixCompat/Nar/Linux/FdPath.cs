using System.Text;

namespace Tvix.NixCompat.Nar.Linux;

/// <summary>
/// The path of the node being visited, as raw bytes, and where to open it from: relative to the
/// descriptor of its directory, so each open resolves one name (no repeated walks of the whole
/// path, no races with a directory being swapped for a symlink higher up). At most
/// <see cref="MaxOpenDirectories"/> directory descriptors are kept; deeper nodes are opened
/// relative to the deepest kept one. Does not own the descriptors.
/// </summary>
internal sealed class FdPath
{
    /// <summary>Directory levels that keep a descriptor (far below the usual 1024 open files).</summary>
    public const int MaxOpenDirectories = 128;

    private byte[] _path = new byte[256];
    private int _length;
    // Per directory level: its descriptor (-1 when beyond the limit) and the length of its path.
    private int[] _fds = new int[16];
    private int[] _ends = new int[16];

    /// <summary>Directories entered and not yet left.</summary>
    public int Depth { get; private set; }

    /// <summary>Starts at <paramref name="root"/> (relative to the working directory, or absolute).</summary>
    public FdPath(string root)
    {
        var count = Encoding.UTF8.GetByteCount(root);
        EnsureCapacity(count + 1);
        _length = Encoding.UTF8.GetBytes(root, _path);
        _path[_length] = 0;
    }

    /// <summary>True when a directory entered now would keep its descriptor.</summary>
    public bool KeepsNextDescriptor => Depth < MaxOpenDirectories;

    /// <summary>Moves to the entry <paramref name="name"/> of the current directory.</summary>
    public void Enter(ReadOnlySpan<byte> name)
    {
        EnsureCapacity(_length + name.Length + 2);
        _path[_length++] = (byte)'/';
        name.CopyTo(_path.AsSpan(_length));
        _length += name.Length;
        _path[_length] = 0;
    }

    /// <summary>Back from an entry to its directory.</summary>
    public void Leave()
    {
        _length = _ends[Depth - 1];
        _path[_length] = 0;
    }

    /// <summary>The current node is a directory now open as <paramref name="fd"/> (or -1 when not kept).</summary>
    public void EnterDirectory(int fd)
    {
        if (Depth == _fds.Length)
        {
            Array.Resize(ref _fds, Depth * 2);
            Array.Resize(ref _ends, Depth * 2);
        }
        _fds[Depth] = fd;
        _ends[Depth] = _length;
        Depth++;
    }

    /// <summary>Leaves the innermost directory (the caller closes its descriptor).</summary>
    public void LeaveDirectory() => Depth--;

    /// <summary>
    /// Where to open the current node: a directory descriptor (or <c>AT_FDCWD</c> for the root)
    /// and the offset in <see cref="Bytes"/> of the NUL-terminated path relative to it.
    /// </summary>
    public (int DirFd, int Offset) Locate()
    {
        if (Depth == 0) return (LinuxFs.AtFdCwd, 0);
        var anchor = Math.Min(Depth, MaxOpenDirectories) - 1;
        return (_fds[anchor], _ends[anchor] + 1);
    }

    /// <summary>The path buffer; the current path is NUL-terminated.</summary>
    public byte[] Bytes => _path;

    /// <summary>The current path, for messages.</summary>
    public override string ToString() => Encoding.UTF8.GetString(_path, 0, _length);

    private void EnsureCapacity(int needed)
    {
        if (needed > _path.Length) Array.Resize(ref _path, Math.Max(needed, _path.Length * 2));
    }
}
