using System.CommandLine;
using Tvix.NixCompat;
using Tvix.NixCompat.Derivations;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix derivation</c>: Work with derivations (.drv files).</summary>
internal static class DerivationCommand
{
    public static Command Create()
    {
        var command = new Command("derivation", "Work with derivations (.drv files)");
        command.Subcommands.Add(Show());
        return command;
    }

    private static Command Show()
    {
        var files = new Argument<string[]>("drv") { Arity = ArgumentArity.OneOrMore, Description = ".drv files" };
        var storeDir = new Option<string?>("--store-dir") { Description = "Store directory of the paths in the ATerm (default: NIX_STORE_DIR or /nix/store)" };
        var command = new Command("show", "Show a derivation as JSON, like nix show-derivation") { files, storeDir };
        command.SetAction(parse => FormatCommandGuard.Run(() =>
        {
            var store = FormatCommandGuard.Store(parse.GetValue(storeDir));
            var derivations = new List<(StorePath, Derivation)>();
            foreach (var file in parse.GetValue(files)!)
            {
                var drv = Derivation.ParseAterm(File.ReadAllBytes(file), store);
                derivations.Add((StorePathFromDrvCommand.DerivationPath(file, drv, store), drv));
            }
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            Derivation.WriteShowDerivationJson(buffer, derivations, store);
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(buffer.WrittenSpan);
            return 0;
        }));
        return command;
    }
}
