// Loads config.nix into C# records with Tvix.Eval's NixSerializer and prints it.
// Usage: ConfigLoader [path/to/config.nix] [environment]
using Tvix.Eval.Serialization;

var file = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "config.nix");
var environment = args.Length > 1 ? args[1] : "staging";

// The file is a function of the environment; apply it from a small expression so that the
// loader decides the argument, not the file.
var expression = $"import {Path.GetFullPath(file)} {{ environment = \"{environment}\"; }}";
try
{
    var config = NixSerializer.Deserialize<AppConfig>(expression);
    Console.WriteLine($"{config.Name} ({config.Environment}) on port {config.ListenPort}, log level {config.LogLevel}");
    Console.WriteLine($"database: {config.Database.Host}:{config.Database.Port}");
    foreach (var worker in config.Workers)
        Console.WriteLine($"worker {worker.Name}: {worker.Threads} thread(s)");
    foreach (var (feature, enabled) in config.Features)
        Console.WriteLine($"feature {feature}: {(enabled ? "on" : "off")}");
    return 0;
}
catch (NixDeserializationException e)
{
    Console.Error.WriteLine($"error: cannot load {file}: {e.Message}");
    return 1;
}

/// <summary>Log levels the service understands.</summary>
public enum LogLevel { Debug, Info, Warning, Error }

/// <summary>The service's configuration.</summary>
public sealed record AppConfig(
    string Name,
    string Environment,
    int ListenPort,
    LogLevel LogLevel,
    DatabaseConfig Database,
    IReadOnlyList<WorkerConfig> Workers,
    IReadOnlyDictionary<string, bool> Features);

/// <summary>Where the database is.</summary>
public sealed record DatabaseConfig(string Host, int Port);

/// <summary>One background worker.</summary>
public sealed record WorkerConfig(string Name, int Threads);
