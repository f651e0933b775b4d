using System.CommandLine;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Tvix.CAStore;
using Tvix.CAStore.Services;
using Tvix.NixCompat;
using Tvix.NixCompat.Nar;
using Tvix.Store;
using Tvix.Store.Import;
using Tvix.Store.Nar;
using Tvix.Store.Services;

namespace Tvix.Cli.Commands;

/// <summary>The options every <c>tvix store</c> subcommand shares.</summary>
internal sealed record StoreCliOptions(
    Option<string?> Store,
    Option<string?> BlobService,
    Option<string?> DirectoryService,
    Option<string?> PathInfoService,
    Option<string?> StoreDir,
    Option<bool> Verbose);

/// <summary>What the <c>tvix store</c> subcommands do; errors become <c>error: …</c> and exit code 1.</summary>
internal static class StoreActions
{
    public static int Run(ParseResult parse, StoreCliOptions options, Func<TvixStore, CancellationToken, Task> action) =>
        Run(() => Configure(parse, options), parse.GetValue(options.Verbose), action);

    /// <summary>
    /// <see cref="Run(ParseResult, StoreCliOptions, Func{TvixStore, CancellationToken, Task})"/> with the
    /// options already read (<paramref name="configure"/> runs where errors are reported).
    /// </summary>
    public static int Run(Func<StoreOptions> configure, bool verbose, Func<TvixStore, CancellationToken, Task> action)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        // The store logs only debug messages, so without --verbose there is nothing to show and no
        // console logger is set up (its options binding and queue thread cost a few ms per command).
        using var loggerFactory = verbose
            ? LoggerFactory.Create(b =>
            {
                b.SetMinimumLevel(LogLevel.Debug);
                b.AddSimpleConsole(o => o.SingleLine = true).AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            })
            : null;
        try
        {
            var store = StoreServiceFactory.CreateStore(configure(), loggerFactory);
            action(store, cts.Token).GetAwaiter().GetResult();
            return 0;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Console.Error.WriteLine("error: interrupted");
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Service URLs from <c>--store</c> and the per-service overrides; the local store by default.</summary>
    internal static StoreOptions Configure(ParseResult parse, StoreCliOptions options) =>
        Configure(parse.GetValue(options.Store), parse.GetValue(options.BlobService), parse.GetValue(options.DirectoryService),
            parse.GetValue(options.PathInfoService), parse.GetValue(options.StoreDir));

    /// <summary>Service URLs from <c>--store</c> and the per-service overrides (each null when not given).</summary>
    internal static StoreOptions Configure(string? storeUrl, string? blobService, string? directoryService, string? pathInfoService, string? storeDir)
    {
        var result = new StoreOptions();
        if (storeUrl is { } store)
        {
            if (store is "memory://" or "memory:///")
            {
                result.BlobServiceUrl = result.DirectoryServiceUrl = result.PathInfoServiceUrl = "memory://";
            }
            else if (store.StartsWith("file:///", StringComparison.Ordinal) && store.IndexOfAny(['?', '#']) < 0)
            {
                var root = store.TrimEnd('/');
                result.BlobServiceUrl = result.DirectoryServiceUrl = root + "/castore";
                result.PathInfoServiceUrl = root + "/pathinfo";
            }
            else
            {
                throw new ArgumentException($"invalid --store URL '{store}': expected memory:// or file:///absolute/dir");
            }
        }
        if (blobService is { } blobs) result.BlobServiceUrl = blobs;
        if (directoryService is { } directories) result.DirectoryServiceUrl = directories;
        if (pathInfoService is { } pathInfos) result.PathInfoServiceUrl = pathInfos;
        result.StoreDirectory = storeDir
            ?? (Environment.GetEnvironmentVariable("NIX_STORE_DIR") is { Length: > 0 } fromEnv ? fromEnv : "/nix/store");
        return result;
    }

    public static async Task AddAsync(TvixStore store, string[] paths, string? fixedAlgorithm, bool recursive, string? name, CancellationToken ct)
    {
        if (recursive && fixedAlgorithm is null) throw new ArgumentException("--recursive needs --fixed ALGO");
        if (name is not null && paths.Length != 1) throw new ArgumentException("--name needs exactly one PATH");
        var algorithm = fixedAlgorithm is null ? NixHashAlgorithm.Sha256 : NixHashAlgorithms.Parse(fixedAlgorithm);
        var method = fixedAlgorithm is null || recursive ? ContentAddressMethod.Recursive : ContentAddressMethod.Flat;
        using var collections = CollectionLogs.StartIfRequested(); // TVIX_SHOW_STATS=gc
        foreach (var path in paths)
        {
            if (!Path.Exists(path) && new FileInfo(path).LinkTarget is null) throw new FileNotFoundException($"getting status of '{Path.GetFullPath(path)}': No such file or directory");
            using var progress = new StoreProgress("adding " + path);
            var entries = 0L;
            var options = new AddPathOptions
            {
                Name = name,
                Method = method,
                HashAlgorithm = algorithm,
                Filter = progress.Enabled ? (_, _) => { progress.Report($"{++entries} entries"); return true; } : null,
            };
            var info = await store.AddPathAsync(path, options, ct);
            progress.Done();
            Console.Out.WriteLine(store.StoreDirectory.Print(info.StorePath));
        }
        RunStatistics.PrintIfRequested(Console.Error); // TVIX_SHOW_STATS=1: collections, allocations, JIT, CPU
        collections?.Print(Console.Error);
    }

    public static async Task DumpAsync(TvixStore store, string text, CancellationToken ct)
    {
        var (storePath, subpath) = store.ParsePathWithSubpath(text);
        var node = await store.ResolveAsync(storePath, subpath, ct);
        // On Linux standard output goes to the NAR writer as a FileStream, so that it writes to the
        // descriptor itself and has the kernel copy large blobs into the pipe or file (see NarWriter).
        // Like nix-store --dump, this does not hash the NAR on the way: nothing here would use the
        // hash, and hashing would cost more than the copy.
        await using Stream stdout = OperatingSystem.IsLinux()
            ? new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0)
            : new StoreStdout(Console.OpenStandardOutput());
        var writer = new NarWriter(stdout);
        await using (writer)
        {
            await new NarRenderer(store.Blobs, store.Directories).WriteAsync(node, writer, ct);
            await writer.CompleteAsync(ct);
        }
    }

