using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tvix.Eval;
using Tvix.Store;
using Tvix.Store.Services;

namespace Tvix.Glue.Tests;

/// <summary>The glue over a real <see cref="TvixStore"/> (in-memory services), built directly and through DI.</summary>
public sealed class TvixStoreIntegrationTests
{
    private static TvixStore MemoryStore() => StoreServiceFactory.CreateStore(new StoreOptions
    {
        BlobServiceUrl = "memory://", DirectoryServiceUrl = "memory://", PathInfoServiceUrl = "memory://",
    });

    [Fact]
    public async Task DerivationsAndSourcesLandInTheTvixStore()
    {
        var dir = Directory.CreateTempSubdirectory("tvix-glue-");
        Directory.CreateDirectory(Path.Combine(dir.FullName, "src"));
        File.WriteAllText(Path.Combine(dir.FullName, "src", "keep.txt"), "keep");
        File.WriteAllText(Path.Combine(dir.FullName, "src", "drop.txt"), "drop");
        var store = MemoryStore();
        var evaluator = new TvixBuilder().UseTvixStore(store).ConfigureEvaluator(o => o.Log = TextWriter.Null).Build();
        var result = evaluator.EvaluateString("""
            let
              src = builtins.path { path = ./src; name = "src"; filter = p: t: baseNameOf p != "drop.txt"; };
              d = derivation { name = "d"; builder = "/bin/sh"; system = "x86_64-linux"; inherit src; t = builtins.toFile "t" "x"; };
            in [ d.drvPath src (builtins.readFile "${src}/keep.txt") (builtins.pathExists "${src}/drop.txt") ]
            """, dir.FullName);
        Assert.True(result.Success, result.Error?.Message);
        var printed = evaluator.Run(cx => cx.Print(result.Value, strict: true));
        var drvPathText = printed.Split('"')[1];
        var srcText = printed.Split('"')[3];
        Assert.EndsWith("\"keep\" false ]", printed);
        var drvPath = store.StoreDirectory.ParsePath(drvPathText);
        var info = await store.GetPathInfoAsync(drvPath);
        Assert.NotNull(info);
        Assert.Equal(2, info!.References.Count);
        using var stream = await store.OpenFileAsync(drvPath, "");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var aterm = reader.ReadToEnd();
        Assert.StartsWith("Derive([(\"out\",", aterm);
        Assert.Contains(srcText, aterm);
        Assert.NotNull(await store.GetPathInfoAsync(store.StoreDirectory.ParsePath(srcText)));
    }

    [Fact]
    public async Task PathCopiesOfStorePathsKeepTheirReferences()
    {
        // The store directory Nix 2.8 computed these paths in (see StorePathCopyTests); it does not
        // exist on this host, so the copy is made from the Tvix store's NAR of the text file.
        var store = StoreServiceFactory.CreateStore(new StoreOptions
        {
            BlobServiceUrl = "memory://", DirectoryServiceUrl = "memory://", PathInfoServiceUrl = "memory://",
            StoreDirectory = "/tmp/tvix-glue-copy-test/store",
        });
        var evaluator = new TvixBuilder().UseTvixStore(store).ConfigureEvaluator(o => o.Log = TextWriter.Null).Build();
        var result = evaluator.EvaluateString("""
            let b = builtins.toFile "b" "ref ${builtins.toFile "a" "x"}"; in [ (builtins.path { path = b; name = "copy"; }) (builtins.readFile (builtins.path { path = b; name = "copy"; })) ]
            """);
        Assert.True(result.Success, result.Error?.Message);
        Assert.Equal("[ \"/tmp/tvix-glue-copy-test/store/mbrazm35dic64vicpl89pkbm33cipm3l-copy\" \"ref /tmp/tvix-glue-copy-test/store/0dgynyv9sg2b1w4h9hhlm3ybwqjfcjnj-a\" ]",
            evaluator.Run(cx => cx.Print(result.Value, strict: true)));
        var info = await store.GetPathInfoAsync(store.StoreDirectory.ParsePath("/tmp/tvix-glue-copy-test/store/mbrazm35dic64vicpl89pkbm33cipm3l-copy"));
        Assert.NotNull(info);
        Assert.Equal(["0dgynyv9sg2b1w4h9hhlm3ybwqjfcjnj-a"], info!.References.Select(r => r.BaseName));
    }

    [Fact]
    public async Task AddTvixWiresEvaluatorAndStores()
    {
        var services = new ServiceCollection();
        services.AddTvix(b => b.ConfigureEvaluator(o => o.Log = TextWriter.Null),
            o => { o.BlobServiceUrl = o.DirectoryServiceUrl = o.PathInfoServiceUrl = "memory://"; });
        using var provider = services.BuildServiceProvider();
        var evaluator = provider.GetRequiredService<Evaluator>();
        var result = evaluator.EvaluateString("(derivation { name = \"minimal\"; system = \"x86_64-linux\"; builder = \"/bin/sh\"; }).drvPath");
        Assert.True(result.Success, result.Error?.Message);
        Assert.Equal("\"/nix/store/v1x7ylvsiz9y106ac08pngsy82l2igb7-minimal.drv\"", evaluator.Run(cx => cx.Print(result.Value, strict: true)));
        var store = provider.GetRequiredService<TvixStore>();
        Assert.NotNull(await store.GetPathInfoAsync(store.StoreDirectory.ParsePath("/nix/store/v1x7ylvsiz9y106ac08pngsy82l2igb7-minimal.drv")));
    }
}
