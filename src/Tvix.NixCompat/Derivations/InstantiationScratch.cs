namespace Tvix.NixCompat.Derivations;

/// <summary>
/// The working buffers of <see cref="DerivationInstantiator"/>, kept with the derivation: a host
/// that refills one <see cref="Derivation"/> for each of thousands of derivations
/// (<see cref="Derivation.Clear"/>) then instantiates them all with the same three ATerm buffers
/// and arrays instead of allocating them per derivation. Nothing in it outlives an instantiation.
/// </summary>
internal sealed class InstantiationScratch
{
    /// <summary>The real ATerm (what the <c>.drv</c> holds).</summary>
    public readonly ByteBuilder Real = new(4096);

    /// <summary>The masked ATerm.</summary>
    public readonly ByteBuilder Work = new(4096);

    /// <summary>The ATerm hashed for the hash modulo.</summary>
    public readonly ByteBuilder Modulo = new(4096);

    /// <summary>Where the masked output variables are in <see cref="Work"/>.</summary>
    public readonly MaskedValues Masked = new();

    /// <summary>The input derivations replaced by their hashes modulo (see <see cref="DerivationHasher.ReplaceInputs"/>).</summary>
    public ReplacedInput[] Replaced = new ReplacedInput[4];

    /// <summary>The output variables' names, parallel to the outputs.</summary>
    public ByteString[] Keys = new ByteString[4];

    // The output names Keys were made for: the next derivation usually has the same ones, so
    // their bytes are reused rather than encoded again.
    private string[] _keyNames = new string[4];

    /// <summary>The environment key of output <paramref name="index"/> named <paramref name="name"/>.</summary>
    public ByteString Key(int index, string name)
    {
        if (index < _keyNames.Length && _keyNames[index] == name) return Keys[index];
        var key = name == "out" ? OutKey : ByteString.FromUtf8(name);
        if (index >= _keyNames.Length) Array.Resize(ref _keyNames, index * 2 + 1);
        _keyNames[index] = name;
        return key;
    }

    /// <summary>Makes room for <paramref name="outputs"/> keys and <paramref name="inputs"/> replaced inputs.</summary>
    public void Prepare(int outputs, int inputs)
    {
        Real.Clear();
        Work.Clear();
        Modulo.Clear();
        Masked.Reset(outputs);
        // New arrays rather than Array.Resize: generic methods over these structs are not
        // precompiled, and each would be JIT-compiled in every process.
        if (Keys.Length < outputs)
        {
            Keys = new ByteString[outputs];
            Array.Clear(_keyNames);
        }
        if (Replaced.Length < inputs) Replaced = new ReplacedInput[inputs * 2];
    }

    /// <summary>Drops the references to this derivation's inputs (their output sets and hashes).</summary>
    public void Release(int inputs) => Array.Clear(Replaced, 0, Math.Min(inputs, Replaced.Length));

    internal static readonly ByteString OutKey = ByteString.FromUtf8("out");
}
