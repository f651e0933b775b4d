namespace Tvix.CAStore.Services.Memory;

/// <summary>Blobs in a dictionary in this process (URL <c>memory://</c>): for tests and short-lived work.</summary>
public sealed class MemoryBlobService : IBlobService
{
    // A plain dictionary under a lock (held only for a lookup), not a concurrent one:
    // CAStoreServiceFactory's code inlines this constructor, so that would load
    // System.Collections.Concurrent into every store it creates, in memory or not.
    private readonly Dictionary<B3Digest, byte[]> _blobs = [];
    private readonly Lock _lock = new();

    /// <inheritdoc/>
    public ValueTask<bool> HasAsync(B3Digest digest, CancellationToken cancellationToken = default)
    {
        lock (_lock) return ValueTask.FromResult(_blobs.ContainsKey(digest));
    }

    /// <inheritdoc/>
    public ValueTask<Stream?> OpenReadAsync(B3Digest digest, CancellationToken cancellationToken = default)
    {
        byte[]? data;
        lock (_lock) _blobs.TryGetValue(digest, out data);
        return ValueTask.FromResult<Stream?>(data is null ? null : new MemoryStream(data, writable: false));
    }

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
            var data = _buffer!.ToArray();
            lock (owner._lock) owner._blobs.TryAdd(digest, data);
            _buffer = null;
            return ValueTask.CompletedTask;
        }

        protected override void Abort() => _buffer = null;
    }
}
