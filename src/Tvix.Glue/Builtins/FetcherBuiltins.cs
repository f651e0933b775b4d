using Tvix.Eval;
using Tvix.NixCompat;

namespace Tvix.Glue.Builtins;

/// <summary>
/// <c>fetchurl</c>, <c>fetchTarball</c> and the other fetchers. This evaluator has no network:
/// when a <c>sha256</c> is given the result is the fixed-output path it names (what Nix returns
/// when the path is already valid), <c>file://</c> URLs of <c>fetchurl</c> are read locally,
/// and anything that would need a download fails with a clear error.
/// </summary>
internal static class FetcherBuiltins
{
    public static void Register(BuiltinRegistry registry, GlueState state)
    {
        registry.Add("fetchurl", 1, (cx, a) => Fetch(cx, state, a[0], "fetchurl", unpack: false, defaultName: ""));
        registry.Add("fetchTarball", 1, (cx, a) => Fetch(cx, state, a[0], "fetchTarball", unpack: true, defaultName: "source"), global: true);
        // fetchGit, fetchTree and fetchMercurial are also global names in Nix; fetchClosure is not.
        // Plain calls, not a loop over tuples: the tuple types are loaded at every start-up.
        Unsupported(registry, "fetchGit", global: true);
        Unsupported(registry, "fetchTree", global: true);
        Unsupported(registry, "fetchMercurial", global: true);
        Unsupported(registry, "fetchClosure", global: false);
    }

    private static void Unsupported(BuiltinRegistry registry, string name, bool global)
    {
        var message = $"fetching with builtins.{name} is not supported: no network";
        registry.Add(name, 1, (cx, _) => throw cx.Error(message), global);
    }

    private static Value Fetch(EvalContext cx, GlueState state, Value argument, string who, bool unpack, string defaultName)
    {
        string? url = null;
        NixHash? expected = null;
        var name = defaultName;
        var v = cx.Force(argument);
        if (v.Kind == ValueKind.Attrs)
        {
            foreach (var (key, value) in v.AsAttrs.Pairs)
            {
                switch (key)
                {
                    case "url": url = ContextSet.NoContext(cx.ForceString(value)); break;
                    case "sha256": expected = StoreBuiltins.ParseHashAllowEmpty(cx, ContextSet.NoContext(cx.ForceString(value)), NixHashAlgorithm.Sha256); break;
                    case "name": name = ContextSet.NoContext(cx.ForceString(value)); break;
                    default: throw cx.Error($"unsupported argument '{key}' to '{who}'");
                }
            }
            if (url == null) throw cx.Error("'url' argument required");
        }
        else
        {
            url = ContextSet.NoContext(cx.ForceString(v));
        }
        if (name.Length == 0) name = NixPath.BaseNameOf(url);

        try
        {
            if (expected is { Algorithm: NixHashAlgorithm.Sha256 })
                return StoreBuiltins.StorePathString(state, state.StoreDirectory.MakeFixedOutputPath(name, expected, recursive: unpack));

            if (!unpack && url.StartsWith("file://", StringComparison.Ordinal))
            {
                var local = Uri.UnescapeDataString(url["file://".Length..]);
                NixHash hash;
                try
                {
                    using var stream = File.OpenRead(local);
                    hash = NixHash.Compute(NixHashAlgorithm.Sha256, stream);
                }
                catch (IOException e) { throw cx.Error($"unable to download '{url}': {e.Message}"); }
                catch (UnauthorizedAccessException e) { throw cx.Error($"unable to download '{url}': {e.Message}"); }
                var path = state.StoreDirectory.MakeFixedOutputPath(name, hash, recursive: false);
                if (!state.Store.IsValid(path)) state.Store.AddFileSystemPath(path, local, null, recursive: false, []);
                return StoreBuiltins.StorePathString(state, path);
            }
        }
        catch (NixFormatException e)
        {
            throw cx.Error(e.Message);
        }
        throw cx.Error($"fetching '{url}' with builtins.{who} is not supported: no network (give a sha256 to use a path that is already known)");
    }
}
