namespace Tvix.CAStore.Import;

/// <summary>The kind of a filesystem entry, as <c>lstat(2)</c> sees it (a symlink is not followed).</summary>
public enum FileKind
{
    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link.</summary>
    Symlink,

    /// <summary>A FIFO (named pipe).</summary>
    Fifo,

    /// <summary>A character device.</summary>
    CharacterDevice,

    /// <summary>A block device.</summary>
    BlockDevice,

    /// <summary>A Unix domain socket.</summary>
    Socket,

    /// <summary>Anything else.</summary>
    Unknown,
}
