using Tvix.Cli.Commands;

namespace Tvix.Cli.Tests;

/// <summary>
/// <c>tvix store … dump PATH</c> and <c>… cat PATH</c> skip System.CommandLine when their arguments
/// are in the plain form (Program.Main): whatever the short reader accepts must mean the same to
/// the full parser.
/// </summary>
public sealed class StartupFastPathTests
{
    private const string P = "/nix/store/7s4gws9766cwgs8xakgl8jmih7wcjqjj-small";

    public static TheoryData<string[], bool> PlainStoreArguments() => new()
    {
        { ["store", "cat", P + "/a"], true },
        { ["store", "--store", "memory://", "cat", P + "/a", "--store-dir", "/s"], true },
        { ["store", "cat", "--verbose", P + "/a"], false },
        { ["store", "cat", "dump", P], false },
        { ["store", "dump", "cat", P], false },
        { ["store", "cat", "-h"], false },
        { ["store", "dump", P], true },
        { ["store", "dump", "--store", "file:///tmp/s", P], true },
        { ["store", "--store", "memory://", "dump", P], true },
        { ["store", "dump", P, "--store-dir", "/foo/store", "--blob-service-addr", "memory://"], true },
        { ["store", "--directory-service-addr", "memory://", "dump", "--path-info-service-addr", "file:///x/pi", P, "--store", "memory://"], true },
        { ["store", "dump", P + "/sub/dir"], true },
        { ["store", "dump", "relative"], true },
        { ["store", "dump", "--store=file:///x", P], false },
        { ["store", "dump", "--verbose", P], false },
        { ["store", "-v", "dump", P], false },
        { ["store", "dump", P, "--store", "memory://", "--store", "file:///x"], false },
        { ["store", "dump", "--help"], false },
        { ["store", "dump", "-h", P], false },
        { ["store", "dump"], false },
        { ["store", "dump", P, P], false },
        { ["store", "dump", "@args.rsp"], false },
        { ["store", "dump", "--store", "dump", P], false },
        { ["store", "dump", "--store"], false },
        { ["store", "dump", "--", P], false },
        { ["store", "dump", ""], false },
        { ["store", "ls", P], false },
        { ["store", "export", P, "/tmp/x"], false },
        { ["nar", "dump", P], false },
    };

    [Theory]
    [MemberData(nameof(PlainStoreArguments))]
    public void PlainStoreReaderAgreesWithTheFullParser(string[] args, bool plain)
    {
        var fast = Commands.PlainStoreArguments.TryParse(args);
        Assert.Equal(plain, fast is not null);
        if (fast is null) return;

        var full = Program.BuildRoot().Parse(args);
        Assert.Empty(full.Errors);
        Assert.Equal(full.CommandResult.Command.Name, fast.Command);
        Assert.Equal(full.GetValue<string>(fast.Command == "dump" ? "STOREPATH" : "STOREPATH/SUBPATH"), fast.Path);
        Assert.Equal(full.GetValue<string?>("--store"), fast.Store);
        Assert.Equal(full.GetValue<string?>("--blob-service-addr"), fast.BlobService);
        Assert.Equal(full.GetValue<string?>("--directory-service-addr"), fast.DirectoryService);
        Assert.Equal(full.GetValue<string?>("--path-info-service-addr"), fast.PathInfoService);
        Assert.Equal(full.GetValue<string?>("--store-dir"), fast.StoreDir);
        Assert.False(full.GetValue<bool>("--verbose"));
    }

    [Fact]
    public void PlainStoreReaderGivesTheStoreOptionsOfTheFullParser()
    {
        var fast = Commands.PlainStoreArguments.TryParse(["store", "dump", "--store", "file:///tmp/s/", "--store-dir", "/foo/store", P])!;
        var options = fast.Configure();
        Assert.Equal("file:///tmp/s/castore", options.BlobServiceUrl);
        Assert.Equal("file:///tmp/s/castore", options.DirectoryServiceUrl);
        Assert.Equal("file:///tmp/s/pathinfo", options.PathInfoServiceUrl);
        Assert.Equal("/foo/store", options.StoreDirectory);
    }
}
