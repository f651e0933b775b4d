using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tvix.CAStore.Import;

namespace Tvix.CAStore.Services.FileSystem;

/// <summary>
/// Writes large temporary files with direct I/O (<c>O_DIRECT</c>), from aligned buffers, on a
/// thread of its own, so the writer goes on (hashing, reading the next file) while the disk works.
/// </summary>
/// <remarks>
/// <para>Why: a buffered write copies every byte into the page cache, whose pages the kernel has to
/// find first, and the batch's <c>syncfs</c> then writes them out anyway. Measured on the
/// benchmark machine (docs/performance.md, session 5), buffered writes of 512 MiB took 1.9–2.4 s
/// of kernel CPU and a flush 0.4–0.7 s more; direct writes 0.13 s of CPU and 0.64 s of wall in
/// all, the data then on the device. The store's durability steps stay as they are: a direct
/// write may still sit in the device's cache and the file's size and extents are metadata, so
/// <see cref="BatchPublisher"/>'s first <c>syncfs</c> (which flushes the device cache with the
/// journal commit) still comes before any rename. There is just less left for it to flush.</para>
/// <para>Direct I/O needs the memory, offset and length of each write aligned (to the device's
/// logical block; <see cref="Alignment"/> covers every common one), so a file goes out in whole
/// buffers, and its last, partial piece is written through the page cache after direct I/O is
/// turned off for it (<see cref="PosixFiles.TrySetDirect"/>). Where the filesystem refuses
/// direct writes, they fall back to buffered ones.</para>
/// <para>A file's writes are done in the order they were queued, and its completion
/// (<see cref="Finish"/>) after all of them. A few buffers circulate; a writer that finds none free
/// waits (the disk is the bottleneck then), and after a while writes through the page cache instead;
/// a small file written in one go does not wait at all.</para>
/// </remarks>
internal sealed class DirectWrites
{
    /// <summary>The alignment of direct writes in memory, offset and length.</summary>
    public const int Alignment = 4096;

    /// <summary>The size of one buffer, a multiple of <see cref="Alignment"/>.</summary>
    public const int BufferSize = 1 << 20;

    // 16 MiB in flight at most: enough to keep the disk busy (up to MaxGathered written at once
    // while the writers fill the others), little enough to stay out of the way.
    private const int MaxBuffers = 16;
    // Consecutive full buffers of one file queued one after another are written with one call, up to
    // this many: on the benchmark machine's virtual disk direct writes of 1 MiB reach 630–710 MB/s,
    // of 4 MiB 1.0 GB/s and of 8 MiB 1.2 GB/s (dd oflag=direct), so one buffer per call left the
    // disk slower than hashing (docs/performance.md, session 6).
    private const int MaxGathered = 8;
    // The writing thread waits this long for more work before it ends.
    private const int LingerMilliseconds = 100;
    // A writer waiting longer than this for a buffer writes through the page cache instead (see TemporaryFile).
    private static readonly TimeSpan RentTimeout = TimeSpan.FromSeconds(1);
    private readonly object _gate = new();
    private readonly Queue<Item> _queue = new();
    private readonly Stack<Buffer> _free = new();
    private int _allocated;
    private bool _running;

    /// <summary>
    /// Whether temporary files should be written here: where <see cref="PosixFiles"/> works and
    /// <c>syncfs</c> makes a batch durable (elsewhere each file is flushed on its own anyway).
    /// </summary>
    public static bool IsAvailable => PosixFiles.IsAvailable && FileSystemSync.IsAvailable;

