using Tvix.Eval;
using Tvix.NixCompat;

namespace Tvix.Glue.Import;

/// <summary>
/// Copies filesystem paths into the store the way C++ Nix does: the store path is the
/// fixed-output path of the NAR's SHA-256 (recursive, the usual case) or of the file's SHA-256
/// (flat), named by the caller (the base name for path coercion).
/// </summary>
internal static class PathImporter
{
    /// <summary>What <c>"${./foo}"</c> does: imports <paramref name="path"/> (cached per source path) and returns the store path string with its context.</summary>
    public static NixString CopyPathToStore(GlueState state, string path)
    {
        if (!state.TryGetCopiedSource(path, out var printed))
        {
            var name = NixPath.BaseNameOf(path);
            if (name.EndsWith(".drv", StringComparison.Ordinal))
                throw new NixEvalException("file names are not allowed to end in '.drv'");
            var storePath = Import(state, name, path, filter: null, recursive: true);
            printed = state.StoreDirectory.Print(storePath);
            state.AddCopiedSource(path, printed);
        }
        return new NixString(System.Text.Encoding.UTF8.GetBytes(printed), NixContext.Of(printed));
    }

    /// <summary>Computes the store path of a filesystem import and adds it to the store.</summary>
    public static StorePath Import(GlueState state, string name, string path, Func<string, string, bool>? filter, bool recursive)
    {
        var storePath = ComputeStorePath(state.StoreDirectory, name, path, filter, recursive);
        if (!state.Store.IsValid(storePath)) state.Store.AddFileSystemPath(storePath, path, filter, recursive, []);
        return storePath;
    }

    /// <summary>The store path a filesystem import gets, without adding it.</summary>
    public static StorePath ComputeStorePath(StoreDirectory store, string name, string path, Func<string, string, bool>? filter, bool recursive)
    {
        try
        {
            if (recursive)
            {
                var narHash = NarHasher.HashPath(path, filter, out _);
                return store.MakeFixedOutputPath(name, new NixHash(NixHashAlgorithm.Sha256, narHash), recursive: true);
            }
            var info = SourceEntries.Describe(path);
            if (info.Type != SourceEntryType.Regular)
                throw new NixEvalException($"cannot import '{path}' flat: it is not a regular file");
            using var stream = File.OpenRead(path);
            return store.MakeFixedOutputPath(name, NixHash.Compute(NixHashAlgorithm.Sha256, stream), recursive: false);
        }
        catch (NixFormatException e)
        {
            throw new NixEvalException(e.Message);
        }
        catch (IOException e)
        {
            throw new NixEvalException(e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new NixEvalException($"opening '{path}': {e.Message}");
        }
    }
}
