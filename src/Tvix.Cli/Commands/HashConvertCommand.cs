using System.CommandLine;
using Tvix.NixCompat;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix hash convert</c>: re-encode hashes, like <c>nix hash convert</c>.</summary>
internal static class HashConvertCommand
{
    public static Command Create()
    {
        var hashes = new Argument<string[]>("hashes") { Arity = ArgumentArity.OneOrMore, Description = "Hashes in any encoding (SRI, or base16/nix32/base64 with an algo: prefix or --hash-algo)" };
        var algo = new Option<string?>("--hash-algo") { Description = "Algorithm of hashes that do not name one" };
        var to = new Option<string>("--to") { Description = "Output encoding: base16, nix32 (base32), base64 or sri", DefaultValueFactory = _ => "sri" };
        var command = new Command("convert", "Convert a hash between encodings") { hashes, algo, to };
        command.SetAction(parse => FormatCommandGuard.Run(() =>
        {
            NixHashAlgorithm? expected = parse.GetValue(algo) is { } name ? NixHashAlgorithms.Parse(name) : null;
            var encoding = parse.GetValue(to) switch
            {
                "base16" => NixHashEncoding.Base16,
                "nix32" or "base32" => NixHashEncoding.NixBase32,
                "base64" => NixHashEncoding.Base64,
                "sri" => NixHashEncoding.Sri,
                var other => throw new ArgumentException($"unknown hash format '{other}' (expected base16, nix32, base64 or sri)"),
            };
            foreach (var text in parse.GetValue(hashes)!)
                Console.Out.WriteLine(NixHash.Parse(text, expected).ToString(encoding, includeAlgorithm: false));
            return 0;
        }));
        return command;
    }
}
