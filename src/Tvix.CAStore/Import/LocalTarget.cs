using System.Text;

namespace Tvix.CAStore.Import;

/// <summary>
/// A path the exporter creates, held as raw bytes on Linux so that names that are not UTF-8 are
/// created exactly as the castore holds them (see <see cref="PosixFiles"/>); elsewhere as text.
/// </summary>
internal sealed class LocalTarget
{
    private readonly string _path;
    private readonly byte[]? _raw;

    private LocalTarget(string path, byte[]? raw)
    {
        _path = path;
        _raw = raw;
    }

    public static LocalTarget Of(string fullPath) => new(fullPath, PosixFiles.IsAvailable ? PosixFiles.Encode(fullPath) : null);

    public LocalTarget Child(ReadOnlySpan<byte> name)
    {
        if (_raw is null) return new LocalTarget(Path.Combine(_path, Encoding.UTF8.GetString(name)), null);
        var raw = PosixFiles.Join(_raw, name);
        return new LocalTarget(PosixFiles.Show(raw), raw);
    }

    public void CreateDirectory()
    {
        if (_raw is not null) PosixFiles.CreateDirectory(_raw);
        else Directory.CreateDirectory(_path);
    }

    public void CreateSymlink(ReadOnlySpan<byte> target)
    {
        if (_raw is not null) PosixFiles.CreateSymlink(target, _raw);
        else File.CreateSymbolicLink(_path, Encoding.UTF8.GetString(target));
    }

    /// <summary>A new file (mode 0755 when executable, else 0644, less the umask), open for synchronous writing.</summary>
    public FileStream CreateFile(bool executable, long size)
    {
        if (_raw is not null) return PosixFiles.CreateNew(_raw, executable ? 0x1ED : 0x1A4, bufferSize: 0);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            BufferSize = 0,
            PreallocationSize = size,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = executable
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        return new FileStream(_path, options);
    }

    public override string ToString() => _path;
}
