using System.Buffers;
using System.Text;

namespace Tvix.NixCompat.Nar;

/// <summary>
/// The portable <see cref="ITreeWriter"/>: .NET's file API, with names as strings, so names that
/// are not valid UTF-8 are refused. Used where <see cref="Linux.LinuxFs"/> is not available.
/// </summary>
internal sealed class ManagedTreeWriter(string root) : ITreeWriter
{
    // The path of each open directory, and of the current node.
    private readonly Stack<string> _directories = new();
    private string _current = root;

    public async ValueTask RegularFileAsync(bool executable, long size, Stream contents, CancellationToken cancellationToken)
    {
        var path = _current;
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = executable
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }
        await using var file = new FileStream(path, options);
        var buffer = ArrayPool<byte>.Shared.Rent(65536);
        try
        {
            long written = 0;
            int read;
            while (written < size && (read = await contents.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - written)), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                written += read;
            }
            if (written != size) throw new IOException($"file '{path}' ended after {written} of {size} bytes");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Symlink(ReadOnlySpan<byte> target) => File.CreateSymbolicLink(_current, Utf8(target, "symlink target"));

    public void BeginDirectory()
    {
        // Directory.CreateDirectory would accept an existing directory; a NAR never merges into one.
        if (File.Exists(_current) || Directory.Exists(_current) || new FileInfo(_current).LinkTarget != null)
            throw new IOException($"path '{_current}' already exists");
        Directory.CreateDirectory(_current);
        _directories.Push(_current);
    }

    public void Enter(ReadOnlySpan<byte> name) => _current = Path.Join(_directories.Peek(), Utf8(name, "file name"));

    public void Leave() => _current = _directories.Peek();

    public void EndDirectory() => _current = _directories.Pop();

    private static string Utf8(ReadOnlySpan<byte> bytes, string what)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) throw new IOException($"the {what} is not valid UTF-8 and cannot be restored by .NET on this platform");
        return Encoding.UTF8.GetString(bytes);
    }
}
