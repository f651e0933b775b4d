using System.CommandLine;
using Tvix.NixCompat;
using Tvix.NixCompat.Nar;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix hash</c>: Compute and convert Nix hashes.</summary>
internal static class HashCommand
{
    public static Command Create()
    {
        var command = new Command("hash", "Compute and convert Nix hashes");
        command.Subcommands.Add(Compute("path", "Hash the NAR serialisation of a path, like nix hash path", nar: true));
        command.Subcommands.Add(Compute("file", "Hash a file's contents, like nix hash file", nar: false));
        command.Subcommands.Add(HashConvertCommand.Create());
        return command;
    }

    private static Command Compute(string name, string description, bool nar)
    {
        var paths = new Argument<string[]>("paths") { Arity = ArgumentArity.OneOrMore, Description = "Files or directories to hash" };
        var type = new Option<string>("--type") { Description = "Hash algorithm: md5, sha1, sha256 or sha512", DefaultValueFactory = _ => "sha256" };
        var base16 = new Option<bool>("--base16") { Description = "Print in base16" };
        var base32 = new Option<bool>("--base32") { Description = "Print in Nix's base32" };
        var base64 = new Option<bool>("--base64") { Description = "Print in base64" };
        var sri = new Option<bool>("--sri") { Description = "Print in SRI form (the default)" };
        var command = new Command(name, description) { paths, type, base16, base32, base64, sri };
        command.SetAction(parse => FormatCommandGuard.Run(() =>
        {
            var algorithm = NixHashAlgorithms.Parse(parse.GetValue(type)!);
            var encoding = parse.GetValue(base16) ? NixHashEncoding.Base16
                : parse.GetValue(base32) ? NixHashEncoding.NixBase32
                : parse.GetValue(base64) ? NixHashEncoding.Base64
                : NixHashEncoding.Sri;
            foreach (var path in parse.GetValue(paths)!)
            {
                NixHash hash;
                if (nar)
                {
                    using var hashing = new HashingStream(algorithm);
                    NarDumper.DumpToStreamAsync(path, hashing).GetAwaiter().GetResult();
                    hash = hashing.GetHash();
                }
                else
                {
                    using var file = File.OpenRead(path);
                    hash = NixHash.ComputeAsync(algorithm, file).GetAwaiter().GetResult();
                }
                Console.Out.WriteLine(hash.ToString(encoding, includeAlgorithm: false));
            }
            return 0;
        }));
        return command;
    }
}
