using System.CommandLine;
using Tvix.Store.Services;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix store</c>: work with Nix store paths kept over the castore.</summary>
internal static class StoreCommand
{
    public static Command Create()
    {
        var options = new StoreCliOptions(
            new Option<string?>("--store")
            {
                Description = "Where the whole store lives: memory:// or file:///absolute/dir (castore in dir/castore, path infos in dir/pathinfo). " +
                              $"Default: the local store ({StoreServiceFactory.DefaultPathInfoPath[..^"/pathinfo".Length]})",
                HelpName = "URL",
                Recursive = true,
            },
            new Option<string?>("--blob-service-addr") { Description = "Blob service URL (overrides --store): memory://, file:///path, combined://?near=..&far=..", HelpName = "URL", Recursive = true },
            new Option<string?>("--directory-service-addr") { Description = "Directory service URL (overrides --store)", HelpName = "URL", Recursive = true },
            new Option<string?>("--path-info-service-addr") { Description = "Path info service URL (overrides --store): memory:// or file:///path", HelpName = "URL", Recursive = true },
            new Option<string?>("--store-dir") { Description = "The logical store directory (default: $NIX_STORE_DIR or /nix/store)", HelpName = "DIR", Recursive = true },
            new Option<bool>("--verbose", "-v") { Description = "Log what the store does to stderr", Recursive = true });

        var command = new Command("store", "Work with Nix store paths (kept as castore trees plus path infos)");
        command.Options.Add(options.Store);
        command.Options.Add(options.BlobService);
        command.Options.Add(options.DirectoryService);
        command.Options.Add(options.PathInfoService);
        command.Options.Add(options.StoreDir);
        command.Options.Add(options.Verbose);
        command.Subcommands.Add(Add(options));
        command.Subcommands.Add(Dump(options));
        command.Subcommands.Add(ImportNar(options));
        command.Subcommands.Add(PathInfo(options));
        command.Subcommands.Add(Ls(options));
        command.Subcommands.Add(Cat(options));
        command.Subcommands.Add(Export(options));
        return command;
    }

    private static Command Add(StoreCliOptions options)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Files, directories or symlinks to add", Arity = ArgumentArity.OneOrMore };
        var fixedAlgo = new Option<string?>("--fixed") { Description = "Add as a fixed-output path hashed with ALGO (md5, sha1, sha256, sha512), like nix-store --add-fixed: flat unless --recursive", HelpName = "ALGO" };
        var recursive = new Option<bool>("--recursive") { Description = "With --fixed: hash the NAR instead of the file's contents" };
        var name = new Option<string?>("--name") { Description = "The store path name (default: the path's base name)", HelpName = "NAME" };
        var command = new Command("add", "Add paths to the store and print their store paths, like nix-store --add / --add-fixed") { paths, fixedAlgo, recursive, name };
        command.SetAction(parse => StoreActions.Run(parse, options, (s, ct) => StoreActions.AddAsync(s, parse.GetValue(paths)!, parse.GetValue(fixedAlgo), parse.GetValue(recursive), parse.GetValue(name), ct)));
        return command;
    }

    private static Command Dump(StoreCliOptions options)
    {
        var path = new Argument<string>("STOREPATH") { Description = "The store path" };
        var command = new Command("dump", "Write a store path's NAR to stdout, like nix-store --dump") { path };
        command.SetAction(parse => StoreActions.Run(parse, options, (s, ct) => StoreActions.DumpAsync(s, parse.GetValue(path)!, ct)));
        return command;
    }

    private static Command ImportNar(StoreCliOptions options)
    {
        var path = new Argument<string>("STOREPATH") { Description = "The store path the NAR becomes" };
        var file = new Argument<string?>("FILE") { Description = "The NAR file (default: stdin)", Arity = ArgumentArity.ZeroOrOne };
        var references = new Option<string[]>("--reference") { Description = "A store path it refers to (repeatable)", HelpName = "STOREPATH", AllowMultipleArgumentsPerToken = false };
        var deriver = new Option<string?>("--deriver") { Description = "The .drv that produced it", HelpName = "STOREPATH" };
        var ca = new Option<string?>("--ca") { Description = "Its content address (fixed:r:sha256:..., fixed:ALGO:..., text:sha256:...); the store path is checked against it", HelpName = "CA" };
        var narHash = new Option<string?>("--nar-hash") { Description = "The NAR's expected SHA-256 (any Nix hash form)", HelpName = "HASH" };
        var command = new Command("import-nar", "Import a NAR (stdin or FILE) as a store path and print it") { path, file, references, deriver, ca, narHash };
        command.SetAction(parse => StoreActions.Run(parse, options, (s, ct) => StoreActions.ImportNarAsync(s, parse.GetValue(path)!, parse.GetValue(file),
            parse.GetValue(references) ?? [], parse.GetValue(deriver), parse.GetValue(ca), parse.GetValue(narHash), ct)));
        return command;
    }

    private static Command PathInfo(StoreCliOptions options)
    {
        var paths = new Argument<string[]>("STOREPATH") { Description = "Store paths", Arity = ArgumentArity.OneOrMore };
        var json = new Option<bool>("--json") { Description = "Print JSON like nix path-info --json (path, narHash, narSize, references, ca, deriver, signatures)" };
        var command = new Command("path-info", "Show store paths' metadata") { paths, json };
        command.SetAction(parse => StoreActions.Run(parse, options, (s, ct) => StoreActions.PathInfoAsync(s, parse.GetValue(paths)!, parse.GetValue(json), ct)));
        return command;
    }

    private static Command Ls(StoreCliOptions options)
    {
        var path = new Argument<string>("STOREPATH") { Description = "A store path, optionally followed by /SUBPATH" };
        var subpath = new Argument<string?>("SUBPATH") { Description = "A path inside it", Arity = ArgumentArity.ZeroOrOne };
        var longFormat = new Option<bool>("--long", "-l") { Description = "Show type, size and symlink targets, like nix store ls -l" };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "List subdirectories too" };
        var command = new Command("ls", "List a directory (or show a file) in a store path") { path, subpath, longFormat, recursive };
        command.SetAction(parse => StoreActions.Run(parse, options, (s, ct) => StoreActions.LsAsync(s, parse.GetValue(path)!, parse.GetValue(subpath), parse.GetValue(longFormat), parse.GetValue(recursive), ct)));
        return command;
    }

    private static Command Cat(StoreCliOptions options)
    {
        var path = new Argument<string>("STOREPATH/SUBPATH") { Description = "A regular file in the store" };
        var command = new Command("cat", "Write a file in a store path to stdout") { path };
        command.SetAction(parse => StoreActions.Run(parse, options, (s, ct) => StoreActions.CatAsync(s, parse.GetValue(path)!, ct)));
        return command;
    }

    private static Command Export(StoreCliOptions options)
    {
        var path = new Argument<string>("STOREPATH") { Description = "The store path" };
        var dest = new Argument<string>("DEST") { Description = "Where to create its tree (must not exist)" };
        var command = new Command("export", "Copy a store path's tree to a filesystem path") { path, dest };
        command.SetAction(parse => StoreActions.Run(parse, options, (s, ct) => StoreActions.ExportAsync(s, parse.GetValue(path)!, parse.GetValue(dest)!, ct)));
        return command;
    }
}
