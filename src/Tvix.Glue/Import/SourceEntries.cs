using System.Text;

namespace Tvix.Glue.Import;

internal enum SourceEntryType { Regular, Directory, Symlink, Unknown }

internal readonly record struct SourceEntryInfo(SourceEntryType Type, bool Executable, string? LinkTarget);

/// <summary>Reads filesystem entries the way Nix's path import sees them (symlinks not followed).</summary>
internal static class SourceEntries
{
    public static SourceEntryInfo Describe(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists && !Directory.Exists(path) && info.LinkTarget == null)
            throw new FileNotFoundException($"path '{path}' does not exist");
        if (info.LinkTarget is { } target) return new(SourceEntryType.Symlink, false, target);
        if ((info.Attributes & FileAttributes.Directory) != 0) return new(SourceEntryType.Directory, false, null);
        if (!info.Exists) return new(SourceEntryType.Unknown, false, null);
        if (OperatingSystem.IsWindows()) return new(SourceEntryType.Regular, false, null);
        var mode = File.GetUnixFileMode(path);
        if (!IsRegular(path)) return new(SourceEntryType.Unknown, false, null);
        return new(SourceEntryType.Regular, (mode & UnixFileMode.UserExecute) != 0, null);
    }

    private static bool IsRegular(string path)
    {
        var attributes = File.GetAttributes(path);
        return (attributes & (FileAttributes.Device | FileAttributes.Directory)) == 0;
    }

    /// <summary>Nix's type name for <c>builtins.path</c> filters: regular, directory, symlink, unknown.</summary>
    public static string TypeName(string path) => Describe(path).Type switch
    {
        SourceEntryType.Regular => "regular",
        SourceEntryType.Directory => "directory",
        SourceEntryType.Symlink => "symlink",
        _ => "unknown",
    };

    /// <summary>The children of a directory as (name bytes, absolute path), sorted by the name's bytes.</summary>
    public static List<(byte[] Name, string Path)> SortedChildren(string directory)
    {
        var children = new List<(byte[] Name, string Path)>();
        foreach (var child in Directory.EnumerateFileSystemEntries(directory))
        {
            var name = Path.GetFileName(child);
            children.Add((Encoding.UTF8.GetBytes(name), child));
        }
        children.Sort(static (a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        return children;
    }
}
