using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Tvix.NixCompat.Nar.Linux;

/// <summary>
/// Creates the nodes <see cref="NarRestorer"/> is given, with raw byte names, relative to the
/// descriptors of the directories it created itself: every node is made fresh (<c>O_EXCL</c>,
/// <c>mkdirat</c>, <c>symlinkat</c>) and nothing is followed, so nothing can land outside the
/// destination even if something swaps a directory for a symlink meanwhile. The directory
/// descriptors are safe handles, so a restore abandoned half-way (a bad NAR) does not leak them.
/// </summary>
internal sealed class LinuxTreeWriter : ITreeWriter
{
    private const uint DirectoryMode = 0x1FF; // 0777, less the umask, like mkdir(1)
    private const uint ExecutableMode = 0x1ED; // 0755
    private const uint RegularMode = 0x1A4; // 0644

    private readonly FdPath _path;
    private readonly string _root;
    private readonly Stack<SafeFileHandle?> _directories = new();

    public LinuxTreeWriter(string root)
    {
        _root = root;
        _path = new FdPath(root);
    }

    private string CurrentPath => _path.ToString();

    public void Enter(ReadOnlySpan<byte> name) => _path.Enter(name);

    public void Leave() => _path.Leave();

    public async ValueTask RegularFileAsync(bool executable, long size, Stream contents, CancellationToken cancellationToken)
    {
        var fd = CreateFile(executable);
        var buffer = ArrayPool<byte>.Shared.Rent(65536);
        try
        {
            long written = 0;
            while (written < size)
            {
                var read = await contents.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - written)), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                WriteAll(fd, buffer.AsSpan(0, read));
                written += read;
            }
            if (written != size) throw new IOException($"file '{CurrentPath}' ended after {written} of {size} bytes");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            LinuxFs.Close(fd);
        }
    }

    private unsafe int CreateFile(bool executable)
    {
        var (dirFd, offset) = _path.Locate();
        int result;
        fixed (byte* path = _path.Bytes)
            result = LinuxFs.OpenAt(dirFd, path + offset, LinuxFs.OWrOnly | LinuxFs.OCreat | LinuxFs.OExcl | LinuxFs.ONoFollow | LinuxFs.OCloExec,
                executable ? ExecutableMode : RegularMode);
        if (result < 0) throw CreateError(LinuxFs.LastError, "creating file");
        return result;
    }

    private unsafe void WriteAll(int fd, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            var offset = 0;
            while (offset < bytes.Length)
            {
                var written = LinuxFs.Write(fd, start + offset, (nuint)(bytes.Length - offset));
                if (written < 0)
                {
                    var errno = LinuxFs.LastError;
                    if (errno == LinuxFs.EIntr) continue;
                    throw LinuxFs.Error(errno, "writing to file", CurrentPath);
                }
                offset += (int)written;
            }
        }
    }

    public unsafe void Symlink(ReadOnlySpan<byte> target)
    {
        Span<byte> terminated = stackalloc byte[target.Length + 1];
        target.CopyTo(terminated);
        terminated[^1] = 0;
        var (dirFd, offset) = _path.Locate();
        int result;
        fixed (byte* path = _path.Bytes)
        fixed (byte* targetBytes = terminated)
            result = LinuxFs.SymlinkAt(targetBytes, dirFd, path + offset);
        if (result != 0) throw CreateError(LinuxFs.LastError, "creating symlink");
    }

    public unsafe void BeginDirectory()
    {
        // The destination's parents are created like Directory.CreateDirectory would; the rest is made here.
        if (_path.Depth == 0 && Path.GetDirectoryName(_root) is { Length: > 0 } parent) Directory.CreateDirectory(parent);
        var (dirFd, offset) = _path.Locate();
        fixed (byte* path = _path.Bytes)
        {
            if (LinuxFs.MkdirAt(dirFd, path + offset, DirectoryMode) != 0) throw CreateError(LinuxFs.LastError, "creating directory");
            var fd = LinuxFs.OpenAt(dirFd, path + offset, LinuxFs.ORdOnly | LinuxFs.ODirectory | LinuxFs.ONoFollow | LinuxFs.OCloExec, 0);
            if (fd < 0) throw LinuxFs.Error(LinuxFs.LastError, "opening directory", CurrentPath);
            var handle = new SafeFileHandle(fd, ownsHandle: true);
            if (_path.KeepsNextDescriptor)
            {
                _directories.Push(handle);
                _path.EnterDirectory(fd);
            }
            else
            {
                handle.Dispose();
                _directories.Push(null);
                _path.EnterDirectory(-1);
            }
        }
    }

    public void EndDirectory()
    {
        _directories.Pop()?.Dispose();
        _path.LeaveDirectory();
    }

    private Exception CreateError(int errno, string what) =>
        errno == LinuxFs.EExist ? new IOException($"path '{CurrentPath}' already exists") : LinuxFs.Error(errno, what, CurrentPath);
}
