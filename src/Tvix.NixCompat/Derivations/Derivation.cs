using System.Buffers;

namespace Tvix.NixCompat.Derivations;

/// <summary>
/// A Nix derivation (<c>.drv</c>): outputs, input derivations with the outputs used, input
/// sources, system, builder, arguments and environment. Collections are sorted the way Nix
/// sorts them, so writing the ATerm needs no extra sorting. Strings that Nix treats as bytes
/// (system, builder, arguments, environment) are <see cref="ByteString"/>s.
/// </summary>
public sealed class Derivation
{
    /// <summary>Outputs by name.</summary>
    public DerivationOutputs Outputs { get; } = new();

    /// <summary>Input derivations (<c>.drv</c> paths) and the names of the outputs used from each.</summary>
    public DerivationInputs InputDerivations { get; } = new();

    /// <summary>Input sources: store paths that are not derivation outputs.</summary>
    public StorePathSet InputSources { get; } = new();

    /// <summary>The system the builder runs on, e.g. <c>x86_64-linux</c>.</summary>
    public ByteString System { get; set; }

    /// <summary>The builder executable.</summary>
    public ByteString Builder { get; set; }

    /// <summary>The builder's arguments.</summary>
    public DerivationArguments Arguments { get; } = new();

    /// <summary>Environment variables, ordered by their bytes.</summary>
    public DerivationEnvironment Environment { get; } = new();

    // Made by the first instantiation and kept for the next after a Clear.
    private InstantiationScratch? _instantiationScratch;

    /// <summary>The buffers instantiation works in.</summary>
    internal InstantiationScratch InstantiationScratch => _instantiationScratch ??= new InstantiationScratch();

    /// <summary>
    /// Empties the derivation (no outputs, inputs, arguments or variables; empty system and
    /// builder) so that it can be filled again: a host that makes many derivations one after the
    /// other reuses one instance and its collections' arrays instead of allocating them each time.
    /// The output name sets of <see cref="InputDerivations"/> that <see cref="AddInputDerivationOutput"/>
    /// made are emptied and reused too: a caller must not keep them across a clear.
    /// </summary>
    public void Clear()
    {
        Outputs.Clear();
        InputDerivations.Clear();
        InputSources.Clear();
        Arguments.Clear();
        Environment.Clear();
        System = default;
        Builder = default;
    }

    /// <summary>Adds an input derivation output (merging with the outputs already used from it).</summary>
    public void AddInputDerivationOutput(StorePath derivationPath, string outputName) =>
        InputDerivations.GetOrAdd(derivationPath).Add(outputName);

    /// <summary>True when the derivation has exactly one output, <c>out</c>, and it is fixed.</summary>
    public bool IsFixedOutput => Outputs.Count == 1 && Outputs.TryGetValue("out", out var output) && output.IsFixed;

    /// <summary>Parses an ATerm (<c>Derive(...)</c>) as written by Nix.</summary>
    /// <exception cref="NixFormatException">The bytes are not a well-formed derivation.</exception>
    public static Derivation ParseAterm(ReadOnlySpan<byte> aterm, StoreDirectory? store = null) =>
        AtermParser.Parse(aterm, store ?? StoreDirectory.Default);

    /// <summary>Writes the ATerm, byte for byte as Nix writes it.</summary>
    public void WriteAterm(IBufferWriter<byte> destination, StoreDirectory? store = null)
    {
        using var buffer = new ByteBuilder(4096);
        AtermWriter.Write(buffer, this, store ?? StoreDirectory.Default);
        destination.Write(buffer.WrittenSpan);
    }

    /// <summary>The ATerm as a new array.</summary>
    public byte[] ToAterm(StoreDirectory? store = null)
    {
        using var buffer = new ByteBuilder(4096);
        AtermWriter.Write(buffer, this, store ?? StoreDirectory.Default);
        return buffer.ToArray();
    }

    /// <summary>
    /// The references of the <c>.drv</c> file itself: input sources and input derivations.
    /// </summary>
    public IEnumerable<StorePath> References()
    {
        foreach (var source in InputSources) yield return source;
        for (var i = 0; i < InputDerivations.Count; i++) yield return InputDerivations.PathAt(i);
    }

    /// <summary>
    /// The store path of this derivation's <c>.drv</c> file: a text path named
    /// <c>NAME.drv</c> over the ATerm, referring to the input sources and input derivations.
    /// </summary>
    public StorePath CalculateDerivationPath(string name, StoreDirectory? store = null)
    {
        store ??= StoreDirectory.Default;
        using var buffer = new ByteBuilder(4096);
        AtermWriter.Write(buffer, this, store);
        return DerivationPathOf(name, buffer.WrittenSpan, store);
    }

    /// <summary>
    /// The <c>.drv</c> store path and the ATerm bytes in one pass (what an evaluator needs to
    /// both name and store a new derivation).
    /// </summary>
    public StorePath CalculateDerivationPath(string name, out byte[] aterm, StoreDirectory? store = null)
    {
        store ??= StoreDirectory.Default;
        using var buffer = new ByteBuilder(4096);
        AtermWriter.Write(buffer, this, store);
        aterm = buffer.ToArray();
        return DerivationPathOf(name, aterm, store);
    }

    private StorePath DerivationPathOf(string name, ReadOnlySpan<byte> aterm, StoreDirectory store)
    {
        Span<byte> hash = stackalloc byte[32];
        Sha256Digest.HashData(aterm, hash);
        return store.MakeTextPathSorted(name + ".drv", hash, DerivationInstantiator.SortedReferences(this));
    }

