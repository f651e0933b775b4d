namespace Tvix.NixCompat.Nar;

/// <summary>What <see cref="NarReader.ReadAsync"/> learnt about the NAR it read.</summary>
/// <param name="Size">Size of the NAR in bytes.</param>
/// <param name="Hash">Hash of the NAR in the requested algorithm, or null when none was requested.</param>
public sealed record NarReadResult(long Size, NixHash? Hash);

/// <summary>
/// Reads a NAR from a stream and hands its tree to an <see cref="INarSink"/>, validating as it
/// goes: the magic, every token, zero padding, node types, entry names (no empty, <c>.</c>,
/// <c>..</c>, <c>/</c> or NUL), strictly increasing bytewise entry order (so no duplicates),
/// length limits, and nothing after the end. File contents stream through in bounded memory.
/// Malformed input fails with <see cref="NixFormatException"/> before the offending node reaches the sink.
/// </summary>
public static class NarReader
{
    private static readonly byte[] Magic = NarFormat.Magic.ToArray();
    private static readonly byte[] Open = NarFormat.Open.ToArray();
    private static readonly byte[] Close = NarFormat.Close.ToArray();
    private static readonly byte[] Type = NarFormat.Type.ToArray();
    private static readonly byte[] Contents = NarFormat.Contents.ToArray();
    private static readonly byte[] Target = NarFormat.Target.ToArray();
    private static readonly byte[] Name = NarFormat.Name.ToArray();
    private static readonly byte[] Node = NarFormat.Node.ToArray();
    private static readonly byte[] Regular = NarFormat.Regular.ToArray();
    private static readonly byte[] Symlink = NarFormat.Symlink.ToArray();
    private static readonly byte[] Directory = NarFormat.Directory.ToArray();
    private static readonly byte[] Executable = NarFormat.Executable.ToArray();
    private static readonly byte[] Entry = NarFormat.Entry.ToArray();

    /// <summary>
    /// Reads one NAR from <paramref name="input"/> into <paramref name="sink"/>.
    /// </summary>
    /// <param name="input">The NAR bytes.</param>
    /// <param name="sink">Receives the tree.</param>
    /// <param name="hashAlgorithm">Hash the NAR while reading it (null: do not hash).</param>
    /// <param name="allowTrailingData">When false, bytes after the NAR are an error; when true they are left unread (a NAR embedded in a larger stream).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="NixFormatException">The bytes are not a valid NAR.</exception>
    public static async Task<NarReadResult> ReadAsync(Stream input, INarSink sink, NixHashAlgorithm? hashAlgorithm = null,
        bool allowTrailingData = false, CancellationToken cancellationToken = default)
    {
        using var hash = hashAlgorithm?.CreateIncremental();
        using var nar = new NarInput(input, hash);
        var ct = cancellationToken;
        await nar.ExpectAsync(Magic, ct).ConfigureAwait(false);
        // Directories being read: the last entry name of each, to check the order.
        var directories = new Stack<byte[]?>();
        while (true)
        {
            // A node.
            await nar.ExpectAsync(Open, ct).ConfigureAwait(false);
            await nar.ExpectAsync(Type, ct).ConfigureAwait(false);
            if (await nar.TryExpectAsync(Regular, ct).ConfigureAwait(false))
            {
                await ReadRegularAsync(nar, sink, ct).ConfigureAwait(false);
                await nar.ExpectAsync(Close, ct).ConfigureAwait(false);
            }
            else if (await nar.TryExpectAsync(Symlink, ct).ConfigureAwait(false))
            {
                await nar.ExpectAsync(Target, ct).ConfigureAwait(false);
                var target = await nar.ReadStringAsync(NarFormat.MaxTargetLength, "symlink target", ct).ConfigureAwait(false);
                if (NarFormat.ValidateTarget(target) is { } error) throw new NixFormatException(error);
                await nar.ExpectAsync(Close, ct).ConfigureAwait(false);
                await sink.SymlinkAsync(target, ct).ConfigureAwait(false);
            }
            else if (await nar.TryExpectAsync(Directory, ct).ConfigureAwait(false))
            {
                await sink.BeginDirectoryAsync(ct).ConfigureAwait(false);
                directories.Push(null);
                if (await NextEntryAsync(nar, sink, directories, ct).ConfigureAwait(false)) continue;
            }
            else
            {
                var type = await nar.ReadStringAsync(NarFormat.MaxTokenLength, "node type", ct).ConfigureAwait(false);
                throw new NixFormatException($"bad archive: unknown file type '{NarInput.Printable(type)}'");
            }

            // The node is complete: close the entries and directories it completes.
            var more = false;
            while (directories.Count > 0)
            {
                await nar.ExpectAsync(Close, ct).ConfigureAwait(false);
                await sink.EndEntryAsync(ct).ConfigureAwait(false);
                if (await NextEntryAsync(nar, sink, directories, ct).ConfigureAwait(false))
                {
                    more = true;
                    break;
                }
            }
            if (!more) break;
        }
        if (!allowTrailingData && !await nar.AtEndAsync(ct).ConfigureAwait(false))
            throw new NixFormatException("bad archive: data after the end of the NAR");
        return new NarReadResult(nar.Position, hash is null ? null : new NixHash(hashAlgorithm!.Value, hash.GetHashAndReset()));
    }

