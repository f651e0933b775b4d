using System.CommandLine;
using System.Text;
using Tvix.CAStore;
using Tvix.CAStore.Import;
using Tvix.CAStore.Services;

namespace Tvix.Cli.Commands;

/// <summary>The <c>--store</c> family of options shared by the castore subcommands.</summary>
internal sealed record CastoreStoreOptions(Option<string?> Store, Option<string?> BlobStore, Option<string?> DirectoryStore);

/// <summary>The castore services a subcommand works on.</summary>
internal sealed record CastoreServices(IBlobService Blobs, IDirectoryService Directories);

/// <summary>What the <c>tvix castore</c> subcommands do; errors become <c>error: …</c> and exit code 1.</summary>
internal static class CastoreActions
{
    public static int Run(ParseResult parse, Func<CastoreServices, CancellationToken, Task> action, CastoreStoreOptions options)
    {
        var error = parse.InvocationConfiguration.Error;
        try
        {
            var store = parse.GetValue(options.Store) ?? CAStoreServiceFactory.DefaultUrl;
            var services = new CastoreServices(
                CAStoreServiceFactory.CreateBlobService(parse.GetValue(options.BlobStore) ?? store),
                CAStoreServiceFactory.CreateDirectoryService(parse.GetValue(options.DirectoryStore) ?? store));
            action(services, CancellationToken.None).GetAwaiter().GetResult();
            return 0;
        }
        catch (Exception e)
        {
            error.WriteLine("error: " + Describe(e));
            return 1;
        }
    }

    /// <summary>
    /// The exception's message, except that the runtime's own messages, which this CLI ships as
    /// bare resource keys (UseSystemResourceKeys, e.g. "IO_PathNotFound_Path, /x"), become words.
    /// </summary>
    private static string Describe(Exception e)
    {
        var message = e.Message;
        var comma = message.IndexOf(", ", StringComparison.Ordinal);
        var key = comma > 0 ? message[..comma] : message;
        if (key.Contains(' ', StringComparison.Ordinal) || !key.Contains('_', StringComparison.Ordinal)) return message;
        var detail = comma > 0 ? message[(comma + 2)..] : "";
        var what = e switch
        {
            FileNotFoundException or DirectoryNotFoundException => "no such file or directory",
            UnauthorizedAccessException => "permission denied",
            PathTooLongException => "path too long",
            _ => $"{e.GetType().Name} ({key})",
        };
        return detail.Length > 0 ? $"{detail}: {what}" : what;
    }

    public static async Task ImportAsync(CastoreServices s, string path, TextWriter output, CancellationToken ct)
    {
        if (!Path.Exists(path) && new FileInfo(path).LinkTarget is null) throw new IOException($"'{path}' does not exist");
        var node = await new FileSystemImporter(s.Blobs, s.Directories).ImportAsync(path, ct);
        output.WriteLine(NodeText.Format(node));
    }

    public static Task ExportAsync(CastoreServices s, string nodeText, string destination, CancellationToken ct) =>
        new FileSystemExporter(s.Blobs, s.Directories).ExportAsync(NodeText.Parse(nodeText), destination, ct);

    public static async Task CatAsync(CastoreServices s, string digestText, CancellationToken ct)
    {
        var digest = ParseDigest(digestText, "file");
        await using var blob = await s.Blobs.OpenReadAsync(digest, ct) ?? throw new IOException($"blob {digest} is not in the store");
        await using var stdout = Console.OpenStandardOutput();
        await blob.CopyToAsync(stdout, ct);
    }

    public static async Task LsAsync(CastoreServices s, string digestText, bool recursive, TextWriter output, CancellationToken ct)
    {
        var digest = ParseDigest(digestText, "dir");
        var root = await s.Directories.GetAsync(digest, ct) ?? throw new IOException($"directory {digest} is not in the store");
        await ListAsync(s, root, "", recursive, output, ct);
    }

    private static async Task ListAsync(CastoreServices s, CADirectory directory, string prefix, bool recursive, TextWriter output, CancellationToken ct)
    {
        foreach (var entry in directory.Entries)
        {
            var name = prefix + Encoding.UTF8.GetString(entry.Name.Span);
            output.WriteLine(NodeText.Format(entry.Node) + "\t" + name);
            if (recursive && entry.Node is DirectoryNode d)
            {
                var child = await s.Directories.GetAsync(d.Digest, ct) ?? throw new IOException($"directory {d.Digest} ('{name}') is not in the store");
                await ListAsync(s, child, name + "/", recursive, output, ct);
            }
        }
    }

    /// <summary>A bare digest, or the digest of a node of the expected kind.</summary>
    private static B3Digest ParseDigest(string text, string kind)
    {
        if (B3Digest.TryParse(text, out var digest)) return digest;
        if (text.StartsWith(kind + ":", StringComparison.Ordinal))
        {
            return NodeText.Parse(text) switch
            {
                DirectoryNode d => d.Digest,
                FileNode f => f.Digest,
                _ => throw new FormatException($"'{text}' is not a {kind}: node"),
            };
        }
        throw new FormatException($"'{text}' is neither a BLAKE3 digest (b3:<base64>, base64 or hex) nor a {kind}: node");
    }
}
