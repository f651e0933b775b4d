using System.Runtime.InteropServices;
using System.Text;

namespace Tvix.Eval;

/// <summary>
/// Reads a whole file with <c>open</c>/<c>read</c>/<c>close</c> on Linux. Every evaluation reads
/// at least one file, and the first <see cref="File.ReadAllBytes(string)"/> of a process costs
/// about 2 ms of set-up (file handle, stream strategy, a reflection cache that is JIT-compiled),
/// a tenth of a small evaluation's start-up; these few calls cost a third of that. Anything
/// unusual (an error, another OS) returns null, and the caller reads the file the usual way,
/// which also gives the usual exceptions.
/// </summary>
internal static partial class UnixFileReader
{
    private const int O_RDONLY = 0;
    private const int O_CLOEXEC = 0x80000;
    private const int SEEK_SET = 0;
    private const int SEEK_END = 2;

    public static unsafe byte[]? TryReadAll(string path)
    {
        if (!OperatingSystem.IsLinux() || path.Contains('\0')) return null;
        var encodedPath = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, encodedPath);
        int fd;
        fixed (byte* p = encodedPath) fd = Open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return null;
        try
        {
            // The size the file has now (0 for pipes and /proc files, which are read in steps);
            // one byte more, so a full buffer means the file grew and the next read sees the end.
            var size = LSeek(fd, 0, SEEK_END);
            if (size < 0 || size >= Array.MaxLength || LSeek(fd, 0, SEEK_SET) != 0) return null;
            if (size > 0)
            {
                if (ReadExactly(fd, (int)size) is { } exact) return exact;
                if (LSeek(fd, 0, SEEK_SET) != 0) return null;
            }
            var buffer = new byte[Math.Max(size + 1, 4096)];
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= Array.MaxLength / 2) return null;
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                nint read;
                fixed (byte* b = buffer) read = Read(fd, b + length, buffer.Length - length);
                if (read < 0) return null;
                if (read == 0) break;
                length += (int)read;
            }
            if (length == buffer.Length) return buffer;
            var result = new byte[length];
            Buffer.BlockCopy(buffer, 0, result, 0, length);
            return result;
        }
        finally
        {
            Close(fd);
        }
    }

    /// <summary>
    /// A file of the size it had when opened, read into an array of exactly that size (no
    /// scratch buffer and copy: an evaluation that imports thousands of files reads each once).
    /// Null when the file turned out shorter or longer (the caller rewinds and reads in steps).
    /// </summary>
    private static unsafe byte[]? ReadExactly(int fd, int size)
    {
        var buffer = Support.PooledByteWriter.NewArray(size);
        var length = 0;
        while (length < size)
        {
            nint read;
            fixed (byte* b = buffer) read = Read(fd, b + length, size - length);
            if (read <= 0) break;
            length += (int)read;
        }
        // The end must come now: one more read that returns nothing.
        byte extra;
        return length == size && Read(fd, &extra, 1) == 0 ? buffer : null;
    }

    // Blittable signatures without SetLastError: no marshalling code, nothing more to load.
    [LibraryImport("libc", EntryPoint = "open")]
    private static unsafe partial int Open(byte* path, int flags);

    [LibraryImport("libc", EntryPoint = "read")]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "lseek")]
    private static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
