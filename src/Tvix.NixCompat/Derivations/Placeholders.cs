using System.Text;

namespace Tvix.NixCompat.Derivations;

/// <summary>The placeholder strings that stand for output paths not known yet.</summary>
public static class Placeholders
{
    /// <summary>
    /// <c>builtins.placeholder OUTPUT</c>: <c>/</c> + nixbase32(sha256("nix-output:OUTPUT")),
    /// replaced by the output's path at build time.
    /// </summary>
    public static string Output(string outputName) => "/" + NixBase32.Encode(Sha256Digest.HashData(Encoding.UTF8.GetBytes("nix-output:" + outputName)));

    /// <summary>
    /// The placeholder a dependent sees for an output of a floating content-addressed derivation:
    /// <c>/</c> + nixbase32(sha256("nix-upstream-output:DRVHASH:OUTPUTPATHNAME")).
    /// </summary>
    public static string Downstream(StorePath derivationPath, string outputName)
    {
        if (!derivationPath.Name.EndsWith(".drv", StringComparison.Ordinal)) throw new ArgumentException("not a .drv path", nameof(derivationPath));
        var drvName = derivationPath.Name[..^".drv".Length];
        var clear = "nix-upstream-output:" + derivationPath.HashPart + ":" + StoreDirectory.OutputPathName(drvName, outputName);
        return "/" + NixBase32.Encode(Sha256Digest.HashData(Encoding.UTF8.GetBytes(clear)));
    }
}
