namespace Tvix.NixCompat.Derivations;

/// <summary>
/// Memoised <c>hashDerivationModulo</c> over a graph of <c>.drv</c> files: given a way to load a
/// derivation by path, computes each one's hash modulo once, inputs first, without recursion
/// (a chain of thousands of derivations does not grow the call stack). An evaluator that
/// creates derivations in dependency order can instead <see cref="Add"/> each hash as it goes.
/// </summary>
public sealed class HashModuloCache
{
    private readonly Func<StorePath, Derivation> _load;
    private readonly StoreDirectory _store;
    private readonly Dictionary<StorePath, DerivationHashModulo> _hashes = new();

    /// <summary>Creates a cache that loads unknown derivations with <paramref name="load"/>.</summary>
    public HashModuloCache(Func<StorePath, Derivation> load, StoreDirectory? store = null)
    {
        _load = load;
        _store = store ?? StoreDirectory.Default;
    }

    /// <summary>Number of derivations whose hash is known.</summary>
    public int Count => _hashes.Count;

    /// <summary>Records a hash computed elsewhere.</summary>
    public void Add(StorePath derivationPath, DerivationHashModulo hashModulo)
    {
        if (hashModulo.Hash.Length != 32) throw new ArgumentException("a hash modulo has 32 bytes", nameof(hashModulo));
        _hashes[derivationPath] = hashModulo;
    }

    /// <summary>The hash modulo of a derivation, computing it (and its inputs') when needed.</summary>
    /// <exception cref="NixFormatException">The input graph has a cycle, or a derivation mixes output kinds.</exception>
    public DerivationHashModulo Get(StorePath derivationPath)
    {
        if (_hashes.TryGetValue(derivationPath, out var known)) return known;
        var loaded = new Dictionary<StorePath, Derivation>();
        var onStack = new HashSet<StorePath>();
        var stack = new Stack<StorePath>();
        stack.Push(derivationPath);
        onStack.Add(derivationPath);
        while (stack.Count > 0)
        {
            var path = stack.Peek();
            if (!loaded.TryGetValue(path, out var drv))
            {
                drv = _load(path);
                loaded.Add(path, drv);
            }
            // Descend into one missing input at a time, so the stack is exactly the current path
            // and meeting a derivation already on it means a cycle.
            StorePath? missing = null;
            for (var i = 0; i < drv.InputDerivations.Count; i++)
            {
                var input = drv.InputDerivations.PathAt(i);
                if (_hashes.ContainsKey(input)) continue;
                missing = input;
                break;
            }
            if (missing != null)
            {
                if (!onStack.Add(missing)) throw new NixFormatException($"derivation '{_store.Print(missing)}' depends on itself");
                stack.Push(missing);
                continue;
            }
            _hashes[path] = drv.CalculateHashModulo(Lookup, _store);
            stack.Pop();
            onStack.Remove(path);
            loaded.Remove(path);
        }
        return _hashes[derivationPath];
    }

    private DerivationHashModulo Lookup(StorePath input) =>
        _hashes.TryGetValue(input, out var hash) ? hash : throw new InvalidOperationException($"hash modulo of '{_store.Print(input)}' is not known");
}
