namespace Tvix.Cli.Commands;

/// <summary>
/// The current directory, read the first time something needs it: an expression (<c>-E</c>,
/// standard input) or an <c>--arg</c>. Evaluating a file given by its absolute path never does,
/// and the first read costs about 2 ms (it is the process's first UTF-8 decoding, whose
/// set-up in the runtime is slow), a tenth of a small evaluation's start-up.
/// </summary>
internal sealed class WorkingDirectory
{
    private string? _path;

    public string Path => _path ??= Directory.GetCurrentDirectory();
}
