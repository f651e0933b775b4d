using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Tvix.NixCompat;

namespace Tvix.Glue.Import;

/// <summary>
/// Computes the SHA-256 of the NAR serialisation of a filesystem tree without building the NAR:
/// the tokens are fed straight into an incremental hash, file contents through a pooled buffer.
/// A filter (absolute path, Nix type name) can leave entries out, as <c>builtins.path</c> does.
/// When an output stream is given, the NAR bytes are also written to it.
/// </summary>
internal sealed class NarHasher(Stream? output = null) : IDisposable
{
    private readonly NixIncrementalHash _hash = new(NixHashAlgorithm.Sha256);
    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private long _size;

    /// <summary>The number of NAR bytes hashed so far.</summary>
    public long NarSize => _size;

    /// <summary>The NAR of a single non-executable regular file with these contents (a text path's NAR).</summary>
    public static byte[] RegularFileNar(ReadOnlySpan<byte> contents)
    {
        using var memory = new MemoryStream(contents.Length + 128);
        using var writer = new NarHasher(memory);
        writer.Token("nix-archive-1"u8);
        writer.Token("("u8);
        writer.Token("type"u8);
        writer.Token("regular"u8);
        writer.Token("contents"u8);
        writer.Token(contents);
        writer.Token(")"u8);
        return memory.ToArray();
    }

    /// <summary>Hashes the NAR of <paramref name="path"/> and returns the SHA-256 digest; with <paramref name="output"/>, writes the NAR there too.</summary>
    public static byte[] HashPath(string path, Func<string, string, bool>? filter, out long narSize, Stream? output = null)
    {
        using var hasher = new NarHasher(output);
        hasher.Token("nix-archive-1"u8);
        hasher.Node(path, filter);
        narSize = hasher._size;
        return hasher._hash.GetHashAndReset();
    }

    private void Node(string path, Func<string, string, bool>? filter)
    {
        var info = SourceEntries.Describe(path);
        Token("("u8);
        Token("type"u8);
        switch (info.Type)
        {
            case SourceEntryType.Regular:
                Token("regular"u8);
                if (info.Executable) { Token("executable"u8); Token(""u8); }
                Token("contents"u8);
                Contents(path);
                break;
            case SourceEntryType.Symlink:
                Token("symlink"u8);
                Token("target"u8);
                Token(Encoding.UTF8.GetBytes(info.LinkTarget!));
                break;
            case SourceEntryType.Directory:
                Token("directory"u8);
                foreach (var (name, child) in SourceEntries.SortedChildren(path))
                {
                    if (filter != null && !filter(child, SourceEntries.TypeName(child))) continue;
                    Token("entry"u8);
                    Token("("u8);
                    Token("name"u8);
                    Token(name);
                    Token("node"u8);
                    Node(child, filter);
                    Token(")"u8);
                }
                break;
            default:
                throw new IOException($"file '{path}' has an unsupported type");
        }
        Token(")"u8);
    }

    private void Contents(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var length = stream.Length;
        Length(length);
        long total = 0;
        int read;
        while ((read = stream.Read(_buffer, 0, _buffer.Length)) > 0)
        {
            _hash.AppendData(_buffer, 0, read);
            output?.Write(_buffer, 0, read);
            total += read;
        }
        if (total != length) throw new IOException($"file '{path}' changed while it was being read");
        _size += total;
        Pad(total);
    }

    private void Token(ReadOnlySpan<byte> s)
    {
        Length(s.Length);
        _hash.AppendData(s);
        output?.Write(s);
        _size += s.Length;
        Pad(s.Length);
    }

    private void Length(long length)
    {
        Span<byte> n = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(n, length);
        _hash.AppendData(n);
        output?.Write(n);
        _size += 8;
    }

    private void Pad(long length)
    {
        var pad = (int)((8 - (length & 7)) & 7);
        if (pad == 0) return;
        Span<byte> zeros = stackalloc byte[8];
        zeros.Clear();
        _hash.AppendData(zeros[..pad]);
        output?.Write(zeros[..pad]);
        _size += pad;
    }

    public void Dispose()
    {
        _hash.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}
