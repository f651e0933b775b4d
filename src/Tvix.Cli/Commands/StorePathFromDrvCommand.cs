using System.CommandLine;
using Tvix.NixCompat;
using Tvix.NixCompat.Derivations;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix store-path from-drv FILE.drv</c>: the store path of a .drv from its ATerm and name.</summary>
internal static class StorePathFromDrvCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("drv") { Description = "A .drv file" };
        var name = new Option<string?>("--name") { Description = "Derivation name (default: from the file name, without hash and .drv)" };
        var storeDir = new Option<string?>("--store-dir") { Description = "Store directory (default: NIX_STORE_DIR or /nix/store)" };
        var command = new Command("from-drv", "Compute a .drv file's own store path from its ATerm and name") { file, name, storeDir };
        command.SetAction(parse => FormatCommandGuard.Run(() =>
        {
            var store = FormatCommandGuard.Store(parse.GetValue(storeDir));
            var path = parse.GetValue(file)!;
            var drv = Derivation.ParseAterm(File.ReadAllBytes(path), store);
            var drvPath = parse.GetValue(name) is { } explicitName
                ? drv.CalculateDerivationPath(explicitName, store)
                : DerivationPath(path, drv, store);
            Console.Out.WriteLine(store.Print(drvPath));
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// The .drv's store path from its ATerm; the name comes from the file name: <c>HASH-NAME.drv</c>
    /// (a store path) or <c>NAME.drv</c>.
    /// </summary>
    public static StorePath DerivationPath(string file, Derivation drv, StoreDirectory store)
    {
        var baseName = Path.GetFileName(file);
        if (!baseName.EndsWith(".drv", StringComparison.Ordinal)) throw new ArgumentException($"'{file}' is not a .drv file");
        var name = StorePath.TryParseBaseName(baseName, out var asStorePath) ? asStorePath!.Name : baseName;
        return drv.CalculateDerivationPath(name[..^".drv".Length], store);
    }
}
