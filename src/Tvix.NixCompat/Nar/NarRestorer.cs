using System.Text;

namespace Tvix.NixCompat.Nar;

/// <summary>
/// A sink that recreates the tree in a new directory entry <c>destination</c> (which must not
/// exist), as <c>nix-store --restore</c> does. Every entry is created fresh inside a directory
/// this restorer made, names are checked again here, and existing files are never opened, so
/// nothing is written outside the destination.
/// </summary>
public sealed class NarRestorer : INarSink
{
    private readonly Stack<string> _directories = new();
    private string? _pending;

    /// <summary>Creates a restorer for <paramref name="destination"/>.</summary>
    public NarRestorer(string destination)
    {
        var full = Path.GetFullPath(destination);
        if (File.Exists(full) || Directory.Exists(full) || new FileInfo(full).LinkTarget != null)
            throw new IOException($"path '{full}' already exists");
        _pending = full;
    }

    private string TakeTarget()
    {
        var target = _pending ?? throw new InvalidOperationException("a node must be the root or inside a directory entry");
        _pending = null;
        return target;
    }

    /// <inheritdoc />
    public async ValueTask RegularFileAsync(bool executable, long size, Stream contents, long narOffset, CancellationToken cancellationToken)
    {
        var path = TakeTarget();
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 0,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = executable
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        }
        await using var file = new FileStream(path, options);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
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
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public ValueTask SymlinkAsync(ReadOnlyMemory<byte> target, CancellationToken cancellationToken)
    {
        if (NarFormat.ValidateTarget(target.Span) is { } error) throw new NixFormatException(error);
        File.CreateSymbolicLink(TakeTarget(), Utf8Name(target.Span, "symlink target"));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask BeginDirectoryAsync(CancellationToken cancellationToken)
    {
        var path = TakeTarget();
        // Directory.CreateDirectory would accept an existing directory; a NAR never merges into one.
        if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget != null) throw new IOException($"path '{path}' already exists");
        Directory.CreateDirectory(path);
        _directories.Push(path);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask BeginEntryAsync(ReadOnlyMemory<byte> name, CancellationToken cancellationToken)
    {
        if (NarFormat.ValidateName(name.Span) is { } error) throw new NixFormatException(error);
        if (_directories.Count == 0 || _pending != null) throw new InvalidOperationException("an entry must be inside a directory");
        _pending = Path.Join(_directories.Peek(), Utf8Name(name.Span, "file name"));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask EndEntryAsync(CancellationToken cancellationToken)
    {
        if (_pending != null) throw new InvalidOperationException("an entry must contain a node");
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask EndDirectoryAsync(CancellationToken cancellationToken)
    {
        _directories.Pop();
        return ValueTask.CompletedTask;
    }

    private static string Utf8Name(ReadOnlySpan<byte> bytes, string what)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) throw new IOException($"the {what} is not valid UTF-8 and cannot be restored by .NET");
        return Encoding.UTF8.GetString(bytes);
    }
}
