namespace Tvix.CAStore.Import;

/// <summary>An import met an entry castore cannot represent: a socket, FIFO or device.</summary>
public sealed class UnsupportedFileTypeException : IOException
{
    /// <summary>An exception naming the entry and its type.</summary>
    public UnsupportedFileTypeException(string path, string fileType)
        : base($"'{path}' is a {fileType}; castore stores only regular files, directories and symlinks")
    {
        Path = path;
        FileType = fileType;
    }

    /// <summary>The entry's path.</summary>
    public string Path { get; }

    /// <summary>What it is (e.g. "socket").</summary>
    public string FileType { get; }
}
