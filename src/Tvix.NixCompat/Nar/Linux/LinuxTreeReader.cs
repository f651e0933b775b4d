namespace Tvix.NixCompat.Nar.Linux;

/// <summary>What <see cref="LinuxTreeReader.Read"/> reached.</summary>
internal enum TreeEvent
{
    RegularFile,
    Symlink,
    BeginDirectory,
    BeginEntry,
    EndEntry,
    EndDirectory,
}

/// <summary>
/// Walks a file system tree in NAR order with raw byte names, one event per <see cref="Read"/>,
/// like an XML reader: no recursion, no async, nothing allocated per entry. Names come from
/// <c>readdir</c> as bytes and nodes are opened with <c>openat</c> relative to their directory,
/// never following symlinks. A regular file's descriptor stays open until the next
/// <see cref="Read"/>, for the caller to copy its contents.
/// </summary>
internal sealed unsafe class LinuxTreeReader : IDisposable
{
    private enum State { Root, Node, AfterNode, DirectoryBody, Done }

    private readonly FdPath _path;
    private readonly string _root;
    private readonly List<DirectoryEntries> _levels = [];
    private readonly byte[] _target = new byte[NarFormat.MaxTargetLength + 1];
    private State _state = State.Root;
    private int _depth;
    private int _fileFd = -1;

    public LinuxTreeReader(string root)
    {
        _root = root;
        _path = new FdPath(root);
    }

    public TreeEvent Event { get; private set; }

    /// <summary>For <see cref="TreeEvent.RegularFile"/>: the open file, its size and executable bit.</summary>
    public int FileDescriptor => _fileFd;
    public long Size { get; private set; }
    public bool Executable { get; private set; }

    /// <summary>For <see cref="TreeEvent.Symlink"/>: the raw target (valid until the next read).</summary>
    public ReadOnlySpan<byte> Target => _target.AsSpan(0, TargetLength);
    public ReadOnlyMemory<byte> TargetMemory => _target.AsMemory(0, TargetLength);
    private int TargetLength { get; set; }

    /// <summary>For <see cref="TreeEvent.BeginEntry"/>: the raw entry name (valid until the next read).</summary>
    public ReadOnlySpan<byte> Name => Current.Name(Current.Next - 1);
    public ReadOnlyMemory<byte> NameMemory => Current.NameMemory(Current.Next - 1);

    /// <summary>The path of the current node, for messages.</summary>
    public string CurrentPath => _path.ToString();

    private DirectoryEntries Current => _levels[_depth - 1];

    /// <summary>Moves to the next event; false at the end of the tree.</summary>
    public bool Read()
    {
        CloseFile();
        switch (_state)
        {
            case State.Root:
                ReadRoot();
                return true;
            case State.Node:
                ReadNode(Current.Type(Current.Next - 1));
                return true;
            case State.AfterNode:
                if (_depth == 0)
                {
                    _state = State.Done;
                    return false;
                }
                _path.Leave();
                Event = TreeEvent.EndEntry;
                _state = State.DirectoryBody;
                return true;
            case State.DirectoryBody:
                var directory = Current;
                if (directory.Next < directory.Count)
                {
                    _path.Enter(directory.Name(directory.Next));
                    directory.Next++;
                    Event = TreeEvent.BeginEntry;
                    _state = State.Node;
                    return true;
                }
                CloseDirectory(directory);
                directory.Trim();
                _path.LeaveDirectory();
                _depth--;
                Event = TreeEvent.EndDirectory;
                _state = State.AfterNode;
                return true;
            default:
                return false;
        }
    }

    private void ReadRoot()
    {
        var stat = stackalloc byte[LinuxFs.StatxBufferSize];
        int result;
        fixed (byte* path = _path.Bytes) result = LinuxFs.Statx(LinuxFs.AtFdCwd, path, LinuxFs.AtSymlinkNoFollow, LinuxFs.StatxType, stat);
        if (result != 0)
        {
            var errno = LinuxFs.LastError;
            if (errno == LinuxFs.ENoEnt) throw new FileNotFoundException($"path '{_root}' does not exist", _root);
            throw LinuxFs.Error(errno, "getting status of", _root);
        }
        ReadNode(TypeOfMode(LinuxFs.StatxModeOf(stat)));
    }

    private void ReadNode(byte type)
    {
        var (dirFd, offset) = _path.Locate();
        fixed (byte* bytes = _path.Bytes)
        {
            var name = bytes + offset;
            if (type == LinuxFs.DtUnknown) type = StatType(dirFd, name);
            switch (type)
            {
                case LinuxFs.DtRegular:
                    OpenFile(dirFd, name);
                    Event = TreeEvent.RegularFile;
                    _state = State.AfterNode;
                    return;
                case LinuxFs.DtSymlink:
                    ReadLink(dirFd, name);
                    Event = TreeEvent.Symlink;
                    _state = State.AfterNode;
                    return;
                case LinuxFs.DtDirectory:
                    OpenDirectory(dirFd, name);
                    Event = TreeEvent.BeginDirectory;
                    _state = State.DirectoryBody;
                    return;
                default:
                    throw Unsupported();
            }
        }
    }

