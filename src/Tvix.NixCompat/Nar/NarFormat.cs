namespace Tvix.NixCompat.Nar;

/// <summary>Tokens and limits of the NAR format, shared by the reader and the writer.</summary>
internal static class NarFormat
{
    public static ReadOnlySpan<byte> Magic => "nix-archive-1"u8;
    public static ReadOnlySpan<byte> Open => "("u8;
    public static ReadOnlySpan<byte> Close => ")"u8;
    public static ReadOnlySpan<byte> Type => "type"u8;
    public static ReadOnlySpan<byte> Regular => "regular"u8;
    public static ReadOnlySpan<byte> Symlink => "symlink"u8;
    public static ReadOnlySpan<byte> Directory => "directory"u8;
    public static ReadOnlySpan<byte> Executable => "executable"u8;
    public static ReadOnlySpan<byte> Contents => "contents"u8;
    public static ReadOnlySpan<byte> Target => "target"u8;
    public static ReadOnlySpan<byte> Entry => "entry"u8;
    public static ReadOnlySpan<byte> Name => "name"u8;
    public static ReadOnlySpan<byte> Node => "node"u8;

    /// <summary>Longest entry name: Linux's NAME_MAX.</summary>
    public const int MaxNameLength = 255;

    /// <summary>Longest symlink target: Linux's PATH_MAX.</summary>
    public const int MaxTargetLength = 4095;

    /// <summary>Longest structural token ("nix-archive-1").</summary>
    public const int MaxTokenLength = 16;

    public static int Padding(long length) => (int)((8 - (length & 7)) & 7);

    /// <summary>Null when <paramref name="name"/> is a valid entry name, otherwise the reason.</summary>
    public static string? ValidateName(ReadOnlySpan<byte> name)
    {
        if (name.Length == 0) return "NAR contains an empty file name";
        if (name.Length > MaxNameLength) return $"NAR contains a file name longer than {MaxNameLength} bytes";
        if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8) || name.IndexOfAny((byte)'/', (byte)0) >= 0)
            return $"NAR contains invalid file name '{System.Text.Encoding.UTF8.GetString(name).Replace("\0", "\\0")}'";
        return null;
    }

    public static string? ValidateTarget(ReadOnlySpan<byte> target)
    {
        if (target.Length == 0) return "NAR contains a symlink with an empty target";
        if (target.Length > MaxTargetLength) return $"NAR contains a symlink target longer than {MaxTargetLength} bytes";
        if (target.IndexOf((byte)0) >= 0) return "NAR contains a symlink target with a NUL byte";
        return null;
    }
}
