using System.Buffers.Binary;
using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.CAStore.Services.Memory;
using Tvix.Store.Nar;

namespace Tvix.Store.Tests;

/// <summary>Runs alone: the heap it measures is the whole process's.</summary>
[CollectionDefinition(nameof(BoundedMemoryTests), DisableParallelization = true)]
public sealed class BoundedMemoryCollection;

/// <summary>NAR ingestion and rendering never hold a whole file: a 128 MiB file goes through with a small, fixed working set.</summary>
[Collection(nameof(BoundedMemoryTests))]
public sealed class BoundedMemoryTests
{
    private const long FileSize = 128L << 20;

    /// <summary>A NAR of one regular file whose bytes are generated as it is read.</summary>
    private sealed class GeneratedNarStream : Stream
    {
        private readonly byte[] _header;
        private readonly byte[] _trailer;
        private readonly long _size;
        private long _position;

        public GeneratedNarStream(long size)
        {
            _size = size;
            var header = new MemoryStream();
            foreach (var token in new[] { "nix-archive-1", "(", "type", "regular", "contents" }) WriteString(header, token);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)size);
            header.Write(length);
            _header = header.ToArray();
            var trailer = new MemoryStream();
            trailer.Write(new byte[(8 - size % 8) % 8]);
            WriteString(trailer, ")");
            _trailer = trailer.ToArray();
        }

        public long TotalLength => _header.Length + _size + _trailer.Length;

        private static void WriteString(Stream s, string text)
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)text.Length);
            s.Write(length);
            s.Write(System.Text.Encoding.ASCII.GetBytes(text));
            s.Write(new byte[(8 - text.Length % 8) % 8]);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length && _position < TotalLength)
            {
                var dest = buffer[written..];
                int n;
                if (_position < _header.Length)
                {
                    n = Math.Min(dest.Length, _header.Length - (int)_position);
                    _header.AsSpan((int)_position, n).CopyTo(dest);
                }
                else if (_position < _header.Length + _size)
                {
                    var offset = _position - _header.Length;
                    n = (int)Math.Min(dest.Length, _size - offset);
                    for (var i = 0; i < n; i++) dest[i] = (byte)((offset + i) % 251);
                }
                else
                {
                    var offset = (int)(_position - _header.Length - _size);
                    n = Math.Min(dest.Length, _trailer.Length - offset);
                    _trailer.AsSpan(offset, n).CopyTo(dest);
                }
                written += n;
                _position += n;
            }
            return written;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Keeps digests only, and records the largest managed heap seen while bytes arrive.</summary>
    private sealed class DiscardingBlobService : IBlobService
    {
        public long PeakHeap;
        public readonly HashSet<B3Digest> Stored = [];

        public ValueTask<bool> HasAsync(B3Digest digest, CancellationToken cancellationToken = default) => ValueTask.FromResult(Stored.Contains(digest));
        public ValueTask<Stream?> OpenReadAsync(B3Digest digest, CancellationToken cancellationToken = default) => throw new NotSupportedException();
        public BlobWriter OpenWrite() => new Writer(this);

        private sealed class Writer(DiscardingBlobService owner) : BlobWriter
        {
            private long _calls;

            protected override void WriteCore(ReadOnlySpan<byte> buffer) => Sample();

            protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
            {
                Sample();
                return ValueTask.CompletedTask;
            }

            private void Sample()
            {
                if (_calls++ % 64 == 0) owner.PeakHeap = Math.Max(owner.PeakHeap, GC.GetTotalMemory(false));
            }

            protected override ValueTask CommitAsync(B3Digest digest, long length, CancellationToken cancellationToken)
            {
                lock (owner.Stored) owner.Stored.Add(digest);
                return ValueTask.CompletedTask;
            }

            protected override void Abort() { }
        }
    }

    [Fact]
    public async Task IngestingAHugeFileUsesBoundedMemory()
    {
        var blobs = new DiscardingBlobService();
        var nar = new GeneratedNarStream(FileSize);
        GC.Collect();
        var baseline = GC.GetTotalMemory(true);
        var result = await new NarIngester(blobs, new MemoryDirectoryService()).IngestAsync(nar);
        Assert.Equal((ulong)nar.TotalLength, result.Nar.Size);
        var file = Assert.IsType<FileNode>(result.Root);
        Assert.Equal((ulong)FileSize, file.Size);
        Assert.Contains(file.Digest, blobs.Stored);
        Assert.True(blobs.PeakHeap - baseline < 64L << 20, $"heap grew by {(blobs.PeakHeap - baseline) >> 20} MiB while ingesting a {FileSize >> 20} MiB file");
    }
}
