using System.Collections.Concurrent;

namespace Tvix.CAStore.Services.Memory;

/// <summary>Blobs in a dictionary in this process (URL <c>memory://</c>): for tests and short-lived work.</summary>
public sealed class MemoryBlobService : IBlobService
{
    private readonly ConcurrentDictionary<B3Digest, byte[]> _blobs = new();

    /// <inheritdoc/>
    public ValueTask<bool> HasAsync(B3Digest digest, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_blobs.ContainsKey(digest));

    /// <inheritdoc/>
    public ValueTask<Stream?> OpenReadAsync(B3Digest digest, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<Stream?>(_blobs.TryGetValue(digest, out var data) ? new MemoryStream(data, writable: false) : null);

    /// <inheritdoc/>
    public BlobWriter OpenWrite() => new Writer(this);

    private sealed class Writer(MemoryBlobService owner) : BlobWriter
    {
        private MemoryStream? _buffer = new();

        protected override void WriteCore(ReadOnlySpan<byte> buffer) => _buffer!.Write(buffer);

        protected override ValueTask WriteCoreAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
        {
            _buffer!.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        protected override ValueTask CommitAsync(B3Digest digest, long length, CancellationToken cancellationToken)
        {
            owner._blobs.TryAdd(digest, _buffer!.ToArray());
            _buffer = null;
            return ValueTask.CompletedTask;
        }

        protected override void Abort() => _buffer = null;
    }
}
