using Tvix.NixCompat.Nar.Linux;

namespace Tvix.NixCompat.Nar;

/// <summary>
/// Serialises a file system path into a sink in NAR order, as <c>nix-store --dump</c> does:
/// symlinks are not followed, directory entries are sorted by the bytes of their names, a
/// regular file is executable when its owner may execute it. On Linux names are read and
/// opened as raw bytes, so names that are not valid UTF-8 are dumped exactly as Nix dumps them.
/// </summary>
public static class NarDumper
{
    /// <summary>
    /// Writes the NAR of <paramref name="path"/> to <paramref name="output"/>. When the output is
    /// a writable <see cref="FileStream"/> on Linux (a file, or standard output as a pipe), the NAR
    /// is written to its file descriptor directly and synchronously, large files being copied by
    /// the kernel (<c>copy_file_range</c>, <c>sendfile</c>); the stream's position moves past the NAR.
    /// </summary>
    /// <exception cref="IOException">The path cannot be read, or holds a file type NAR cannot represent.</exception>
    public static Task DumpToStreamAsync(string path, Stream output, CancellationToken cancellationToken = default)
    {
        if (output is FileStream { CanWrite: true } file && LinuxFs.IsSupported)
        {
            if (cancellationToken.IsCancellationRequested) return Task.FromCanceled(cancellationToken);
            try
            {
                DumpToFileStream(path, file, cancellationToken);
                return Task.CompletedTask;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled(cancellationToken);
            }
            catch (Exception e)
            {
                return Task.FromException(e);
            }
        }
        return DumpThroughWriterAsync(path, output, cancellationToken);
    }

    private static async Task DumpThroughWriterAsync(string path, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new NarWriter(output);
        await DumpAsync(path, writer, cancellationToken).ConfigureAwait(false);
        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void DumpToFileStream(string path, FileStream file, CancellationToken cancellationToken)
    {
        file.Flush();
        var handle = file.SafeFileHandle;
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            // Write at the stream's position through the descriptor's own offset, which the
            // kernel copies advance too; then tell the stream where the NAR ended.
            if (file.CanSeek) LinuxFs.LSeek(fd, file.Position, LinuxFs.SeekSet);
            using (var tree = new LinuxTreeReader(path))
            using (var writer = new NarFdWriter(fd))
            {
                while (tree.Read())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    writer.Write(tree);
                }
                writer.Complete();
            }
            if (file.CanSeek) file.Position = LinuxFs.LSeek(fd, 0, LinuxFs.SeekCur);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>
    /// Feeds the tree at <paramref name="path"/> into <paramref name="sink"/>. Names and symlink
    /// targets passed to the sink are only valid during the call (the sink copies what it keeps).
    /// </summary>
    /// <exception cref="IOException">The path cannot be read, or holds a file type NAR cannot represent.</exception>
    public static Task DumpAsync(string path, INarSink sink, CancellationToken cancellationToken = default) =>
        LinuxFs.IsSupported ? DumpLinuxAsync(path, sink, cancellationToken) : ManagedNarDumper.DumpAsync(path, sink, cancellationToken);

    private static async Task DumpLinuxAsync(string path, INarSink sink, CancellationToken ct)
    {
        using var tree = new LinuxTreeReader(path);
        var contents = new FdContentsStream(tree);
        while (tree.Read())
        {
            ct.ThrowIfCancellationRequested();
            switch (tree.Event)
            {
                case TreeEvent.RegularFile:
                    contents.Restart();
                    await sink.RegularFileAsync(tree.Executable, tree.Size, contents, -1, ct).ConfigureAwait(false);
                    break;
                case TreeEvent.Symlink:
                    await sink.SymlinkAsync(tree.TargetMemory, ct).ConfigureAwait(false);
                    break;
                case TreeEvent.BeginDirectory:
                    await sink.BeginDirectoryAsync(ct).ConfigureAwait(false);
                    break;
                case TreeEvent.BeginEntry:
                    await sink.BeginEntryAsync(tree.NameMemory, ct).ConfigureAwait(false);
                    break;
                case TreeEvent.EndEntry:
                    await sink.EndEntryAsync(ct).ConfigureAwait(false);
                    break;
                case TreeEvent.EndDirectory:
                    await sink.EndDirectoryAsync(ct).ConfigureAwait(false);
                    break;
            }
        }
    }
}
