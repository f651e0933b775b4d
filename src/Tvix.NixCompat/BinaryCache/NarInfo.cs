using System.Globalization;
using System.Text;
using Tvix.NixCompat.Signing;

namespace Tvix.NixCompat.BinaryCache;

/// <summary>
/// A binary cache's <c>.narinfo</c>: where the (compressed) NAR of a store path is, its hashes
/// and sizes, references, deriver, signatures and content address. Parsed and rendered as
/// C++ Nix does, in its field order.
/// </summary>
public sealed class NarInfo
{
    /// <summary>Creates a narinfo for a path with its NAR hash (SHA-256) and size.</summary>
    public NarInfo(StorePath storePath, string url, NixHash narHash, long narSize)
    {
        StorePath = storePath;
        Url = url;
        NarHash = narHash;
        NarSize = narSize;
    }

    /// <summary>The store path described.</summary>
    public StorePath StorePath { get; set; }

    /// <summary>Location of the NAR file, relative to the cache.</summary>
    public string Url { get; set; }

    /// <summary>Compression of the NAR file (<c>none</c>, <c>xz</c>, <c>bzip2</c>, <c>zstd</c>, …); Nix assumes bzip2 when absent.</summary>
    public string Compression { get; set; } = "bzip2";

    /// <summary>Hash of the compressed NAR file.</summary>
    public NixHash? FileHash { get; set; }

    /// <summary>Size of the compressed NAR file.</summary>
    public long? FileSize { get; set; }

    /// <summary>Hash of the uncompressed NAR.</summary>
    public NixHash NarHash { get; set; }

    /// <summary>Size of the uncompressed NAR.</summary>
    public long NarSize { get; set; }

    /// <summary>Store paths this path refers to, in the narinfo's order.</summary>
    public List<StorePath> References { get; } = [];

    /// <summary>The derivation that built the path, if known.</summary>
    public StorePath? Deriver { get; set; }

    /// <summary>The <c>System</c> field, if present.</summary>
    public string? System { get; set; }

    /// <summary>Signatures, <c>keyname:base64</c>.</summary>
    public List<string> Signatures { get; } = [];

    /// <summary>The content address (<c>fixed:r:sha256:…</c>, <c>text:sha256:…</c>), if any.</summary>
    public string? ContentAddress { get; set; }