    private IOException Unsupported() =>
        new($"file '{CurrentPath}' has an unsupported type (not a regular file, directory or symlink)");

    private static byte TypeOfMode(ushort mode) => (mode & LinuxFs.ModeTypeMask) switch
    {
        LinuxFs.ModeRegular => LinuxFs.DtRegular,
        LinuxFs.ModeDirectory => LinuxFs.DtDirectory,
        LinuxFs.ModeSymlink => LinuxFs.DtSymlink,
        // Anything else: FIFO, socket, device. Never DT_UNKNOWN, so it is not asked again.
        _ => 1,
    };

    private byte StatType(int dirFd, byte* name)
    {
        var stat = stackalloc byte[LinuxFs.StatxBufferSize];
        if (LinuxFs.Statx(dirFd, name, LinuxFs.AtSymlinkNoFollow, LinuxFs.StatxType, stat) != 0)
            throw LinuxFs.Error(LinuxFs.LastError, "getting status of", CurrentPath);
        return TypeOfMode(LinuxFs.StatxModeOf(stat));
    }

    private void OpenFile(int dirFd, byte* name)
    {
        // O_NONBLOCK: if the file was swapped for a FIFO since readdir, do not wait for a writer.
        var fd = LinuxFs.OpenAt(dirFd, name, LinuxFs.ORdOnly | LinuxFs.ONoFollow | LinuxFs.OCloExec | LinuxFs.ONonBlock | LinuxFs.ONoCtty, 0);
        if (fd < 0) throw LinuxFs.Error(LinuxFs.LastError, "opening file", CurrentPath);
        _fileFd = fd;
        var stat = stackalloc byte[LinuxFs.StatxBufferSize];
        byte empty = 0;
        if (LinuxFs.Statx(fd, &empty, LinuxFs.AtEmptyPath, LinuxFs.StatxType | LinuxFs.StatxMode | LinuxFs.StatxSize, stat) != 0)
            throw LinuxFs.Error(LinuxFs.LastError, "getting status of", CurrentPath);
        var mode = LinuxFs.StatxModeOf(stat);
        if ((mode & LinuxFs.ModeTypeMask) != LinuxFs.ModeRegular) throw Unsupported();
        // As Nix: executable when the owner may execute it.
        Executable = (mode & LinuxFs.ModeUserExecute) != 0;
        Size = LinuxFs.StatxSizeOf(stat);
    }

    private void ReadLink(int dirFd, byte* name)
    {
        nint length;
        fixed (byte* target = _target) length = LinuxFs.ReadLinkAt(dirFd, name, target, (nuint)_target.Length);
        if (length < 0) throw LinuxFs.Error(LinuxFs.LastError, "reading symbolic link", CurrentPath);
        if (length >= _target.Length) throw new IOException($"symbolic link '{CurrentPath}' has a target longer than {NarFormat.MaxTargetLength} bytes");
        TargetLength = (int)length;
    }

    private void OpenDirectory(int dirFd, byte* name)
    {
        var fd = LinuxFs.OpenAt(dirFd, name, LinuxFs.ORdOnly | LinuxFs.ODirectory | LinuxFs.ONoFollow | LinuxFs.OCloExec, 0);
        if (fd < 0) throw LinuxFs.Error(LinuxFs.LastError, "opening directory", CurrentPath);
        var dir = LinuxFs.FdOpenDir(fd);
        if (dir == 0)
        {
            var errno = LinuxFs.LastError;
            LinuxFs.Close(fd);
            throw LinuxFs.Error(errno, "opening directory", CurrentPath);
        }
        if (_depth == _levels.Count) _levels.Add(new DirectoryEntries());
        var entries = _levels[_depth];
        entries.Handle = dir;
        _depth++;
        var keep = _path.KeepsNextDescriptor;
        _path.EnterDirectory(keep ? LinuxFs.DirFd(dir) : -1);
        var error = entries.Load(dir);
        if (error != 0) throw LinuxFs.Error(error, "reading directory", CurrentPath);
        // Beyond the limit, children are opened by a path relative to a shallower directory.
        if (!keep) CloseDirectory(entries);
    }

    private static void CloseDirectory(DirectoryEntries entries)
    {
        if (entries.Handle != 0) LinuxFs.CloseDir(entries.Handle);
        entries.Handle = 0;
    }

    private void CloseFile()
    {
        if (_fileFd < 0) return;
        LinuxFs.Close(_fileFd);
        _fileFd = -1;
    }

    public void Dispose()
    {
        CloseFile();
        for (var i = 0; i < _depth; i++) CloseDirectory(_levels[i]);
        _depth = 0;
        _state = State.Done;
    }
}
