using System.Text;
using Tvix.Eval;
using Tvix.Glue.Import;
using Tvix.NixCompat;
using Tvix.NixCompat.Derivations;

namespace Tvix.Glue.Builtins;

/// <summary>
/// The builtins that need a store (<c>toFile</c>, <c>path</c>, <c>filterSource</c>,
/// <c>storePath</c>), registered over Tvix.Eval's "requires a store" stand-ins.
/// </summary>
internal static class StoreBuiltins
{
    public static void Register(BuiltinRegistry registry, GlueState state)
    {
        registry.Add("derivationStrict", 1, (cx, a) => DerivationStrictBuiltin.Invoke(cx, state, a[0]), global: true);
        registry.Add("toFile", 2, (cx, a) => ToFile(cx, state, a[0], a[1]));
        registry.Add("storePath", 1, (cx, a) => StorePathBuiltin(cx, state, a[0]));
        registry.Add("path", 1, (cx, a) => PathBuiltin(cx, state, a[0]));
        registry.Add("filterSource", 2, (cx, a) => FilterSource(cx, state, a[0], a[1]));
    }

    private static Value ToFile(EvalContext cx, GlueState state, Value nameValue, Value contentsValue)
    {
        var name = ContextSet.NoContext(cx.ForceString(nameValue));
        var contents = cx.ForceString(contentsValue);
        var references = new SortedSet<StorePath>();
        if (contents.Context is { } context)
        {
            foreach (var element in context.Elements)
            {
                if (element.Length == 0 || element[0] != '/')
                    throw cx.Error($"in 'toFile': the file named '{name}' must not contain a reference to a derivation but contains ({element})");
                if (!state.StoreDirectory.TryParsePath(element, out var reference))
                    throw cx.Error($"path '{element}' is not in the Nix store");
                references.Add(reference!);
            }
        }
        StorePath path;
        try { path = state.StoreDirectory.MakeTextPathFromContents(name, contents.Bytes, references); }
        catch (NixFormatException e) { throw cx.Error(e.Message); }
        if (!state.Store.IsValid(path)) state.Store.AddText(path, contents.Memory, references);
        return StorePathString(state, path);
    }

    /// <summary>A store path as a string whose context is the path itself.</summary>
    internal static Value StorePathString(GlueState state, StorePath path)
    {
        var printed = state.StoreDirectory.Print(path);
        return Value.FromString(new NixString(Encoding.UTF8.GetBytes(printed), NixContext.Of(printed)));
    }

    private static Value StorePathBuiltin(EvalContext cx, GlueState state, Value argument)
    {
        var path = cx.CoerceToPath(argument);
        if (!path.StartsWith(state.StoreDirPrefix, StringComparison.Ordinal))
            throw cx.Error($"path '{path}' is not in the Nix store");
        var rest = path[state.StoreDirPrefix.Length..];
        var slash = rest.IndexOf('/');
        var baseName = slash < 0 ? rest : rest[..slash];
        if (!StorePath.TryParseBaseName(baseName, out var storePath))
            throw cx.Error($"path '{path}' is not in the Nix store");
        if (!state.Store.IsValid(storePath!) && !state.TryGetDerivation(storePath!, out _))
            throw cx.Error($"path '{state.StoreDirectory.Print(storePath!)}' is not valid");
        return Value.FromString(new NixString(Encoding.UTF8.GetBytes(path), NixContext.Of(state.StoreDirectory.Print(storePath!))));
    }

    private static Value PathBuiltin(EvalContext cx, GlueState state, Value argument)
    {
        var attrs = cx.ForceAttrs(argument);
        string? path = null;
        string name = "";
        Value? filter = null;
        var recursive = true;
        NixHash? expected = null;
        foreach (var (key, value) in attrs.Pairs)
        {
            switch (key)
            {
                case "path": path = cx.CoerceToPath(value); break;
                case "name": name = ContextSet.NoContext(cx.ForceString(value)); break;
                case "filter": filter = cx.Force(value); break;
                case "recursive": recursive = cx.ForceBool(value); break;
                case "sha256": expected = ParseHashAllowEmpty(cx, ContextSet.NoContext(cx.ForceString(value)), NixHashAlgorithm.Sha256); break;
                default: throw cx.Error($"unsupported argument '{key}' to 'addPath'");
            }
        }
        if (string.IsNullOrEmpty(path)) throw cx.Error("'path' required");
        if (name.Length == 0) name = NixPath.BaseNameOf(path);
        return AddPath(cx, state, name, path, filter, recursive, expected);
    }

    private static Value FilterSource(EvalContext cx, GlueState state, Value filterValue, Value pathValue)
    {
        var path = cx.CoerceToPath(pathValue);
        var filter = cx.ForceFunction(filterValue);
        return AddPath(cx, state, NixPath.BaseNameOf(path), path, filter, recursive: true, expected: null);
    }

    private static Value AddPath(EvalContext cx, GlueState state, string name, string path, Value? filter, bool recursive, NixHash? expected)
    {
        try
        {
            Func<string, string, bool>? filterFunction = null;
            if (filter is { } f)
            {
                // Remembered per entry: hashing and the store's own walk both ask.
                var decisions = new Dictionary<string, bool>(StringComparer.Ordinal);
                filterFunction = (entry, type) =>
                {
                    if (decisions.TryGetValue(entry, out var keep)) return keep;
                    keep = cx.ForceBool(cx.Call(f, Value.FromString(entry), Value.FromString(type)));
                    decisions[entry] = keep;
                    return keep;
                };
            }
            StorePath? expectedPath = null;
            if (expected != null)
            {
                try { expectedPath = state.StoreDirectory.MakeFixedOutputPath(name, expected, recursive); }
                catch (NixFormatException e) { throw cx.Error(e.Message); }
                if (state.Store.IsValid(expectedPath)) return StorePathString(state, expectedPath);
            }
            var actual = StorePathCopier.Import(state, name, path, filterFunction, recursive);
            if (expectedPath != null && !expectedPath.Equals(actual))
                throw cx.Error($"store path mismatch in (possibly filtered) path added from '{path}'");
            return StorePathString(state, actual);
        }
        catch (NixEvalException e)
        {
            e.AddTrace($"while adding path '{path}'", null, default);
            throw;
        }
    }

    /// <summary>Nix's <c>newHashAllowEmpty</c>: an empty string is the all-zero hash of the given algorithm.</summary>
    internal static NixHash ParseHashAllowEmpty(EvalContext cx, string text, NixHashAlgorithm algorithm)
    {
        if (text.Length == 0) return new NixHash(algorithm, new byte[algorithm.DigestSize()]);
        try { return NixHash.Parse(text, algorithm); }
        catch (NixFormatException e) { throw cx.Error(e.Message); }
    }
}
