namespace Tvix.Glue.Tests;

/// <summary>
/// The shared vectors were copied without symlinks: <c>srcdir/link</c> (a symlink to
/// <c>hello.txt</c> when Nix hashed it) is a regular file holding its target. Cases that have
/// one are copied to a temporary folder with the symlink restored, so the NAR hashes match.
/// </summary>
internal static class CaseFiles
{
    public static string Materialize(string caseDir)
    {
        var link = Path.Combine(caseDir, "srcdir", "link");
        if (!File.Exists(link) || new FileInfo(link).LinkTarget != null) return caseDir;
        var copy = Path.Combine(Path.GetTempPath(), "tvix-glue-case-" + Guid.NewGuid().ToString("N"), Path.GetFileName(caseDir));
        CopyTree(caseDir, copy);
        var copiedLink = Path.Combine(copy, "srcdir", "link");
        var target = File.ReadAllText(copiedLink).TrimEnd('\n');
        File.Delete(copiedLink);
        File.CreateSymbolicLink(copiedLink, target);
        return copy;
    }

    private static void CopyTree(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var entry in Directory.EnumerateFileSystemEntries(source))
        {
            var target = Path.Combine(destination, Path.GetFileName(entry));
            var info = new FileInfo(entry);
            if (info.LinkTarget != null) File.CreateSymbolicLink(target, info.LinkTarget);
            else if (Directory.Exists(entry)) CopyTree(entry, target);
            else
            {
                File.Copy(entry, target);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, File.GetUnixFileMode(entry) | UnixFileMode.UserWrite);
            }
        }
    }
}