    /// <summary>
    /// Reads the next token of the innermost directory: true after the start of an entry (its
    /// node follows), false when the directory ended (then it is popped, and the caller goes on
    /// closing the enclosing entry if any).
    /// </summary>
    private static async ValueTask<bool> NextEntryAsync(NarInput nar, INarSink sink, Stack<byte[]?> directories, CancellationToken ct)
    {
        if (await nar.TryExpectAsync(Close, ct).ConfigureAwait(false))
        {
            directories.Pop();
            await sink.EndDirectoryAsync(ct).ConfigureAwait(false);
            return false;
        }
        if (!await nar.TryExpectAsync(Entry, ct).ConfigureAwait(false))
        {
            var token = await nar.ReadStringAsync(NarFormat.MaxTokenLength, "token", ct).ConfigureAwait(false);
            throw new NixFormatException($"bad archive: expected 'entry' or ')' in a directory, found '{NarInput.Printable(token)}'");
        }
        await nar.ExpectAsync(Open, ct).ConfigureAwait(false);
        await nar.ExpectAsync(Name, ct).ConfigureAwait(false);
        var name = await nar.ReadStringAsync(NarFormat.MaxNameLength, "file name", ct).ConfigureAwait(false);
        if (NarFormat.ValidateName(name) is { } error) throw new NixFormatException(error);
        var previous = directories.Pop();
        if (previous != null && previous.AsSpan().SequenceCompareTo(name) >= 0)
            throw new NixFormatException(previous.AsSpan().SequenceEqual(name)
                ? $"NAR contains the file name '{NarInput.Printable(name)}' twice in one directory"
                : $"NAR directory entries are not sorted: '{NarInput.Printable(name)}' after '{NarInput.Printable(previous)}'");
        directories.Push(name);
        await nar.ExpectAsync(Node, ct).ConfigureAwait(false);
        await sink.BeginEntryAsync(name, ct).ConfigureAwait(false);
        return true;
    }

    private static async ValueTask ReadRegularAsync(NarInput nar, INarSink sink, CancellationToken ct)
    {
        var executable = false;
        if (await nar.TryExpectAsync(Executable, ct).ConfigureAwait(false))
        {
            if (!await nar.TryExpectAsync([], ct).ConfigureAwait(false))
                throw new NixFormatException("bad archive: executable marker has non-empty value");
            executable = true;
        }
        await nar.ExpectAsync(Contents, ct).ConfigureAwait(false);
        var size = await nar.ReadUInt64Async(ct).ConfigureAwait(false);
        if (size > long.MaxValue / 2) throw new NixFormatException($"bad archive: file size {size} is not plausible");
        var length = (long)size;
        var contents = new NarContentsStream(nar, length);
        await sink.RegularFileAsync(executable, length, contents, nar.Position, ct).ConfigureAwait(false);
        // Whatever the sink left unread is skipped; then the padding must be zeros.
        await nar.SkipContentsAsync(contents.Remaining, ct).ConfigureAwait(false);
        await nar.ReadPaddingAsync(length, ct).ConfigureAwait(false);
    }
}