    /// <summary>Parses narinfo text (<c>Key: value</c> lines; unknown keys are ignored, as Nix does).</summary>
    /// <exception cref="NixFormatException">A field is malformed or a required one is missing.</exception>
    public static NarInfo Parse(string text, StoreDirectory? store = null)
    {
        store ??= StoreDirectory.Default;
        StorePath? storePath = null;
        string? url = null;
        NixHash? narHash = null;
        long narSize = 0;
        var info = new NarInfo(null!, "", null!, 0);
        foreach (var rawLine in text.Split('\n'))
        {
            if (rawLine.Length == 0) continue;
            var colon = rawLine.IndexOf(':');
            if (colon < 0) throw Corrupt(storePath, $"line '{rawLine}' has no ':'");
            var key = rawLine[..colon];
            var value = rawLine.Length > colon + 1 && rawLine[colon + 1] == ' ' ? rawLine[(colon + 2)..] : rawLine[(colon + 1)..];
            try
            {
                switch (key)
                {
                    case "StorePath": storePath = store.ParsePath(value); break;
                    case "URL": url = value; break;
                    case "Compression": info.Compression = value; break;
                    case "FileHash": info.FileHash = NixHash.Parse(value); break;
                    case "FileSize": info.FileSize = ParseSize(value); break;
                    case "NarHash": narHash = NixHash.Parse(value); break;
                    case "NarSize": narSize = ParseSize(value); break;
                    case "References":
                        foreach (var reference in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                            info.References.Add(StorePath.ParseBaseName(reference));
                        break;
                    case "Deriver":
                        if (value != "unknown-deriver") info.Deriver = StorePath.ParseBaseName(value);
                        break;
                    case "System": info.System = value; break;
                    case "Sig": info.Signatures.Add(value); break;
                    case "CA": info.ContentAddress = value; break;
                }
            }
            catch (NixFormatException e)
            {
                throw Corrupt(storePath, $"field {key}: {e.Message}");
            }
        }
        if (storePath is null) throw Corrupt(null, "StorePath is missing");
        if (string.IsNullOrEmpty(url)) throw Corrupt(storePath, "URL is missing");
        if (narHash is null) throw Corrupt(storePath, "NarHash is missing");
        if (narSize == 0) throw Corrupt(storePath, "NarSize is missing or zero");
        info.StorePath = storePath;
        info.Url = url;
        info.NarHash = narHash;
        info.NarSize = narSize;
        return info;
    }

    private static long ParseSize(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) ? size : throw new NixFormatException($"'{value}' is not a size");

    private static NixFormatException Corrupt(StorePath? path, string reason) =>
        new($"NAR info file{(path is null ? "" : $" of '{path.BaseName}'")} is corrupt: {reason}");

    /// <summary>Renders the narinfo as Nix writes it (hashes as <c>sha256:nixbase32</c>).</summary>
    public string Render(StoreDirectory? store = null)
    {
        store ??= StoreDirectory.Default;
        var sb = new StringBuilder(512);
        sb.Append("StorePath: ").Append(store.Print(StorePath)).Append('\n');
        sb.Append("URL: ").Append(Url).Append('\n');
        sb.Append("Compression: ").Append(Compression).Append('\n');
        if (FileHash != null) sb.Append("FileHash: ").Append(FileHash.ToString(NixHashEncoding.NixBase32, true)).Append('\n');
        if (FileSize != null) sb.Append("FileSize: ").Append(FileSize.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("NarHash: ").Append(NarHash.ToString(NixHashEncoding.NixBase32, true)).Append('\n');
        sb.Append("NarSize: ").Append(NarSize.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("References: ");
        for (var i = 0; i < References.Count; i++)
        {
            if (i > 0) sb.Append(' ');
            sb.Append(References[i].BaseName);
        }
        sb.Append('\n');
        if (Deriver != null) sb.Append("Deriver: ").Append(Deriver.BaseName).Append('\n');
        if (!string.IsNullOrEmpty(System)) sb.Append("System: ").Append(System).Append('\n');
        foreach (var signature in Signatures) sb.Append("Sig: ").Append(signature).Append('\n');
        if (ContentAddress != null) sb.Append("CA: ").Append(ContentAddress).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// What signatures sign: <c>1;STOREPATH;NARHASH;NARSIZE;REF1,REF2</c> with the NAR hash as
    /// <c>sha256:nixbase32</c> and the references as sorted absolute paths.
    /// </summary>
    public string Fingerprint(StoreDirectory? store = null) => MakeFingerprint(StorePath, NarHash, NarSize, References, store);

    /// <summary>The signature fingerprint of any path (see <see cref="Fingerprint"/>).</summary>
    public static string MakeFingerprint(StorePath path, NixHash narHash, long narSize, IEnumerable<StorePath> references, StoreDirectory? store = null)
    {
        store ??= StoreDirectory.Default;
        if (narHash.Algorithm != NixHashAlgorithm.Sha256) throw new InvalidOperationException("a fingerprint needs a SHA-256 NAR hash");
        if (narSize == 0) throw new InvalidOperationException($"cannot calculate the fingerprint of '{path.BaseName}' because its size is not known");
        var sorted = new List<StorePath>(references);
        sorted.Sort();
        var sb = new StringBuilder("1;");
        sb.Append(store.Print(path)).Append(';').Append(narHash.ToString(NixHashEncoding.NixBase32, true)).Append(';')
            .Append(narSize.ToString(CultureInfo.InvariantCulture)).Append(';');
        StorePath? previous = null;
        var first = true;
        foreach (var reference in sorted)
        {
            if (reference.Equals(previous)) continue;
            if (!first) sb.Append(',');
            first = false;
            sb.Append(store.Print(reference));
            previous = reference;
        }
        return sb.ToString();
    }

    /// <summary>Adds a signature by <paramref name="key"/> (replacing an older one by the same key name).</summary>
    public void Sign(SigningKey key, StoreDirectory? store = null)
    {
        var signature = key.SignFingerprint(Fingerprint(store));
        Signatures.RemoveAll(s => s.StartsWith(key.Name + ":", StringComparison.Ordinal));
        Signatures.Add(signature);
    }

    /// <summary>How many signatures are valid for one of <paramref name="trustedKeys"/>.</summary>
    public int CountValidSignatures(IEnumerable<VerifyingKey> trustedKeys, StoreDirectory? store = null)
    {
        var fingerprint = Fingerprint(store);
        var count = 0;
        foreach (var signature in Signatures)
        {
            foreach (var key in trustedKeys)
            {
                if (key.VerifyFingerprint(fingerprint, signature))
                {
                    count++;
                    break;
                }
            }
        }
        return count;
    }
}
