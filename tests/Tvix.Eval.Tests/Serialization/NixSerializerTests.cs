using Tvix.Eval.Serialization;

namespace Tvix.Eval.Tests.Serialization;

public sealed class NixSerializerTests
{
    public enum LogLevel { Debug, Info, Warning }

    public sealed record Database(string Host, int Port = 5432, string? User = null);

    public sealed record ServerConfig(
        string Name,
        int Port,
        IReadOnlyList<string> Hosts,
        Dictionary<string, string> Env,
        LogLevel Level,
        Database? Database,
        [NixName("max-connections")] long MaxConnections = 100);

    public sealed class MutableConfig
    {
        public string Title { get; set; } = "";
        public double Ratio { get; set; }
        public required bool Enabled { get; init; }
        public int[] Numbers { get; set; } = [];
    }

    [Fact]
    public void RecordFromAttrsetWithDefaultsRenamesAndNesting()
    {
        var config = NixSerializer.Deserialize<ServerConfig>("""
            let base = 8000; in {
              name = "web";
              port = base + 80;
              hosts = map (n: "host-${toString n}") [ 1 2 ];
              env = { A = "1"; B = "two"; };
              level = "warning";
              database = { host = "db.local"; };
              max-connections = 7;
              unused = throw "never forced";
            }
            """);
        Assert.Equal("web", config.Name);
        Assert.Equal(8080, config.Port);
        Assert.Equal(["host-1", "host-2"], config.Hosts);
        Assert.Equal("two", config.Env["B"]);
        Assert.Equal(LogLevel.Warning, config.Level);
        Assert.Equal(new Database("db.local"), config.Database);
        Assert.Equal(7, config.MaxConnections);
    }

    [Fact]
    public void NullForNullableAndMissingOptionalMembers()
    {
        var config = NixSerializer.Deserialize<ServerConfig>(
            """{ name = "x"; port = 1; hosts = [ ]; env = { }; level = "debug"; database = null; }""");
        Assert.Null(config.Database);
        Assert.Equal(100, config.MaxConnections);
    }

    [Fact]
    public void ClassWithSettableAndRequiredProperties()
    {
        var c = NixSerializer.Deserialize<MutableConfig>("""{ title = "t"; ratio = 1; enabled = true; numbers = [ 1 2 3 ]; }""");
        Assert.Equal("t", c.Title);
        Assert.Equal(1.0, c.Ratio);
        Assert.True(c.Enabled);
        Assert.Equal([1, 2, 3], c.Numbers);

        var e = Assert.Throws<NixDeserializationException>(() => NixSerializer.Deserialize<MutableConfig>("""{ title = "t"; }"""));
        Assert.Contains("attribute 'enabled' missing", e.Message);
    }

    [Fact]
    public void ErrorsNameTheAttributePath()
    {
        var e = Assert.Throws<NixDeserializationException>(() => NixSerializer.Deserialize<ServerConfig>(
            """{ name = "x"; port = 1; hosts = [ "a" 2 ]; env = { }; level = "debug"; database = null; }"""));
        Assert.Equal("hosts[1]", e.AttributePath);
        Assert.Contains("expected a string but found an integer", e.Message);

        e = Assert.Throws<NixDeserializationException>(() => NixSerializer.Deserialize<ServerConfig>(
            """{ name = "x"; port = 1; hosts = [ ]; env = { }; level = "loud"; database = { host = "h"; port = "p"; }; }"""));
        Assert.Equal("level", e.AttributePath);
        Assert.Contains("'loud' is not one of", e.Message);
    }

    [Fact]
    public void MissingRequiredParameterIsReported()
    {
        var e = Assert.Throws<NixDeserializationException>(() => NixSerializer.Deserialize<Database>("{ port = 1; }"));
        Assert.Contains("attribute 'host' missing", e.Message);
    }

    [Fact]
    public void EvaluationErrorsInForcedMembersAreReportedWithTheirPath()
    {
        var e = Assert.Throws<NixDeserializationException>(() => NixSerializer.Deserialize<Database>("""{ host = throw "no host"; }"""));
        Assert.Equal("host", e.AttributePath);
        Assert.Contains("no host", e.Message);

        e = Assert.Throws<NixDeserializationException>(() => NixSerializer.Deserialize<Database>("{ host = "));
        Assert.Contains("evaluation failed", e.Message);
    }

    [Fact]
    public void IntegerRangeIsChecked()
    {
        var e = Assert.Throws<NixDeserializationException>(() => NixSerializer.Deserialize<Dictionary<string, byte>>("{ a = 300; }"));
        Assert.Equal("a", e.AttributePath);
        Assert.Contains("does not fit", e.Message);
    }

    [Fact]
    public void UnknownAttributesCanBeRejected()
    {
        var options = new NixSerializerOptions { RejectUnknownAttributes = true };
        var e = Assert.Throws<NixDeserializationException>(() => NixSerializer.Deserialize<Database>("""{ host = "h"; extra = 1; }""", options));
        Assert.Contains("unexpected attribute 'extra'", e.Message);
    }

    [Fact]
    public void NamingPoliciesMapMemberNames()
    {
        var kebab = new NixSerializerOptions { NamingPolicy = NixNamingPolicy.KebabCase };
        Assert.Equal(3, NixSerializer.Deserialize<PolicyProbe>("{ listen-port = 3; }", kebab).ListenPort);
        var snake = new NixSerializerOptions { NamingPolicy = NixNamingPolicy.SnakeCase };
        Assert.Equal(4, NixSerializer.Deserialize<PolicyProbe>("{ listen_port = 4; }", snake).ListenPort);
        var exact = new NixSerializerOptions { NamingPolicy = NixNamingPolicy.Exact };
        Assert.Equal(5, NixSerializer.Deserialize<PolicyProbe>("{ ListenPort = 5; }", exact).ListenPort);
    }

    public sealed record PolicyProbe(int ListenPort);

    [Fact]
    public void ObjectTargetsGetPlainDotNetShapes()
    {
        var value = NixSerializer.Deserialize<object>("""{ a = [ 1 2.5 "s" null true ]; b.c = { }; }""");
        var dict = Assert.IsType<Dictionary<string, object?>>(value);
        Assert.Equal(new List<object?> { 1L, 2.5, "s", null, true }, dict["a"]);
        Assert.IsType<Dictionary<string, object?>>(((Dictionary<string, object?>)dict["b"]!)["c"]);
    }

    [Fact]
    public void FilesAreLoadedRelativeToThemselves()
    {
        var dir = Directory.CreateTempSubdirectory("tvix-serde-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "db.nix"), """{ host = "from-file"; port = 1; }""");
            File.WriteAllText(Path.Combine(dir.FullName, "main.nix"), "{ database = import ./db.nix; }");
            var holder = NixSerializer.DeserializeFile<Holder>(Path.Combine(dir.FullName, "main.nix"));
            Assert.Equal(new Database("from-file", 1), holder.Database);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    public sealed record Holder(Database Database);
}
