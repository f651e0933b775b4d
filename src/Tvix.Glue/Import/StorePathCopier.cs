using System.Buffers.Binary;
using Tvix.Eval;
using Tvix.NixCompat;

namespace Tvix.Glue.Import;

/// <summary>
/// <c>builtins.path</c> and <c>filterSource</c> on a path inside a store path the store holds,
/// as Nix 2.8's <c>addPath</c> does it: the copy keeps that store path's references (they go
/// into its path, <c>source:REF…</c>, and its path info), except in read-only mode, where Nix
/// computes the path without them. Path coercion (<c>"${/nix/store/…}"</c>) does not do this,
/// in Nix either. When the host filesystem does not have the path (a <c>toFile</c> result that
/// only our store holds), the copy is made from the store's NAR of it.
/// </summary>
internal static class StorePathCopier
{
    public static StorePath Import(GlueState state, string name, string path, Func<string, string, bool>? filter, bool recursive)
    {
        if (!TryFindOrigin(state, path, out var origin, out var subpath)) return PathImporter.Import(state, name, path, filter, recursive);
        StorePath[] references = state.ReadOnly ? [] : [.. state.References(origin)];
        if (HostHas(path))
        {
            if (references.Length == 0) return PathImporter.Import(state, name, path, filter, recursive);
            if (!recursive) throw FlatWithReferences(state, path, origin);
            var narHash = NarHasher.HashPath(path, filter, out _);
            var storePath = MakePath(state, name, new ContentAddress(ContentAddressMethod.Recursive, new NixHash(NixHashAlgorithm.Sha256, narHash)), references);
            if (!state.Store.IsValid(storePath)) state.Store.AddFileSystemPath(storePath, path, filter, recursive, references);
            return storePath;
        }

        var printed = state.StoreDirectory.Print(origin);
        if (subpath.Length != 0)
            throw new NixEvalException($"cannot add '{path}': only the store holds '{printed}', and copying a path below a store path from it is not supported");
        var nar = state.Store.DumpNar(origin)
            ?? throw new NixEvalException($"cannot add '{path}': the store cannot produce the contents of '{printed}'");
        // Nix asks the filter about the entries of a directory, never about the root itself.
        if (filter != null && RootType(nar) == "directory")
            throw new NixEvalException($"cannot add '{path}' with a filter: only the store holds '{printed}', and filtering a directory from it is not supported");
        ContentAddress contentAddress;
        if (recursive) contentAddress = new ContentAddress(ContentAddressMethod.Recursive, new NixHash(NixHashAlgorithm.Sha256, NixHashAlgorithm.Sha256.HashData(nar)));
        else
        {
            if (references.Length > 0) throw FlatWithReferences(state, path, origin);
            var contents = RootType(nar) == "regular" ? state.Store.ReadFile(origin, "") : null;
            if (contents is null) throw new NixEvalException($"cannot import '{path}' flat: it is not a regular file");
            contentAddress = new ContentAddress(ContentAddressMethod.Flat, new NixHash(NixHashAlgorithm.Sha256, NixHashAlgorithm.Sha256.HashData(contents)));
            nar = NarHasher.RegularFileNar(contents);
        }
        var copy = MakePath(state, name, contentAddress, references);
        if (!state.Store.IsValid(copy)) state.Store.AddNar(copy, nar, contentAddress, references);
        return copy;
    }

    /// <summary>The store path (held by the store) that <paramref name="path"/> is in or below.</summary>
    private static bool TryFindOrigin(GlueState state, string path, out StorePath origin, out string subpath)
    {
        origin = null!;
        subpath = "";
        if (!path.StartsWith(state.StoreDirPrefix, StringComparison.Ordinal)) return false;
        var rest = path[state.StoreDirPrefix.Length..];
        var slash = rest.IndexOf('/');
        if (!StorePath.TryParseBaseName(slash < 0 ? rest : rest[..slash], out var parsed) || !state.Store.IsValid(parsed!)) return false;
        origin = parsed!;
        subpath = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        return true;
    }

    private static bool HostHas(string path) =>
        File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget != null;

    private static StorePath MakePath(GlueState state, string name, ContentAddress contentAddress, StorePath[] references)
    {
        try { return contentAddress.ComputeStorePath(name, state.StoreDirectory, references); }
        catch (NixFormatException e) { throw new NixEvalException(e.Message); }
    }

    private static NixEvalException FlatWithReferences(GlueState state, string path, StorePath origin) =>
        new($"cannot add '{path}' with flat hashing: store path '{state.StoreDirectory.Print(origin)}' has references, and only recursive SHA-256 paths may have them");

    /// <summary>The type of a NAR's root (<c>regular</c>, <c>directory</c> or <c>symlink</c>): its fourth string.</summary>
    private static string RootType(ReadOnlySpan<byte> nar)
    {
        // "nix-archive-1" "(" "type" TYPE, each a little-endian length and padded bytes.
        var position = 0;
        for (var i = 0; i < 4; i++)
        {
            if (nar.Length < position + 8) return "";
            var length = (int)BinaryPrimitives.ReadInt64LittleEndian(nar[position..]);
            position += 8;
            if (length < 0 || nar.Length < position + length) return "";
            if (i == 3) return System.Text.Encoding.ASCII.GetString(nar.Slice(position, length));
            position += (length + 7) & ~7;
        }
        return "";
    }
}