    public static async Task ImportNarAsync(TvixStore store, string pathText, string? file, string[] references, string? deriver, string? ca, string? narHash, CancellationToken ct)
    {
        var storePath = ParseStorePath(store, pathText);
        var options = new ImportNarOptions
        {
            References = references.Select(r => ParseStorePath(store, r)).ToArray(),
            Deriver = deriver is null ? null : ParseStorePath(store, deriver),
            ContentAddress = ca is null ? null : ContentAddress.Parse(ca),
            ExpectedNarHash = narHash is null ? null : NixHash.Parse(narHash, NixHashAlgorithm.Sha256),
        };
        await using var input = file is null ? Console.OpenStandardInput() : File.OpenRead(file);
        using var progress = new StoreProgress("importing " + storePath.BaseName);
        await using var counted = new ProgressReadStream(input, progress);
        var info = await store.ImportNarAsync(storePath, counted, options, ct);
        progress.Done();
        Console.Out.WriteLine(store.StoreDirectory.Print(info.StorePath));
    }

    public static async Task PathInfoAsync(TvixStore store, string[] paths, bool json, CancellationToken ct)
    {
        var infos = new List<PathInfo>(paths.Length);
        foreach (var text in paths)
        {
            var storePath = ParseStorePath(store, text);
            infos.Add(await store.GetPathInfoAsync(storePath, ct) ?? throw new IOException($"path '{store.StoreDirectory.Print(storePath)}' is not valid"));
        }
        if (!json)
        {
            foreach (var info in infos) Console.Out.WriteLine(store.StoreDirectory.Print(info.StorePath));
            return;
        }
        await using var stdout = Console.OpenStandardOutput();
        // Nix escapes only what JSON requires, so '+' in base64 hashes stays as it is.
        await using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartArray();
            foreach (var info in infos) WriteJson(writer, info, store.StoreDirectory);
            writer.WriteEndArray();
        }
        await stdout.WriteAsync("\n"u8.ToArray(), ct);
    }

    /// <summary>One path as <c>nix path-info --json</c> (Nix 2.8) prints it, without the registration time Tvix does not keep.</summary>
    internal static void WriteJson(Utf8JsonWriter writer, PathInfo info, StoreDirectory storeDirectory)
    {
        writer.WriteStartObject();
        writer.WriteString("path", storeDirectory.Print(info.StorePath));
        writer.WriteString("narHash", info.Nar.Sha256.ToSri());
        writer.WriteNumber("narSize", info.Nar.Size);
        writer.WriteStartArray("references");
        foreach (var reference in info.References) writer.WriteStringValue(storeDirectory.Print(reference));
        writer.WriteEndArray();
        if (info.ContentAddress is { } ca) writer.WriteString("ca", ca.ToString());
        if (info.Deriver is { } deriver) writer.WriteString("deriver", storeDirectory.Print(deriver));
        if (info.Signatures.Count > 0)
        {
            writer.WriteStartArray("signatures");
            foreach (var signature in info.Signatures) writer.WriteStringValue(signature.ToString());
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    public static async Task LsAsync(TvixStore store, string text, string? extraSubpath, bool longFormat, bool recursive, CancellationToken ct)
    {
        var (storePath, subpath) = store.ParsePathWithSubpath(text);
        if (extraSubpath is not null) subpath = subpath.Length == 0 ? extraSubpath.Trim('/') : subpath + "/" + extraSubpath.Trim('/');
        var node = await store.ResolveAsync(storePath, subpath, ct);
        var output = Console.Out;
        if (node is DirectoryNode directory) await ListAsync(store, directory, "", longFormat, recursive, output, ct);
        else WriteEntry(output, node, subpath.Length == 0 ? storePath.BaseName : subpath[(subpath.LastIndexOf('/') + 1)..], longFormat);
    }

    private static async Task ListAsync(TvixStore store, DirectoryNode node, string prefix, bool longFormat, bool recursive, TextWriter output, CancellationToken ct)
    {
        var directory = await store.Directories.GetAsync(node.Digest, ct) ?? throw new MissingContentException($"directory {node.Digest} is not in the castore");
        foreach (var entry in directory.Entries)
        {
            var name = prefix + Encoding.UTF8.GetString(entry.Name.Span);
            WriteEntry(output, entry.Node, name, longFormat);
            if (recursive && entry.Node is DirectoryNode child) await ListAsync(store, child, name + "/", longFormat, recursive, output, ct);
        }
    }

    private static void WriteEntry(TextWriter output, Node node, string name, bool longFormat)
    {
        if (!longFormat)
        {
            output.WriteLine(name);
            return;
        }
        var line = node switch
        {
            FileNode f => $"{(f.Executable ? "-r-xr-xr-x" : "-r--r--r--")} {f.Size,20} {name}",
            DirectoryNode => $"dr-xr-xr-x {0,20} {name}",
            SymlinkNode s => $"lrwxrwxrwx {0,20} {name} -> {Encoding.UTF8.GetString(s.Target.Span)}",
            _ => name,
        };
        output.WriteLine(line);
    }

    public static async Task CatAsync(TvixStore store, string text, CancellationToken ct)
    {
        var (storePath, subpath) = store.ParsePathWithSubpath(text);
        await using var contents = await store.OpenFileAsync(storePath, subpath, ct);
        await using var stdout = new StoreStdout(Console.OpenStandardOutput());
        await contents.CopyToAsync(stdout, 1 << 16, ct);
    }

    public static Task ExportAsync(TvixStore store, string text, string destination, CancellationToken ct) =>
        store.ExportAsync(ParseStorePath(store, text), destination, ct);

    private static StorePath ParseStorePath(TvixStore store, string text)
    {
        var (storePath, subpath) = store.ParsePathWithSubpath(text);
        if (subpath.Length > 0) throw new ArgumentException($"'{text}' is a path inside a store path, not a store path");
        return storePath;
    }
}
