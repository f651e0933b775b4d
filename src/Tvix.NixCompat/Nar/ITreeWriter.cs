namespace Tvix.NixCompat.Nar;

/// <summary>
/// Creates the nodes of a tree being restored: <see cref="NarRestorer"/> checks the order of
/// the calls and the names; an implementation only makes the file system objects. The current
/// node is the destination itself, or the entry named by the last <see cref="Enter"/>.
/// </summary>
internal interface ITreeWriter
{
    ValueTask RegularFileAsync(bool executable, long size, Stream contents, CancellationToken cancellationToken);

    void Symlink(ReadOnlySpan<byte> target);

    /// <summary>Creates the current node as a directory and moves into it.</summary>
    void BeginDirectory();

    /// <summary>Moves to the entry <paramref name="name"/> of the current directory.</summary>
    void Enter(ReadOnlySpan<byte> name);

    /// <summary>Back from an entry to its directory.</summary>
    void Leave();

    /// <summary>Leaves the current directory (to the entry that holds it).</summary>
    void EndDirectory();
}
