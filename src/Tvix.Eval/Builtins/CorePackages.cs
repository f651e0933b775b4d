namespace Tvix.Eval.Builtins;

/// <summary>
/// The Nix files C++ Nix ships inside itself and exposes under the <c>nix/</c> search-path
/// prefix (<c>&lt;nix/fetchurl.nix&gt;</c>). They live under a virtual directory that
/// <c>import</c> recognises; they never touch the filesystem.
/// </summary>
internal static class CorePackages
{
    public const string Root = "/__tvix_corepkgs__";

    private const string FetchUrl = """
        { system ? "", url, hash ? "", sha256 ? "", sha1 ? "", sha512 ? "", outputHash ? "",
          outputHashAlgo ? "", executable ? false, unpack ? false,
          name ? baseNameOf (toString url), impure ? false }:
        derivation ({
          builder = "builtin:fetchurl";
          outputHashMode = if unpack || executable then "recursive" else "flat";
          inherit name url executable unpack;
          system = "builtin";
          urls = [ url ];
          preferLocalBuild = true;
          impureEnvVars = [ "http_proxy" "https_proxy" "ftp_proxy" "all_proxy" "no_proxy" ];
        } // (if impure then { __impure = true; } else {
          outputHashAlgo =
            if outputHashAlgo != "" then outputHashAlgo
            else if hash != "" then ""
            else if sha512 != "" then "sha512"
            else if sha1 != "" then "sha1"
            else "sha256";
          outputHash =
            if outputHash != "" then outputHash
            else if hash != "" then hash
            else if sha512 != "" then sha512
            else if sha1 != "" then sha1
            else sha256;
        }))
        """;

    public static bool TryGet(string searchName, out string path)
    {
        if (searchName == "nix/fetchurl.nix")
        {
            path = Root + "/fetchurl.nix";
            return true;
        }
        path = "";
        return false;
    }

    public static bool TryGetSource(string path, out string source)
    {
        if (path == Root + "/fetchurl.nix")
        {
            source = FetchUrl;
            return true;
        }
        source = "";
        return false;
    }
}
