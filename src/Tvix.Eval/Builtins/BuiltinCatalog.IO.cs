using System.Text;
using Tvix.Eval.Runtime;

namespace Tvix.Eval.Builtins;

// Files, imports, search paths and the environment. Everything goes through IEvalIO.
internal static partial class BuiltinCatalog
{
    private static void RegisterIO(BuiltinRegistry r, EvaluatorOptions options)
    {
        r.Add("import", 1, static (cx, a) => cx.ImportFile(cx.CoerceToPath(a[0]), null), global: true);
        r.Add("scopedImport", 2, static (cx, a) =>
        {
            var scope = cx.ForceAttrs(a[0]);
            return cx.ImportFile(cx.CoerceToPath(a[1]), scope);
        }, global: true);
        r.Add("pathExists", 1, static (cx, a) =>
        {
            var v = cx.Force(a[0]);
            var path = cx.CoerceToPath(v);
            var raw = v.Kind == ValueKind.String ? v.RawString.ToString() : path;
            // A trailing "/" or "/." means "must be a directory", as in Nix; a symlink counts
            // when it leads to one (the "/." then resolves through it).
            if (raw.Length > 1 && (raw.EndsWith('/') || raw.EndsWith("/.", StringComparison.Ordinal)))
                return Value.FromBool(cx.IO.IsDirectory(path));
            return Value.FromBool(cx.IO.PathExists(path));
        });
        r.Add("readFile", 1, static (cx, a) =>
        {
            var path = cx.CoerceToPath(a[0]);
            return Value.FromString(new NixString(cx.Wrap(() => cx.IO.ReadFile(path))));
        });
        r.Add("readDir", 1, static (cx, a) =>
        {
            var path = cx.CoerceToPath(a[0]);
            var entries = cx.Wrap(() => cx.IO.ReadDir(path));
            var builder = cx.CreateAttrsBuilder(entries.Count);
            foreach (var (name, type) in entries) builder.Add(name, Value.FromString(FileTypeName(type)));
            return Value.FromAttrs(builder.Build());
        });
        r.Add("readFileType", 1, static (cx, a) =>
        {
            var path = cx.CoerceToPath(a[0]);
            return Value.FromString(FileTypeName(cx.Wrap(() => cx.IO.ReadFileType(path))));
        });
        r.Add("findFile", 2, static (cx, a) => FindFile(cx, cx.ForceList(a[0]), cx.ForceString(a[1]).ToString()));
        r.Add("getEnv", 1, static (cx, a) => Value.FromString(cx.IO.GetEnv(cx.ForceString(a[0]).ToString()) ?? ""));
        r.AddConstant("currentTime", static cx => Value.FromInt(cx.IO.CurrentTime.ToUnixTimeSeconds()));
        r.AddConstant("nixPath", cx => NixPathValue(cx, options));
        r.Add("toPath", 1, static (cx, a) => Value.FromString(cx.CoerceToPath(a[0])));
    }

    private static string FileTypeName(EvalFileType t) => t switch
    {
        EvalFileType.Regular => "regular",
        EvalFileType.Directory => "directory",
        EvalFileType.Symlink => "symlink",
        _ => "unknown",
    };

    private static Value NixPathValue(EvalContext cx, EvaluatorOptions options)
    {
        // An array, not a List<Value> (see catAttrs).
        var items = new Value[options.SearchPath.Count];
        var count = 0;
        foreach (var entry in options.SearchPath)
        {
            var eq = entry.IndexOf('=');
            var prefix = eq < 0 ? "" : entry[..eq];
            var path = eq < 0 ? entry : entry[(eq + 1)..];
            var b = cx.CreateAttrsBuilder(2);
            b.Add(cx.SymPath, Value.FromString(path));
            b.Add(cx.SymPrefix, Value.FromString(prefix));
            items[count++] = Value.FromAttrs(b.Build());
        }
        return Value.FromList(new NixList(items));
    }

    private static Value FindFile(EvalContext cx, NixList searchPath, string name)
    {
        foreach (var item in searchPath.Items)
        {
            var e = cx.ForceAttrs(item);
            var prefix = e.TryGet(cx.SymPrefix, out var p) ? cx.ForceString(p).ToString() : "";
            var pathValue = cx.GetAttrOrThrow(e, cx.SymPath);
            var dir = cx.CoerceToString(pathValue, StringCoercion.NoCopy).ToString();
            string rest;
            if (prefix.Length == 0) rest = name;
            else if (name == prefix) rest = "";
            else if (name.StartsWith(prefix + "/", StringComparison.Ordinal)) rest = name[(prefix.Length + 1)..];
            else continue;
            if (dir.Length == 0) continue;
            if (dir[0] != '/') dir = Path.GetFullPath(dir);
            var candidate = NixPath.Canonicalize(rest.Length == 0 ? dir : dir + "/" + rest);
            if (cx.IO.PathExists(candidate)) return Value.FromPath(candidate);
        }
        if (CorePackages.TryGet(name, out var internalPath)) return Value.FromPath(internalPath);
        // Catchable, as in Nix: `tryEval <nope>` is { success = false; … }.
        throw new NixEvalException($"file '{name}' was not found in the Nix search path (add it using $NIX_PATH or -I)", catchable: true);
    }

    internal static string Utf8(byte[] b) => Encoding.UTF8.GetString(b);
}