    /// <summary>
    /// Nix's <c>hashDerivationModulo</c> as a dependent uses it: for a fixed-output derivation the
    /// SHA-256 of <c>fixed:out:[r:]ALGO:HEX:PATH</c>; otherwise the SHA-256 of the ATerm in which
    /// every input derivation path is replaced by the base16 of its own hash modulo (from
    /// <paramref name="inputHashModulo"/>) and the inputs re-sorted. The result does not depend
    /// on which fixed-output derivation produced an input, only on its fixed hash. It is deferred
    /// for a floating content-addressed derivation and for one with a deferred input (unless
    /// fixed-output).
    /// </summary>
    /// <exception cref="NixFormatException">The outputs mix floating content-addressed outputs with others.</exception>
    public DerivationHashModulo CalculateHashModulo(Func<StorePath, DerivationHashModulo> inputHashModulo, StoreDirectory? store = null) =>
        DerivationHasher.HashModulo(this, store ?? StoreDirectory.Default, inputHashModulo, maskOutputs: false);

    /// <summary>
    /// The hash from which input-addressed output paths are made: like
    /// <see cref="CalculateHashModulo"/> but over the masked ATerm, where output paths and the
    /// environment variables named like outputs are empty (Nix's <c>hashDerivationModulo(drv, true)</c>,
    /// which also names the outputs of content-addressed derivations in realisations).
    /// </summary>
    public DerivationHashModulo CalculateMaskedHash(Func<StorePath, DerivationHashModulo> inputHashModulo, StoreDirectory? store = null) =>
        DerivationHasher.HashModulo(this, store ?? StoreDirectory.Default, inputHashModulo, maskOutputs: true);

    /// <summary>The masked ATerm that <see cref="CalculateMaskedHash"/> hashes (for diagnostics and tests).</summary>
    public byte[] ToMaskedAterm(Func<StorePath, DerivationHashModulo> inputHashModulo, StoreDirectory? store = null) =>
        DerivationHasher.MaskedAterm(this, store ?? StoreDirectory.Default, inputHashModulo);

    /// <summary>
    /// Fills in the output paths and their environment variables, as <c>derivationStrict</c> does:
    /// a fixed-output derivation gets its content-addressed path; a floating content-addressed one
    /// gets each output's placeholder as the variable and no paths; an input-addressed one first
    /// sets every output variable to the empty string, hashes the masked ATerm, then makes each
    /// output's path from that hash — unless an input is deferred, which defers the outputs (no
    /// paths, empty variables). <paramref name="name"/> is the derivation name (without <c>.drv</c>).
    /// </summary>
    /// <exception cref="NixFormatException">A fixed-output derivation has other outputs than <c>out</c>, or output kinds are mixed.</exception>
    public void CalculateOutputPaths(string name, Func<StorePath, DerivationHashModulo> inputHashModulo, StoreDirectory? store = null) =>
        DerivationInstantiator.FillOutputs(this, name, store ?? StoreDirectory.Default, inputHashModulo);

    /// <summary>
    /// Everything <c>derivationStrict</c> computes in one pass: fills in the outputs as
    /// <see cref="CalculateOutputPaths"/> does, then returns the <c>.drv</c> path, the hash modulo
    /// dependents use and the <c>.drv</c>'s references, and writes the ATerm to
    /// <paramref name="aterm"/> when given. Cheaper than the separate calls: the environment is
    /// serialised once for all the ATerm variants Nix hashes.
    /// </summary>
    /// <exception cref="NixFormatException">As <see cref="CalculateOutputPaths"/>, or the name makes an invalid store path.</exception>
    public InstantiatedDerivation Instantiate(string name, Func<StorePath, DerivationHashModulo> inputHashModulo, IBufferWriter<byte>? aterm = null, StoreDirectory? store = null)
    {
        var instantiated = DerivationInstantiator.Instantiate(this, name, store ?? StoreDirectory.Default, inputHashModulo, out var written);
        if (aterm != null)
        {
            // Not IBufferWriter's Write extension: its generic slow path is compiled at run time.
            written.CopyTo(aterm.GetSpan(written.Length));
            aterm.Advance(written.Length);
        }
        return instantiated;
    }

    /// <summary>
    /// <see cref="Instantiate(string, Func{StorePath, DerivationHashModulo}, IBufferWriter{byte}?, StoreDirectory?)"/>
    /// with the ATerm (the <c>.drv</c> file's contents) in <paramref name="aterm"/>: a view of this
    /// derivation's working buffer, valid until the next call on it that computes paths or hashes
    /// (copy it to keep it). Nothing is copied for a caller that only needs the paths, or finds
    /// the <c>.drv</c> stored already; and the signature names no <see cref="IBufferWriter{T}"/>,
    /// whose assembly (System.Memory.dll) a call would load.
    /// </summary>
    /// <exception cref="NixFormatException">As the other overload.</exception>
    public InstantiatedDerivation Instantiate(string name, Func<StorePath, DerivationHashModulo> inputHashModulo, out ReadOnlySpan<byte> aterm, StoreDirectory? store = null) =>
        DerivationInstantiator.Instantiate(this, name, store ?? StoreDirectory.Default, inputHashModulo, out aterm);

    /// <summary>Writes the JSON of <c>nix show-derivation</c> (Nix 2.8 layout, two-space indent, trailing newline).</summary>
    public void WriteShowDerivationJson(IBufferWriter<byte> destination, StorePath derivationPath, StoreDirectory? store = null) =>
        DerivationJson.Write(destination, [(derivationPath, this)], store ?? StoreDirectory.Default);

    /// <summary>Writes the JSON of <c>nix show-derivation</c> for several derivations in one object.</summary>
    public static void WriteShowDerivationJson(IBufferWriter<byte> destination, IEnumerable<(StorePath Path, Derivation Derivation)> derivations, StoreDirectory? store = null) =>
        DerivationJson.Write(destination, derivations, store ?? StoreDirectory.Default);
}
