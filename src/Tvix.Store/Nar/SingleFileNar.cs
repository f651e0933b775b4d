using System.Buffers.Binary;
using Tvix.NixCompat;

namespace Tvix.Store.Nar;

/// <summary>
/// The NAR size and SHA-256 of a store path that is one regular file (a text path: a
/// <c>.drv</c>, a <c>toFile</c> result), hashed straight from the contents. Its NAR is fixed
/// framing around them, so no NAR writer is needed, nor the asynchronous stream machinery one
/// brings (JIT-compiled on first use, once per <c>.drv</c>-writing process).
/// </summary>
internal static class SingleFileNar
{
    public static NarSummary Summarize(ReadOnlySpan<byte> contents, bool executable)
    {
        using var sha256 = new NixIncrementalHash(NixHashAlgorithm.Sha256);
        ulong size = 0;
        Token(sha256, "nix-archive-1"u8, ref size);
        Token(sha256, "("u8, ref size);
        Token(sha256, "type"u8, ref size);
        Token(sha256, "regular"u8, ref size);
        if (executable)
        {
            Token(sha256, "executable"u8, ref size);
            Token(sha256, ""u8, ref size);
        }
        Token(sha256, "contents"u8, ref size);
        Token(sha256, contents, ref size);
        Token(sha256, ")"u8, ref size);
        return new NarSummary(size, new NixHash(NixHashAlgorithm.Sha256, sha256.GetHashAndReset()));
    }

    /// <summary>A NAR string: its length (64-bit little-endian), the bytes, zeros up to a multiple of 8.</summary>
    private static void Token(NixIncrementalHash hash, ReadOnlySpan<byte> bytes, ref ulong size)
    {
        Span<byte> frame = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(frame, (ulong)bytes.Length);
        hash.AppendData(frame);
        hash.AppendData(bytes);
        var padding = (8 - bytes.Length % 8) % 8;
        frame.Clear();
        hash.AppendData(frame[..padding]);
        size += 8 + (ulong)bytes.Length + (ulong)padding;
    }
}
