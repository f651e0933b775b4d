using System.Text;

namespace Tvix.CAStore;

/// <summary>The rules for entry names and symlink targets, shared by every type that checks them.</summary>
public static class NodeNames
{
    /// <summary>Longest allowed entry name in bytes (as on Linux).</summary>
    public const int MaxNameLength = 255;

    /// <summary>Longest allowed symlink target in bytes (as on Linux).</summary>
    public const int MaxSymlinkTargetLength = 4095;

    /// <summary>
    /// Why <paramref name="name"/> cannot name a directory entry, or null if it can: it must be
    /// non-empty, at most 255 bytes, free of <c>/</c> and NUL, and neither <c>.</c> nor <c>..</c>.
    /// </summary>
    public static string? NameError(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty) return "name is empty";
        if (name.Length > MaxNameLength) return $"name is longer than {MaxNameLength} bytes";
        if (name.IndexOfAny((byte)'/', (byte)0) >= 0) return $"name {Show(name)} contains '/' or NUL";
        if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)) return $"name {Show(name)} is not allowed";
        return null;
    }

    /// <summary>Why <paramref name="target"/> cannot be a symlink target, or null if it can: non-empty, at most 4095 bytes, no NUL.</summary>
    public static string? SymlinkTargetError(ReadOnlySpan<byte> target)
    {
        if (target.IsEmpty) return "symlink target is empty";
        if (target.Length > MaxSymlinkTargetLength) return $"symlink target is longer than {MaxSymlinkTargetLength} bytes";
        if (target.IndexOf((byte)0) >= 0) return "symlink target contains NUL";
        return null;
    }

    /// <summary>Throws <see cref="CAStoreValidationException"/> if <paramref name="name"/> is not a valid entry name.</summary>
    public static void ValidateName(ReadOnlySpan<byte> name)
    {
        if (NameError(name) is { } error) throw new CAStoreValidationException(error);
    }

    /// <summary>A name for messages: UTF-8 where it decodes, with invalid bytes replaced.</summary>
    internal static string Show(ReadOnlySpan<byte> name) => "'" + Encoding.UTF8.GetString(name) + "'";
}
