using System.Diagnostics;

namespace Tvix.Cli.Commands;

/// <summary>
/// A one-line progress display on stderr for long store operations, shown only when stderr is a
/// terminal and redrawn at most a few times a second.
/// </summary>
internal sealed class StoreProgress : IDisposable
{
    private static readonly long Interval = Stopwatch.Frequency / 5;
    private readonly string _what;
    private long _lastDraw;
    private bool _drawn;

    public StoreProgress(string what)
    {
        _what = what;
        Enabled = !Console.IsErrorRedirected;
        _lastDraw = Stopwatch.GetTimestamp();
    }

    public bool Enabled { get; }

    public void Report(string status)
    {
        if (!Enabled) return;
        var now = Stopwatch.GetTimestamp();
        if (now - _lastDraw < Interval) return;
        _lastDraw = now;
        _drawn = true;
        Console.Error.Write($"\r\u001b[K{_what}: {status}");
    }

    public void ReportBytes(long bytes) => Report(bytes >= 1 << 20 ? $"{bytes / (1 << 20)} MiB" : $"{bytes / 1024} KiB");

    /// <summary>Clears the line.</summary>
    public void Done()
    {
        if (!_drawn) return;
        _drawn = false;
        Console.Error.Write("\r\u001b[K");
    }

    public void Dispose() => Done();
}

/// <summary>Counts bytes read through it and reports them to a <see cref="StoreProgress"/>.</summary>
internal sealed class ProgressReadStream(Stream inner, StoreProgress progress) : Stream
{
    private long _read;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Count(n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        Count(n);
        return n;
    }

    private void Count(int n)
    {
        _read += n;
        progress.ReportBytes(_read);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
