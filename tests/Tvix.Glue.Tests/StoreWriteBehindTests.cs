using System.Text;
using Tvix.CAStore;
using Tvix.Store;
using Tvix.Store.Services;

namespace Tvix.Glue.Tests;

/// <summary><see cref="StoreWriteBehind"/>: writes behind evaluation, seen while in flight, stored by the flush, failures reported.</summary>
public sealed class StoreWriteBehindTests
{
    private const string Program = """
        let
          src = builtins.path { path = ./src; name = "src"; };
          a = derivation { name = "a"; builder = "/bin/sh"; system = "x86_64-linux"; inherit src; };
          b = derivation { name = "b"; builder = "/bin/sh"; system = "x86_64-linux"; inherit a; t = builtins.toFile "t" "x"; };
        in [ b.drvPath a.drvPath src (builtins.readFile "${src}/f.txt") (builtins.readFile (builtins.toFile "u" "y")) ]
        """;

    private static DirectoryInfo Source()
    {
        var dir = Directory.CreateTempSubdirectory("tvix-glue-wb-");
        Directory.CreateDirectory(Path.Combine(dir.FullName, "src"));
        File.WriteAllText(Path.Combine(dir.FullName, "src", "f.txt"), "hello");
        return dir;
    }

    private static TvixStore FileStore(string root) => StoreServiceFactory.CreateStore(new StoreOptions
    {
        BlobServiceUrl = "file://" + Path.Combine(root, "castore"),
        DirectoryServiceUrl = "file://" + Path.Combine(root, "castore"),
        PathInfoServiceUrl = "file://" + Path.Combine(root, "pathinfo"),
    });

    [Fact]
    public async Task EverythingCreatedIsStoredByTheFlushWithTheSamePathsAsWritingAtOnce()
    {
        var dir = Source();
        var direct = FileStore(Path.Combine(dir.FullName, "direct"));
        var expected = Evaluate(new TvixBuilder().UseTvixStore(direct), dir.FullName);

        var store = FileStore(Path.Combine(dir.FullName, "behind"));
        await using var writes = new StoreWriteBehind(store);
        var printed = Evaluate(new TvixBuilder().UseTvixStore(writes), dir.FullName);
        Assert.Equal(expected, printed);
        Assert.EndsWith("\"hello\" \"y\" ]", printed);
        await writes.FlushAsync();

        var paths = printed.Split('"').Where(p => p.StartsWith("/nix/store/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, paths.Count);
        foreach (var path in paths)
        {
            var info = await store.GetPathInfoAsync(store.StoreDirectory.ParsePath(path));
            Assert.NotNull(info);
            Assert.Equal((await direct.GetPathInfoAsync(info!.StorePath))!.Encode(), info.Encode());
        }
        var b = store.StoreDirectory.ParsePath(paths[0]);
        using var stream = await store.OpenFileAsync(b, "");
        Assert.StartsWith("Derive(", new StreamReader(stream, Encoding.UTF8).ReadToEnd());
        // Nothing is left half-written.
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(dir.FullName, "behind", "pathinfo", "tmp")));
    }

    [Fact]
    public async Task APathInFlightIsSeenByEvaluation()
    {
        var dir = Source();
        var gate = new TaskCompletionSource();
        var inner = FileStore(Path.Combine(dir.FullName, "s"));
        var store = new TvixStore(inner.Blobs, inner.Directories, new GatedPathInfos(inner.PathInfos, gate.Task));
        var writes = new StoreWriteBehind(store);
        var evaluator = new TvixBuilder().UseTvixStore(writes).ConfigureEvaluator(o => o.Log = TextWriter.Null).Build();
        // Nothing can be stored until the gate opens, yet the text written is read back, and a
        // .drv in flight is read back as a derivation (its outputs, via the string context).
        var result = evaluator.EvaluateString("""
            let d = derivation { name = "d"; builder = "/bin/sh"; system = "x86_64-linux"; };
            in [ (builtins.readFile (builtins.toFile "t" "text")) (builtins.readFile d.drvPath != "") ]
            """, dir.FullName);
        Assert.True(result.Success, result.Error?.Message);
        Assert.Equal("[ \"text\" true ]", evaluator.Run(cx => cx.Print(result.Value, strict: true)));
        var flush = writes.FlushAsync();
        Assert.False(flush.IsCompleted);
        gate.SetResult();
        await flush;
    }

    [Fact]
    public async Task AFailedWriteIsReportedByTheFlushAndLaterWrites()
    {
        var dir = Source();
        var inner = FileStore(Path.Combine(dir.FullName, "s"));
        var store = new TvixStore(inner.Blobs, inner.Directories, new FailingPathInfos(inner.PathInfos));
        var writes = new StoreWriteBehind(store);
        var evaluator = new TvixBuilder().UseTvixStore(writes).ConfigureEvaluator(o => o.Log = TextWriter.Null).Build();
        var result = evaluator.EvaluateString("builtins.toFile \"t\" \"x\"", dir.FullName);
        Assert.True(result.Success, result.Error?.Message);
        var error = await Assert.ThrowsAsync<IOException>(writes.FlushAsync);
        Assert.Equal("disk full", error.Message);
        // Evaluation that writes again stops with the error instead of queuing more.
        var again = Assert.Throws<IOException>(() => evaluator.EvaluateString("builtins.toFile \"u\" \"y\"", dir.FullName));
        Assert.Equal("disk full", again.Message);
        await Assert.ThrowsAsync<IOException>(writes.FlushAsync);
    }

    private static string Evaluate(TvixBuilder builder, string dir)
    {
        var evaluator = builder.ConfigureEvaluator(o => o.Log = TextWriter.Null).Build();
        var result = evaluator.EvaluateString(Program, dir);
        Assert.True(result.Success, result.Error?.Message);
        return evaluator.Run(cx => cx.Print(result.Value, strict: true));
    }

    /// <summary>Path infos that are stored only once a gate opens.</summary>
    private sealed class GatedPathInfos(IPathInfoService inner, Task gate) : IPathInfoService
    {
        public ValueTask<PathInfo?> GetAsync(ReadOnlyMemory<byte> digest, CancellationToken cancellationToken = default) => inner.GetAsync(digest, cancellationToken);

        public async ValueTask<PathInfo> PutAsync(PathInfo pathInfo, CancellationToken cancellationToken = default)
        {
            await gate.ConfigureAwait(false);
            return await inner.PutAsync(pathInfo, cancellationToken).ConfigureAwait(false);
        }

        public IAsyncEnumerable<PathInfo> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

        public ValueTask<NarSummary> CalculateNarAsync(Node root, CancellationToken cancellationToken = default) => inner.CalculateNarAsync(root, cancellationToken);
    }

    /// <summary>Path infos whose every put fails, as a full disk would.</summary>
    private sealed class FailingPathInfos(IPathInfoService inner) : IPathInfoService
    {
        public ValueTask<PathInfo?> GetAsync(ReadOnlyMemory<byte> digest, CancellationToken cancellationToken = default) => inner.GetAsync(digest, cancellationToken);

        public async ValueTask<PathInfo> PutAsync(PathInfo pathInfo, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            throw new IOException("disk full");
        }

        public IAsyncEnumerable<PathInfo> ListAsync(CancellationToken cancellationToken = default) => inner.ListAsync(cancellationToken);

        public ValueTask<NarSummary> CalculateNarAsync(Node root, CancellationToken cancellationToken = default) => inner.CalculateNarAsync(root, cancellationToken);
    }
}
