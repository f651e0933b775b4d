using System.CommandLine;
using Tvix.CAStore.Services;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix castore</c>: import, export and inspect the content-addressed store.</summary>
internal static class CastoreCommand
{
    internal const string NodeHelp =
        "A node is written as dir:b3:<base64>:<size> (size = entries counted recursively), " +
        "file:b3:<base64>:<size> with :x appended when executable, or symlink:<target>. " +
        "Digests may also be given as bare base64 or 64 hex digits.";

    public static Command Create()
    {
        var store = new Option<string?>("--store")
        {
            Description = "Store URL for blobs and directories: memory://, file:///absolute/path or combined://?near=<url>&far=<url> " +
                          $"(default: the local store, {CAStoreServiceFactory.DefaultUrl})",
            HelpName = "URL",
            Recursive = true,
        };
        var blobStore = new Option<string?>("--blob-store") { Description = "Store URL for blobs only (overrides --store)", HelpName = "URL", Recursive = true };
        var directoryStore = new Option<string?>("--directory-store") { Description = "Store URL for directories only (overrides --store)", HelpName = "URL", Recursive = true };
        var stores = new CastoreStoreOptions(store, blobStore, directoryStore);

        var command = new Command("castore", "Work with the content-addressed store (BLAKE3-addressed blobs and directories). " + NodeHelp);
        command.Options.Add(store);
        command.Options.Add(blobStore);
        command.Options.Add(directoryStore);
        command.Subcommands.Add(Import(stores));
        command.Subcommands.Add(Export(stores));
        command.Subcommands.Add(Cat(stores));
        command.Subcommands.Add(Ls(stores));
        return command;
    }

    private static Command Import(CastoreStoreOptions stores)
    {
        var path = new Argument<string>("PATH") { Description = "File, directory or symlink to import" };
        var command = new Command("import", "Import a filesystem tree and print its root node (" + "dir:/file:/symlink:, see 'tvix castore --help')") { path };
        command.SetAction(parse => CastoreActions.Run(parse, (s, ct) => CastoreActions.ImportAsync(s, parse.GetValue(path)!, parse.InvocationConfiguration.Output, ct), stores));
        return command;
    }

    private static Command Export(CastoreStoreOptions stores)
    {
        var node = new Argument<string>("NODE") { Description = "The node to materialise. " + NodeHelp };
        var dest = new Argument<string>("DEST") { Description = "Where to create it (must not exist)" };
        var command = new Command("export", "Materialise a node as a filesystem tree") { node, dest };
        command.SetAction(parse => CastoreActions.Run(parse, (s, ct) => CastoreActions.ExportAsync(s, parse.GetValue(node)!, parse.GetValue(dest)!, ct), stores));
        return command;
    }

    private static Command Cat(CastoreStoreOptions stores)
    {
        var digest = new Argument<string>("DIGEST") { Description = "Blob digest (b3:<base64>, base64 or hex) or a file: node" };
        var command = new Command("cat", "Write a blob's contents to stdout") { digest };
        command.SetAction(parse => CastoreActions.Run(parse, (s, ct) => CastoreActions.CatAsync(s, parse.GetValue(digest)!, ct), stores));
        return command;
    }

    private static Command Ls(CastoreStoreOptions stores)
    {
        var digest = new Argument<string>("DIGEST") { Description = "Directory digest (b3:<base64>, base64 or hex) or a dir: node" };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "List every directory below as well, with paths" };
        var command = new Command("ls", "List a directory: one line per entry, the entry's node, a tab, its name") { digest, recursive };
        command.SetAction(parse => CastoreActions.Run(parse,
            (s, ct) => CastoreActions.LsAsync(s, parse.GetValue(digest)!, parse.GetValue(recursive), parse.InvocationConfiguration.Output, ct), stores));
        return command;
    }
}
