using Tvix.NixCompat;

namespace Tvix.Cli.Commands;

/// <summary>
/// Runs the body of a format command (nar, hash, derivation, store-path) and turns the errors a
/// user can cause (bad input, missing files) into <c>error: ...</c> and exit code 1, never a stack trace.
/// </summary>
internal static class FormatCommandGuard
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is NixFormatException or IOException or UnauthorizedAccessException or InvalidOperationException
                                      or PlatformNotSupportedException or NotSupportedException or ArgumentException)
        {
            Console.Out.Flush();
            Console.Error.WriteLine("error: " + Describe(e));
            return 1;
        }
    }

    // The CLI strips resource strings (UseSystemResourceKeys), so the common I/O errors get our own words.
    private static string Describe(Exception e) => e switch
    {
        FileNotFoundException { FileName: { } file } f when f.Message.StartsWith("IO_", StringComparison.Ordinal) => $"opening file '{file}': No such file or directory",
        DirectoryNotFoundException d when d.Message.StartsWith("IO_", StringComparison.Ordinal) => "a directory on the path does not exist: " + d.Message[(d.Message.IndexOf(',') + 1)..].Trim(),
        UnauthorizedAccessException u when u.Message.StartsWith("UnauthorizedAccess_", StringComparison.Ordinal) => "permission denied: " + u.Message[(u.Message.IndexOf(',') + 1)..].Trim(),
        _ => e.Message,
    };

    /// <summary>The store directory: <c>--store-dir</c>, else <c>NIX_STORE_DIR</c>, else <c>/nix/store</c>.</summary>
    public static StoreDirectory Store(string? option)
    {
        var dir = option ?? Environment.GetEnvironmentVariable("NIX_STORE_DIR");
        return string.IsNullOrEmpty(dir) ? StoreDirectory.Default : new StoreDirectory(dir);
    }
}