    /// <summary>A free buffer, or null after waiting <see cref="RentTimeout"/> for one (or at once, unless <paramref name="wait"/>).</summary>
    public Buffer? Rent(bool wait)
    {
        lock (_gate)
        {
            var deadline = DateTime.UtcNow + (wait ? RentTimeout : TimeSpan.Zero);
            while (true)
            {
                if (_free.Count > 0) return _free.Pop();
                if (_allocated < MaxBuffers)
                {
                    _allocated++;
                    return new Buffer();
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left)) return null;
            }
        }
    }

    /// <summary>Gives back a buffer that was not queued.</summary>
    public void Return(Buffer buffer)
    {
        lock (_gate)
        {
            _free.Push(buffer);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Queues a direct write of a full buffer at <paramref name="offset"/> of the file; the buffer is this queue's again afterwards.</summary>
    public void Write(TemporaryFile file, Buffer buffer, long offset) => Enqueue(new Item(file, buffer, BufferSize, offset, null));

    /// <summary>
    /// Queues the file's last piece (<paramref name="length"/> bytes of <paramref name="buffer"/>, if
    /// any, at <paramref name="offset"/>) and completes <paramref name="done"/> once all the file's
    /// writes are done (or with the first one's failure).
    /// </summary>
    public void Finish(TemporaryFile file, Buffer? buffer, int length, long offset, TaskCompletionSource done) =>
        Enqueue(new Item(file, buffer, length, offset, done));

    private void Enqueue(Item item)
    {
        bool start;
        lock (_gate)
        {
            _queue.Enqueue(item);
            start = !_running;
            _running = true;
            Monitor.PulseAll(_gate);
        }
        if (start) new Thread(Run) { IsBackground = true, Name = "Direct writes" }.Start();
    }

    private void Run()
    {
        var gathered = new List<Item>(MaxGathered);
        while (true)
        {
            gathered.Clear();
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    if (!Monitor.Wait(_gate, LingerMilliseconds) && _queue.Count == 0)
                    {
                        _running = false;
                        return;
                    }
                }
                gathered.Add(_queue.Dequeue());
                // The same file's next full buffers, right behind it: one write for all of them.
                while (gathered.Count < MaxGathered && IsFullBuffer(gathered[0]) && _queue.TryPeek(out var next) && IsFullBuffer(next)
                       && next.File == gathered[0].File && next.Offset == gathered[^1].Offset + BufferSize)
                    gathered.Add(_queue.Dequeue());
            }
            if (gathered.Count > 1) ProcessGathered(gathered);
            else Process(gathered[0]);
        }
    }

    private static bool IsFullBuffer(Item item) => item.Buffer is not null && item.Length == BufferSize && item.Done is null;

    /// <summary>Consecutive full buffers of one file: one direct write, or one by one where that is refused.</summary>
    private void ProcessGathered(List<Item> items)
    {
        var file = items[0].File;
        var written = false;
        if (file.Failure is null && file.Direct && file.Handle is { } handle)
        {
            var buffers = new Memory<byte>[items.Count];
            for (var i = 0; i < buffers.Length; i++) buffers[i] = items[i].Buffer!.Memory;
            try
            {
                var errno = PosixFiles.TryWriteAtGathered(handle, buffers, items[0].Offset);
                if (errno == 0) written = true;
                else if (!PosixFiles.IsInvalidArgument(errno)) file.Fail(new IOException($"cannot write '{file.Path}': {PosixFiles.Message(errno)}"));
                // EINVAL: each buffer again on its own, which falls back to the page cache.
            }
            catch (Exception e)
            {
                file.Fail(e); // e.g. the writer was abandoned and closed the file meanwhile
            }
        }
        foreach (var item in items)
        {
            if (written || file.Failure is not null) Return(item.Buffer!);
            else Process(item);
        }
    }

    private void Process(Item item)
    {
        var file = item.File;
        if (item.Buffer is { } buffer)
        {
            if (file.Failure is null)
            {
                try
                {
                    Write(file, buffer, item.Length, item.Offset);
                }
                catch (Exception e)
                {
                    file.Fail(e);
                }
            }
            Return(buffer);
        }
        if (item.Done is { } done)
        {
            if (file.Failure is { } failure) done.TrySetException(failure);
            else done.TrySetResult();
        }
    }

    /// <summary>Writes the whole aligned part directly and the rest (a last piece) through the page cache.</summary>
    private static void Write(TemporaryFile file, Buffer buffer, int length, long offset)
    {
        var handle = file.Handle ?? throw new ObjectDisposedException(nameof(TemporaryFile));
        var bytes = buffer.Span[..length];
        var aligned = length & ~(Alignment - 1);
        if (aligned > 0 && file.Direct)
        {
            var errno = PosixFiles.TryWriteAt(handle, bytes[..aligned], offset);
            if (errno == 0)
            {
                bytes = bytes[aligned..];
                offset += aligned;
            }
            else if (!PosixFiles.IsInvalidArgument(errno)) throw new IOException($"cannot write '{file.Path}': {PosixFiles.Message(errno)}");
            // EINVAL: this filesystem (or device) takes no direct writes like these; the page cache does.
            // (A partial direct write is rewritten whole below: same bytes at the same offsets.)
        }
        if (bytes.IsEmpty) return;
        file.StopDirect();
        PosixFiles.WriteAt(handle, bytes, offset);
    }

    /// <summary>An aligned buffer of <see cref="BufferSize"/> bytes (pinned, so its address stays aligned).</summary>
    public sealed class Buffer
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BufferSize + Alignment, pinned: true);
        private readonly int _start;

        public unsafe Buffer()
        {
            var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
            _start = (int)((Alignment - (address & (Alignment - 1))) & (Alignment - 1));
        }

        /// <summary>The aligned bytes.</summary>
        public Span<byte> Span => _array.AsSpan(_start, BufferSize);

        /// <summary>The aligned bytes, as memory (pinned: its address may go to the kernel).</summary>
        public Memory<byte> Memory => _array.AsMemory(_start, BufferSize);
    }

    // A class, not a value type: queues and lists of a value type are framework generic code ReadyToRun
    // cannot precompile (JIT-compiled on every run, twice when hot); one allocation per mebibyte is nothing.
    private sealed record Item(TemporaryFile File, Buffer? Buffer, int Length, long Offset, TaskCompletionSource? Done);
}
