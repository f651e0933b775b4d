using Tvix.NixCompat.Nar.Linux;

namespace Tvix.NixCompat.Nar;

/// <summary>
/// A sink that recreates the tree in a new directory entry <c>destination</c> (which must not
/// exist), as <c>nix-store --restore</c> does. Every entry is created fresh inside a directory
/// this restorer made, names are checked again here, and existing files are never opened, so
/// nothing is written outside the destination. On Linux names are created as raw bytes, so
/// names that are not valid UTF-8 are restored exactly; elsewhere they are refused.
/// </summary>
public sealed class NarRestorer : INarSink
{
    private readonly ITreeWriter _writer;
    // Open directories, and whether a node is expected next (the root, or an entry's node).
    private int _depth;
    private bool _nodeExpected = true;

    /// <summary>Creates a restorer for <paramref name="destination"/>.</summary>
    public NarRestorer(string destination) : this(destination, portable: !LinuxFs.IsSupported)
    {
    }

    /// <summary>A restorer that uses .NET's file API even on Linux (for tests of that path).</summary>
    internal NarRestorer(string destination, bool portable)
    {
        var full = Path.GetFullPath(destination);
        if (File.Exists(full) || Directory.Exists(full) || new FileInfo(full).LinkTarget != null)
            throw new IOException($"path '{full}' already exists");
        _writer = portable ? new ManagedTreeWriter(full) : new LinuxTreeWriter(full);
    }

    private void TakeNode()
    {
        if (!_nodeExpected) throw new InvalidOperationException("a node must be the root or inside a directory entry");
        _nodeExpected = false;
    }

    /// <inheritdoc />
    public ValueTask RegularFileAsync(bool executable, long size, Stream contents, long narOffset, CancellationToken cancellationToken)
    {
        TakeNode();
        return _writer.RegularFileAsync(executable, size, contents, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask SymlinkAsync(ReadOnlyMemory<byte> target, CancellationToken cancellationToken)
    {
        if (NarFormat.ValidateTarget(target.Span) is { } error) throw new NixFormatException(error);
        TakeNode();
        _writer.Symlink(target.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask BeginDirectoryAsync(CancellationToken cancellationToken)
    {
        TakeNode();
        _writer.BeginDirectory();
        _depth++;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask BeginEntryAsync(ReadOnlyMemory<byte> name, CancellationToken cancellationToken)
    {
        if (NarFormat.ValidateName(name.Span) is { } error) throw new NixFormatException(error);
        if (_depth == 0 || _nodeExpected) throw new InvalidOperationException("an entry must be inside a directory");
        _writer.Enter(name.Span);
        _nodeExpected = true;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask EndEntryAsync(CancellationToken cancellationToken)
    {
        if (_nodeExpected) throw new InvalidOperationException("an entry must contain a node");
        _writer.Leave();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask EndDirectoryAsync(CancellationToken cancellationToken)
    {
        if (_depth == 0 || _nodeExpected) throw new InvalidOperationException("no directory is open");
        _writer.EndDirectory();
        _depth--;
        return ValueTask.CompletedTask;
    }
}
