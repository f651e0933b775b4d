namespace Tvix.Cli.Commands;

/// <summary>
/// The arguments of <c>tvix store [OPTIONS] dump STOREPATH</c> and <c>tvix store [OPTIONS] cat
/// STOREPATH/SUBPATH</c> in their plain form, read without System.CommandLine: building its
/// command tree costs several milliseconds, a good part of a small dump. Anything else (help,
/// <c>--verbose</c>, <c>--opt=value</c>, a repeated option, a response file, a value that could
/// be a command or an option) is left to the full parser, so what this accepts means the same
/// to both (StartupFastPathTests compare them).
/// </summary>
internal sealed class PlainStoreArguments
{
    public string? Store, BlobService, DirectoryService, PathInfoService, StoreDir;

    /// <summary>The subcommand: <c>dump</c> or <c>cat</c>.</summary>
    public string Command = "";

    /// <summary>Its one argument.</summary>
    public string Path = "";

    /// <summary>The store options in effect (the same as the full parser's).</summary>
    public Tvix.Store.Services.StoreOptions Configure() => StoreActions.Configure(Store, BlobService, DirectoryService, PathInfoService, StoreDir);

    /// <summary>The arguments when they are in the plain form, else null.</summary>
    public static PlainStoreArguments? TryParse(string[] args)
    {
        if (args.Length < 3 || args[0] != "store") return null;
        var result = new PlainStoreArguments();
        string? path = null;
        for (var i = 1; i < args.Length; i++)
        {
            var ok = args[i] switch
            {
                "--store" => TakeValue(args, ref i, ref result.Store),
                "--blob-service-addr" => TakeValue(args, ref i, ref result.BlobService),
                "--directory-service-addr" => TakeValue(args, ref i, ref result.DirectoryService),
                "--path-info-service-addr" => TakeValue(args, ref i, ref result.PathInfoService),
                "--store-dir" => TakeValue(args, ref i, ref result.StoreDir),
                "dump" or "cat" when result.Command.Length == 0 => (result.Command = args[i]).Length > 0,
                var t when result.Command.Length > 0 && path is null && IsPlainValue(t) => (path = t) is not null,
                _ => false,
            };
            if (!ok) return null;
        }
        if (path is null) return null;
        result.Path = path;
        return result;
    }

    private static bool TakeValue(string[] args, ref int i, ref string? field)
    {
        if (field is not null || i + 1 >= args.Length || !IsPlainValue(args[i + 1])) return false;
        field = args[++i];
        return true;
    }

    /// <summary>
    /// A token both parsers take as a value: not empty, not an option or a response file
    /// (<c>-</c>, <c>@</c>), not a directive (<c>[</c>) and not the name of a store subcommand.
    /// </summary>
    private static bool IsPlainValue(string token) =>
        token.Length > 0 && token[0] is not ('-' or '@' or '[')
        && token is not ("dump" or "add" or "import-nar" or "path-info" or "ls" or "cat" or "export");
}
