using System.Runtime.InteropServices;

namespace Tvix.NixCompat.Tests;

/// <summary>Test-only zstd decompression through the system's libzstd.so.1 (streaming API).</summary>
internal static unsafe partial class Zstd
{
    private const string Library = "libzstd.so.1";

    [StructLayout(LayoutKind.Sequential)]
    private struct Buffer
    {
        public void* Data;
        public nuint Size;
        public nuint Pos;
    }

    [LibraryImport(Library)] private static partial nint ZSTD_createDStream();
    [LibraryImport(Library)] private static partial nuint ZSTD_freeDStream(nint stream);
    [LibraryImport(Library)] private static partial nuint ZSTD_initDStream(nint stream);
    [LibraryImport(Library)] private static partial nuint ZSTD_decompressStream(nint stream, Buffer* output, Buffer* input);
    [LibraryImport(Library)] private static partial uint ZSTD_isError(nuint code);

    public static bool IsAvailable => NativeLibrary.TryLoad(Library, out _);

    public static byte[] Decompress(byte[] compressed)
    {
        var stream = ZSTD_createDStream();
        try
        {
            ZSTD_initDStream(stream);
            var result = new MemoryStream();
            var chunk = new byte[1 << 20];
            fixed (byte* src = compressed)
            fixed (byte* dst = chunk)
            {
                var input = new Buffer { Data = src, Size = (nuint)compressed.Length, Pos = 0 };
                while (true)
                {
                    var output = new Buffer { Data = dst, Size = (nuint)chunk.Length, Pos = 0 };
                    var code = ZSTD_decompressStream(stream, &output, &input);
                    if (ZSTD_isError(code) != 0) throw new InvalidDataException("zstd error " + code);
                    result.Write(chunk, 0, (int)output.Pos);
                    if (code == 0 && input.Pos == input.Size) break;
                    if (output.Pos == 0 && input.Pos == input.Size) throw new InvalidDataException("truncated zstd stream");
                }
            }
            return result.ToArray();
        }
        finally
        {
            ZSTD_freeDStream(stream);
        }
    }
}

/// <summary>A fact that needs ../shared and libzstd.so.1; skipped with a clear message otherwise.</summary>
internal sealed class ZstdFactAttribute : FactAttribute
{
    public ZstdFactAttribute()
    {
        if (Tvix.Testing.TestPaths.SharedDir == null) Skip = "../shared (test vectors) is absent";
        else if (!Zstd.IsAvailable) Skip = "libzstd.so.1 is not installed: cannot decompress narinfo/tvix/narinfo.zst (install libzstd1 to run this test)";
    }
}
