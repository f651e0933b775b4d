using System.Text;
using Microsoft.Win32.SafeHandles;
using Tvix.CAStore.Services.FileSystem;

namespace Tvix.CAStore.Import;

/// <summary>
/// One entry of a local filesystem tree, as <c>lstat(2)</c> sees it (symlinks are not followed),
/// addressed by the exact bytes of its path. Unix allows any bytes but '/' and NUL in a name, and
/// Nix stores such names as they are; .NET's own file APIs turn names that are not UTF-8 into text
/// that no longer opens the file. On 64-bit Linux this class goes to the kernel with the raw bytes,
/// so every name is read, listed and opened exactly; elsewhere it uses .NET's APIs (names there are
/// Unicode by construction).
/// </summary>
public sealed class LocalFileEntry
{
    private readonly byte[]? _raw; // NUL-terminated path bytes on Linux; null elsewhere
    private string? _path; // made from _raw on first use: a walk that needs no text (no filter, no error) makes none

    private LocalFileEntry(string? path, byte[]? raw, byte[] name, FileKind kind, bool executable, long length)
    {
        _path = path;
        _raw = raw;
        Name = name;
        Kind = kind;
        Executable = executable;
        Length = kind == FileKind.Regular ? length : 0;
    }

    /// <summary>
    /// The path as text, for messages and filters: exact when the path is valid UTF-8, otherwise
    /// with U+FFFD for each byte that does not decode (it then cannot be used to open the entry).
    /// </summary>
    public string Path => _path ??= PosixFiles.Show(_raw!);

    /// <summary>The entry's own name (the last path component) as the bytes the filesystem holds.</summary>
    public ReadOnlyMemory<byte> Name { get; }

    /// <summary>What kind of entry this is.</summary>
    public FileKind Kind { get; }

    /// <summary>Whether the owner may execute it (the only permission bit Nix and the castore keep).</summary>
    public bool Executable { get; }

    /// <summary>
    /// A regular file's size in bytes when it was inspected (listed), 0 for anything else. It comes with
    /// the inspection, so a reader that trusts it needs no <c>fstat</c> per file; the file may have
    /// changed since, which <see cref="ReadAt"/> callers see as an early end.
    /// </summary>
    public long Length { get; }

    /// <summary>The entry at <paramref name="path"/> (made absolute; a trailing separator is ignored, so a symlink there is not followed).</summary>
    /// <exception cref="FileNotFoundException">Nothing is at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">The entry cannot be inspected.</exception>
    public static LocalFileEntry Get(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        var name = Encoding.UTF8.GetBytes(System.IO.Path.GetFileName(full));
        if (PosixFiles.IsAvailable)
        {
            var raw = PosixFiles.Encode(full);
            var (kind, executable, length) = PosixFiles.Stat(raw);
            return new LocalFileEntry(full, raw, name, kind, executable, length);
        }
        var (portableKind, portableExecutable, portableLength) = PortableStat(full);
        return new LocalFileEntry(full, null, name, portableKind, portableExecutable, portableLength);
    }

    /// <summary>The entries of this directory (not <c>.</c> and <c>..</c>), in no particular order.</summary>
    /// <exception cref="IOException">This is not a directory, or it cannot be listed.</exception>
    public IReadOnlyList<LocalFileEntry> GetChildren()
    {
        if (Kind != FileKind.Directory) throw new IOException($"'{Path}' is not a directory");
        var children = new List<LocalFileEntry>();
        if (_raw is not null)
        {
            foreach (var listed in PosixFiles.ListDirectoryStat(_raw))
            {
                var raw = PosixFiles.Join(_raw, listed.Name);
                children.Add(new LocalFileEntry(null, raw, listed.Name, listed.Kind, listed.Executable, listed.Length));
            }
            return children;
        }
        foreach (var child in Directory.EnumerateFileSystemEntries(Path))
        {
            var (kind, executable, length) = PortableStat(child);
            children.Add(new LocalFileEntry(child, null, Encoding.UTF8.GetBytes(System.IO.Path.GetFileName(child)), kind, executable, length));
        }
        return children;
    }

    /// <summary>
    /// Opens this regular file for reading (a symlink put in its place meanwhile is not followed).
    /// Reads are synchronous, also through <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/>:
    /// from the page cache they take less time than the thread-pool hop .NET makes for asynchronous file reads on Unix.
    /// Unbuffered (a <see cref="FileStream"/>, whose descriptor a consumer may use directly) unless a buffer is asked for.
    /// </summary>
    /// <param name="bufferSize">The stream's buffer; 0 or 1 for none.</param>
    public Stream OpenRead(int bufferSize = 0)
    {
        if (Kind != FileKind.Regular) throw new IOException($"'{Path}' is not a regular file");
        var stream = new InlineFileStream(_raw is not null
            ? PosixFiles.OpenRead(_raw)
            : File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan));
        return bufferSize > 1 ? new BufferedStream(stream, bufferSize) : stream;
    }

    /// <summary>
    /// Opens this regular file for reading at offsets (<see cref="RandomAccess"/>), not following a
    /// symlink put in its place meanwhile: the bare descriptor, for readers that need no stream (on
    /// Linux one <c>open(2)</c>, where a <see cref="FileStream"/> adds an <c>fstat</c> and <c>lseek</c>s).
    /// </summary>
    public SafeFileHandle OpenHandle()
    {
        if (Kind != FileKind.Regular) throw new IOException($"'{Path}' is not a regular file");
        return _raw is not null
            ? PosixFiles.OpenRead(_raw)
            : File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
    }

    /// <summary>
    /// Reads from <paramref name="file"/> (this entry's <see cref="OpenHandle"/>) at <paramref name="offset"/>,
    /// up to <paramref name="buffer"/>'s length; 0 at the end of the file. On Linux one <c>pread(2)</c>:
    /// <see cref="RandomAccess.Read(SafeFileHandle, Span{byte}, long)"/> adds an <c>lseek</c> per handle
    /// (to learn whether it can seek), which per small file costs about what the read does.
    /// </summary>
    /// <exception cref="IOException">The read fails.</exception>
    public int ReadAt(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (_raw is null) return RandomAccess.Read(file, buffer, offset);
        var read = PosixFiles.TryReadAt(file, buffer, offset, out var errno);
        if (read < 0) throw new IOException($"cannot read '{Path}': {PosixFiles.Message(errno)}");
        return read;
    }

    /// <summary>This symlink's target, as bytes.</summary>
    public byte[] ReadSymlinkTarget()
    {
        if (Kind != FileKind.Symlink) throw new IOException($"'{Path}' is not a symlink");
        if (_raw is not null) return PosixFiles.ReadSymlink(_raw);
        var target = new FileInfo(Path).LinkTarget ?? throw new IOException($"cannot read the symlink '{Path}'");
        return Encoding.UTF8.GetBytes(target);
    }

    /// <summary>What .NET can tell where there is no raw access (special files look like regular ones).</summary>
    private static (FileKind Kind, bool Executable, long Length) PortableStat(string path)
    {
        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists && Directory.Exists(path)) info = new DirectoryInfo(path);
        if (!info.Exists && info.LinkTarget is null) throw new FileNotFoundException($"'{path}' does not exist", path);
        if (info.LinkTarget is not null) return (FileKind.Symlink, false, 0);
        if (info is DirectoryInfo) return (FileKind.Directory, false, 0);
        var executable = !OperatingSystem.IsWindows() && (info.UnixFileMode & UnixFileMode.UserExecute) != 0;
        return (FileKind.Regular, executable, ((FileInfo)info).Length);
    }
}
