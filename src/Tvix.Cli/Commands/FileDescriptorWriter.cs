using System.Runtime.InteropServices;
using System.Text;

namespace Tvix.Cli.Commands;

/// <summary>
/// Standard output or standard error as an unbuffered UTF-8 writer over <c>write(2)</c>.
/// <c>tvix eval</c> writes through these instead of <see cref="Console"/>, whose set-up
/// (terminal and encoding detection, synchronised writers) costs about 6 ms of CPU, a sixth of
/// a small evaluation's start-up. Not a <see cref="FileStream"/>: on a regular file that keeps
/// its own position and writes with <c>pwrite</c>, so output and errors redirected to one file
/// (<c>&gt;out 2&gt;&amp;1</c>) would overwrite each other. Like the console streams, a closed
/// pipe (<c>tvix eval … | head -1</c>) is not an error.
/// </summary>
internal sealed partial class FileDescriptorWriter(int fd) : TextWriter
{
    // UTF-8 without a byte order mark, as `new UTF8Encoding(false)` would make, but without naming
    // that type, which loads System.Text.Encoding.Extensions (its reference assembly) at start.
    private static readonly Encoding Utf8 = Encoding.Default;

    private const int EINTR = 4;

    /// <summary>The process's standard output.</summary>
    public static FileDescriptorWriter StandardOutput() => new(1);

    /// <summary>The process's standard error.</summary>
    public static FileDescriptorWriter StandardError() => new(2);

    public override Encoding Encoding => Utf8;

    /// <summary>Writes bytes as they are (Nix strings are bytes, not necessarily UTF-8).</summary>
    public unsafe void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            var p = start;
            var left = (nint)bytes.Length;
            while (left > 0)
            {
                var written = SysWrite(fd, p, left);
                if (written < 0)
                {
                    if (Marshal.GetLastSystemError() == EINTR) continue;
                    // The reader went away (EPIPE) or the descriptor is closed: nothing useful to do.
                    return;
                }
                p += written;
                left -= written;
            }
        }
    }

    // Without SetLastError: its marshalling code would load System.Runtime.InteropServices at
    // every start-up; errno is read right after a failed call instead, which is when it matters.
    [LibraryImport("libc", EntryPoint = "write")]
    private static unsafe partial nint SysWrite(int fd, byte* buffer, nint count);

    public override void Write(char value) => Write([value]);

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty) return;
        var max = Utf8.GetMaxByteCount(chars.Length);
        var buffer = max <= 1024 ? stackalloc byte[1024] : new byte[max];
        WriteBytes(buffer[..Utf8.GetBytes(chars, buffer)]);
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write(CoreNewLine);
    }
}
